"""ops.postgres: a reused connection's health check sends nothing, and a connection the server ended
is replaced before the request's first query (live PostgreSQL)."""
import select
import time

import psycopg
import pytest
from django.db import close_old_connections, connection

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def round_trip_checks(monkeypatch):
    """Every SELECT 1 health check (Django's is_usable) this connection makes."""
    made = []
    real = connection.is_usable
    monkeypatch.setattr(connection, "is_usable", lambda: made.append(1) or real())
    return made


def backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def new_request() -> None:
    close_old_connections()  # what request_started does: the next query checks the connection first


def test_the_backend_is_in_use_with_health_checks_on():
    assert connection.settings_dict["ENGINE"] == "ops.postgres"
    assert connection.settings_dict["CONN_HEALTH_CHECKS"] and connection.settings_dict["CONN_MAX_AGE"] > 0


def test_a_healthy_reused_connection_is_checked_without_a_round_trip(round_trip_checks):
    first = backend_pid()
    for _ in range(3):
        new_request()
        assert backend_pid() == first  # reused
    assert round_trip_checks == []


def test_a_connection_the_server_ended_is_replaced_before_the_first_query():
    pid = backend_pid()
    params = {k: v for k, v in connection.connection.info.get_parameters().items()}
    with psycopg.connect(**params, password=connection.settings_dict.get("PASSWORD") or None,
                         autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
    poller = select.poll()
    poller.register(connection.connection.pgconn.socket, select.POLLIN)
    deadline = time.monotonic() + 10
    while not poller.poll(50) and time.monotonic() < deadline:
        pass
    new_request()
    assert backend_pid() != pid  # no OperationalError: the dead connection was dropped and replaced
