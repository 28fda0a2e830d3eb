"""Database statement duration, for every backend: a permanent execute wrapper per connection.

Why not django-prometheus' DB backends: they need ENGINE rewritten to their wrapper
(DATABASE_URL gives Django's own engine) and fix their names at import time; an execute
wrapper works with any engine, including PostgreSQL through psycopg 3.
"""
from time import perf_counter

from django.db.backends.signals import connection_created

from . import metrics


def install() -> None:
    connection_created.connect(_attach, dispatch_uid="ops_metrics.db")


def _attach(sender, connection, **kwargs):
    if timed_execute not in connection.execute_wrappers:  # reconnects reuse the wrapper list
        connection.execute_wrappers.append(timed_execute)


def timed_execute(execute, sql, params, many, context):
    """Observe the statement's duration by alias; count the ones that raise."""
    duration, errors = _children(context["connection"].alias)
    started = perf_counter()
    try:
        return execute(sql, params, many, context)
    except Exception:
        errors.inc()
        raise
    finally:
        duration.observe(perf_counter() - started)


_cache: dict[tuple[str, str], tuple] = {}


def _children(alias: str) -> tuple:
    """(duration histogram, error counter) of `alias` for the current prefix, created once."""
    m = metrics.get()
    key = (m.prefix, alias)
    found = _cache.get(key)
    if found is None:
        found = _cache[key] = (m.db_query_duration.labels(alias), m.db_query_errors.labels(alias))
    return found
