"""Weekly Celery tasks (scheduled by ops.reports.schedule.beat_schedule)."""
from celery import shared_task

from . import conf
from .reports import error_digest_report, performance_report
from .schedule import ERROR_DIGEST_TASK, PERFORMANCE_SUMMARY_TASK


@shared_task(name=ERROR_DIGEST_TASK)
def weekly_error_digest() -> dict:
    """Last 7 days of error lines, logged and (when Sentry is on) sent to Sentry."""
    digest, _ = error_digest_report(days=7, to_sentry=conf.digest_to_sentry())
    return digest.as_dict(conf.digest_top())


@shared_task(name=PERFORMANCE_SUMMARY_TASK)
def weekly_performance_summary() -> dict:
    """Slowest routes by p95 over 7 days (Prometheus, else /metrics), logged and sent to Sentry."""
    summary, _ = performance_report(days=7, to_sentry=conf.digest_to_sentry())
    return summary.as_dict()
