"""A database that is down or failing over answers 503 with Retry-After: not a 500, not a Sentry error.

What counts as "unavailable" (`database_unavailable`), read from the driver's exception that Django
wrapped (`__cause__`), so that no database driver is imported here:
- no connection: refused, lost mid-request, closed, a pool timeout — an OperationalError with no
  SQLSTATE, SQLSTATE class 08, or an InterfaceError;
- the server going away or not there yet: 57P01 admin shutdown, 57P02 crash shutdown,
  57P03 cannot connect now (starting up, shutting down, recovery), 53300 too many connections;
- a failover in progress: 25006 read-only transaction (the standby still answers, the primary is gone).
A query cancelled by a timeout, a deadlock or a constraint stays what it is (a 500 or the view's own
answer): a bug or an overload is not an outage.

`DatabaseUnavailableMiddleware.process_exception` turns such an exception raised by a view (every view
that reads or writes) into the 503 before Django's 500 machinery runs: no `got_request_exception`, so
no Sentry event, and one warning per DATABASE_UNAVAILABLE_LOG_INTERVAL instead of an error per request.
A project's handler500 calls `response_or_none()` for what is raised outside a view (a middleware).
"""
import logging
import sys
import threading
import time

from django.db import Error as DatabaseError
from django.http import HttpResponse, JsonResponse

from . import conf, metrics

logger = logging.getLogger(__name__)

UNAVAILABLE_SQLSTATES = frozenset({"57P01", "57P02", "57P03", "53300", "25006"})
MESSAGE = "The service is temporarily unavailable (database); try again shortly."
_PAGE = ("<!doctype html><meta charset=utf-8><title>Temporarily unavailable</title>"
         "<h1>Temporarily unavailable</h1><p>The database is not reachable right now. "
         "This page will work again shortly; reload it in a few seconds.</p>")

_last_warning = {"at": -1e9, "suppressed": 0}
_lock = threading.Lock()


def database_unavailable(exc: BaseException | None) -> bool:
    """Whether `exc` says the database is down, unreachable or failing over (see the module docstring)."""
    if exc is None:
        return False
    driver = exc
    while isinstance(driver, DatabaseError) and driver.__cause__ is not None:  # Django wraps the driver's error
        driver = driver.__cause__
    sqlstate = getattr(driver, "sqlstate", None) or getattr(driver, "pgcode", None)  # psycopg 3 / psycopg2
    if sqlstate:
        return sqlstate.startswith("08") or sqlstate in UNAVAILABLE_SQLSTATES
    # No SQLSTATE: the server never answered. Every DB-API driver (and Django) names these two classes so.
    return any(cls.__name__ in ("OperationalError", "InterfaceError") for cls in type(driver).__mro__)


def response(request) -> HttpResponse:
    """503 with Retry-After: a small HTML page for a browser asking for one, else JSON {"message"}."""
    if request.get_preferred_type(["application/json", "text/html"]) == "text/html":
        answer = HttpResponse(_PAGE, status=503, content_type="text/html; charset=utf-8")
    else:
        answer = JsonResponse({"message": MESSAGE}, status=503)
    answer["Retry-After"] = str(conf.database_unavailable_retry_after())
    answer["Cache-Control"] = "no-store"
    # Django logs every 5xx at error (django.request's log_response) unless marked logged: report() warned.
    answer._has_been_logged = True
    return answer


def report(exc: BaseException) -> None:
    """Count it; log a warning at most once per DATABASE_UNAVAILABLE_LOG_INTERVAL per process."""
    metrics.database_unavailable()
    now = time.monotonic()
    with _lock:
        if now - _last_warning["at"] < conf.database_unavailable_log_interval():
            _last_warning["suppressed"] += 1
            return
        suppressed, _last_warning["suppressed"], _last_warning["at"] = _last_warning["suppressed"], 0, now
    # The exception's type and first line: psycopg's text names host and port, never the password.
    first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    logger.warning("database unavailable, answering 503: %s: %s (%d more since the last warning)",
                   type(exc).__name__, first_line, suppressed)


def response_or_none(request, exc: BaseException | None = None) -> HttpResponse | None:
    """The 503 for an unavailable database (`exc` defaults to the exception being handled), else None."""
    exc = exc if exc is not None else sys.exc_info()[1]
    if not database_unavailable(exc):
        return None
    report(exc)
    return response(request)


class DatabaseUnavailableMiddleware:
    """A view's "database unavailable" exception → 503 + Retry-After (see the module docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        return response_or_none(request, exception)
