"""A Celery task that fails on purpose (the worker imports it with -I)."""
import logging

from celery import shared_task

logger = logging.getLogger("tests.ops.errors")


@shared_task(name="tests.ops.errors.fail")
def fail(*, token: str):
    logger.warning("task running with token=%s", token)
    raise RuntimeError("task failed on purpose")
