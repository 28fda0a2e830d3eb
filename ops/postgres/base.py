"""Django's PostgreSQL backend with a persistent connection's health check that sends nothing.

With CONN_HEALTH_CHECKS, Django checks a reused connection before the first query of every request
by sending `SELECT 1`: one more round trip for every request that touches the database (measured
with bench.k6steps: ~60–120 µs of the web process' CPU per such request, and PostgreSQL's share).

An idle connection has nothing to read. When the server ends it (a restart, a failover,
pg_terminate_backend, idle_session_timeout) it sends an error and closes the socket, which then
polls readable. So: nothing to read → healthy, no round trip; something to read → let libpq read it
(a closed connection goes bad there) and, if it still looks fine, ask the server with Django's
`SELECT 1` as before. A peer that vanished without closing (a cut cable) is not seen by either
check until a query times out — as with Django's own check, which would hang on it too.

After an error inside a request Django still calls `is_usable()` (SELECT 1) itself: unchanged.
"""
from __future__ import annotations

import select

from django.db.backends.postgresql import base
from psycopg import OperationalError, pq


class DatabaseWrapper(base.DatabaseWrapper):
    def close_if_health_check_failed(self):
        if self.pool or self.connection is None or not self.health_check_enabled or self.health_check_done:
            return  # a pool hands out checked connections (Django's own rule)
        if not self.idle_and_open():
            self.close()
        self.health_check_done = True

    def idle_and_open(self) -> bool:
        """Whether the connection is usable, asking the server only when its socket has news."""
        connection = self.connection
        if connection.closed or connection.broken:
            return False
        pgconn = connection.pgconn
        try:
            poller = select.poll()
            poller.register(pgconn.socket, select.POLLIN | select.POLLERR | select.POLLHUP)
            if not poller.poll(0):
                return True
            pgconn.consume_input()
        except (OSError, ValueError, OperationalError):
            return False
        if pgconn.status != pq.ConnStatus.OK:
            return False
        return self.is_usable()
