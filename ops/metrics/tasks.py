"""Celery task runs, failures and duration, from Celery's signals (when Celery is installed); the
worker's and beat's own /metrics (exporter.py) when METRICS_EXPORTER_PORT is set."""
from time import perf_counter

from . import exporter, metrics

_started: dict[str, float] = {}


def install() -> bool:
    """Connect the signal handlers; False when Celery is not importable."""
    try:
        from celery import signals  # noqa: PLC0415 - Celery is optional for this app
    except ImportError:
        return False
    signals.task_prerun.connect(_prerun, dispatch_uid="ops_metrics.prerun", weak=False)
    signals.task_postrun.connect(_postrun, dispatch_uid="ops_metrics.postrun", weak=False)
    signals.task_failure.connect(_failure, dispatch_uid="ops_metrics.failure", weak=False)
    signals.worker_init.connect(exporter.start_configured, dispatch_uid="ops_metrics.exporter.worker", weak=False)
    signals.beat_init.connect(exporter.start_configured, dispatch_uid="ops_metrics.exporter.beat", weak=False)
    return True


def _name(task, sender=None) -> str:
    return getattr(task, "name", None) or getattr(sender, "name", None) or "unknown"


def _prerun(task_id=None, task=None, **kwargs):
    _started[task_id] = perf_counter()


def _postrun(task_id=None, task=None, **kwargs):
    m, name = metrics.get(), _name(task)
    m.celery_task_runs.labels(name).inc()
    started = _started.pop(task_id, None)
    if started is not None:
        m.celery_task_duration.labels(name).observe(perf_counter() - started)


def _failure(task_id=None, sender=None, **kwargs):
    metrics.get().celery_task_failures.labels(_name(sender)).inc()
