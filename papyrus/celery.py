"""The Celery app: worker and beat share Django's settings (CELERY_* names)."""
import os

from celery import Celery

import ops.logging.celery  # noqa: F401 - workers and beat log through settings.LOGGING, not Celery's own

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings.dev")

app = Celery("papyrus")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
