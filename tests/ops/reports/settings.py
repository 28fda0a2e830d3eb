"""ops.reports installed into a bare Django project: no Papyrus app, no Celery config (reusable)."""
SECRET_KEY = "ops-reports-standalone-test"
USE_TZ = True
INSTALLED_APPS = ["django.contrib.contenttypes", "ops.reports"]
DATABASES = {}
