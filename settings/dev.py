"""Local development: `make run`.

DEBUG is off unless DJANGO_DEBUG=1: Django's debug pages show request bodies (passwords),
settings and every URL. Even with it on, API paths answer errors in JSON
(papyrus.core.errors.JSONErrorMiddleware). `make run` generates DJANGO_SECRET_KEY and
JWT_SECRET into var/secrets.env on its first run (scripts/run.py) unless they are set.
"""
from .base import *  # noqa: F401,F403
from .base import BASE_DIR, env

DEBUG = env.bool("DJANGO_DEBUG", default=False)
# `make run` sends no real mail: each message (password reset links) is a file in var/mail/.
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", default=str(BASE_DIR / "var" / "mail"))
