"""Production: secrets come from the environment, with no default."""
from django.core.exceptions import ImproperlyConfigured

from ops.checklist.secrets import weakness

from .environment import own_addresses

from .base import *  # noqa: F401,F403
from .base import SIMPLE_JWT, env

DEBUG = False
SECRET_KEY = env("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
if env.bool("ALLOWED_HOSTS_OWN_ADDRESSES", default=False):
    # Scrapers and probes that reach this container by address (Prometheus' DNS discovery of
    # replicas, a load balancer's health check) send that address as Host.
    ALLOWED_HOSTS = [*ALLOWED_HOSTS, *own_addresses()]
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

JWT_SECRET = env("JWT_SECRET")
if weakness(JWT_SECRET, name="JWT_SECRET"):  # the same rule as ops_check's jwt_secret item
    raise ImproperlyConfigured("JWT_SECRET must be a random value of at least 32 bytes in production")
SIMPLE_JWT = {**SIMPLE_JWT, "SIGNING_KEY": JWT_SECRET}
JWT_COOKIE_SECURE = True

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^health", r"^metrics"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
BACKUP_ENABLED = env.bool("BACKUP_ENABLED", default=True)
# Nobody signs up without a staff member's invitation unless the operator opens it (REGISTRATION=open).
REGISTRATION = env("REGISTRATION", default="invite")
# One beat at a time across every node and container (celery-redbeat's lock in Redis; settings.base).
CELERY_BEAT_SCHEDULER = env("CELERY_BEAT_SCHEDULER", default="redbeat.RedBeatScheduler")
