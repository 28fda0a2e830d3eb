"""Celery: the request context travels in message headers; workers log through LOGGING.

Connected from the app's ready(). A project whose Celery app module is imported before
Django is set up should also `import ops.logging.celery` there (a project's celery.py, after
`app.config_from_object`) so the worker's `setup_logging` hook is in place in time.
"""
import logging.config

from celery import signals
from django.conf import settings

from . import context

REQUEST_ID = "ops_request_id"
USER_ID = "ops_user_id"
USER_EMAIL = "ops_user_email"


@signals.setup_logging.connect(weak=False, dispatch_uid="ops_logging_setup")
def use_django_logging(**kwargs):
    """Workers and beat use settings.LOGGING (the same files as the web) instead of Celery's own."""
    logging.config.dictConfig(settings.LOGGING)


@signals.before_task_publish.connect(weak=False, dispatch_uid="ops_logging_publish")
def add_context_headers(headers=None, **kwargs):
    """Copy the current request id and user into the task message."""
    ctx = context.current()
    if ctx is None or headers is None:
        return
    headers.setdefault(REQUEST_ID, ctx.request_id)
    user_id, email = ctx.user()
    if user_id is not None:
        headers.setdefault(USER_ID, user_id)
        headers.setdefault(USER_EMAIL, email)


@signals.task_prerun.connect(weak=False, dispatch_uid="ops_logging_prerun")
def bind_task_context(task=None, **kwargs):
    """Run the task under the request id (and user) of the request that enqueued it."""
    request = getattr(task, "request", None)
    request_id = getattr(request, REQUEST_ID, None)
    context.bind(context.RequestContext(request_id, None, getattr(request, USER_ID, None),
                                        getattr(request, USER_EMAIL, None)) if request_id else None)


@signals.task_postrun.connect(weak=False, dispatch_uid="ops_logging_postrun")
def clear_task_context(**kwargs):
    context.bind(None)
