"""Which database errors mean "unavailable" (503), from real PostgreSQL errors, and what answers them."""
import json

import psycopg
import pytest
from django.db import IntegrityError, connections
from django.db.utils import OperationalError
from django.test import RequestFactory

from ops.errors import unavailable
from papyrus.core import errors
from scripts.services import free_port


def wrapper(**changes):
    """A Django connection of its own (the test's connection stays untouched), with settings changed."""
    default = connections["default"]
    # Not registered in `connections`: the test's own connection stays as it is.
    return default.__class__({**default.settings_dict, **changes}, alias="default")


def raised(call):
    with pytest.raises(Exception) as info:
        call()
    return info.value


@pytest.fixture
def own_connection(db):
    connection = wrapper()
    connection.ensure_connection()
    yield connection
    connection.close()


def test_a_refused_connection_is_unavailable(db):
    exc = raised(wrapper(PORT=free_port()).ensure_connection)
    assert isinstance(exc, OperationalError) and isinstance(exc.__cause__, psycopg.OperationalError)
    assert unavailable.database_unavailable(exc)


def test_a_connection_the_server_terminated_is_unavailable(own_connection):
    with own_connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    with connections["default"].cursor() as cursor:  # what an admin shutdown or a failover does to a session
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])

    def query():
        with own_connection.cursor() as cursor:
            cursor.execute("SELECT 1")

    assert unavailable.database_unavailable(raised(query))


def test_a_read_only_server_during_a_failover_is_unavailable(own_connection):
    with own_connection.cursor() as cursor:
        cursor.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")

    def write():
        with own_connection.cursor() as cursor:
            cursor.execute("CREATE TABLE written_during_failover (i int)")

    exc = raised(write)
    assert exc.__cause__.sqlstate == "25006" and unavailable.database_unavailable(exc)


def test_a_closed_driver_connection_is_unavailable(db):
    default = connections["default"].settings_dict
    conn = psycopg.connect(host=default["HOST"], port=default["PORT"], user=default["USER"], dbname=default["NAME"])
    conn.close()
    assert unavailable.database_unavailable(raised(lambda: conn.execute("SELECT 1")))


def test_timeouts_constraints_and_bugs_are_not_an_outage(own_connection):
    def slow():
        with own_connection.cursor() as cursor:
            cursor.execute("SET statement_timeout = 1")
            cursor.execute("SELECT pg_sleep(5)")

    def typo():
        with own_connection.cursor() as cursor:
            cursor.execute("SELEC 1")

    cancelled = raised(slow)
    assert isinstance(cancelled, OperationalError) and cancelled.__cause__.sqlstate == "57014"
    assert not unavailable.database_unavailable(cancelled)
    assert not unavailable.database_unavailable(raised(typo))
    assert not unavailable.database_unavailable(IntegrityError("duplicate key"))
    assert not unavailable.database_unavailable(RuntimeError("connection refused"))
    assert not unavailable.database_unavailable(None)


def test_the_answer_is_503_with_retry_after_json_or_a_page_for_a_browser(db, settings):
    settings.DATABASE_UNAVAILABLE_RETRY_AFTER = 9
    exc = raised(wrapper(PORT=free_port()).ensure_connection)
    middleware = unavailable.DatabaseUnavailableMiddleware(lambda request: None)
    api = middleware.process_exception(RequestFactory().get("/api/pages"), exc)
    assert api.status_code == 503 and api["Retry-After"] == "9" and api["Content-Type"] == "application/json"
    assert "unavailable" in json.loads(api.content)["message"]
    page = middleware.process_exception(RequestFactory().get("/", HTTP_ACCEPT="text/html,*/*;q=0.8"), exc)
    assert page.status_code == 503 and page["Content-Type"].startswith("text/html") and page["Retry-After"] == "9"
    assert middleware.process_exception(RequestFactory().get("/"), RuntimeError("boom")) is None


def test_an_outage_raised_outside_a_view_reaches_handler500_and_is_503_there_too(db):
    """A middleware's exception skips process_exception; Django hands it to handler500 while handling it."""
    try:
        wrapper(PORT=free_port()).ensure_connection()
    except OperationalError:
        answer = errors.server_error(RequestFactory().post("/api/pages"))
    assert answer.status_code == 503 and answer["Retry-After"] == "5"
    try:
        raise RuntimeError("a bug")
    except RuntimeError:
        assert errors.server_error(RequestFactory().post("/api/pages")).status_code == 500
