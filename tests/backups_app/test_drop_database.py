"""backups_app.pg.drop_database: the drill's scratch database goes even when FORCE is refused."""
import psycopg

from backups_app import pg

from . import support


def exists(name: str) -> bool:
    with support.admin_conn() as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is not None


def test_drops_a_database_with_a_session_still_on_it():
    name = support.unique("papyrus_drop")
    support.create_database(name)
    session = support.admin_conn(name)  # e.g. a restore's psql that has not gone yet
    try:
        with support.admin_conn() as admin:
            pg.drop_database(admin, name)
        assert not exists(name)
    finally:
        session.close()


class RefusesForceOnce:
    """The admin connection, except that the first FORCE gets what PostgreSQL 15 answers a non-superuser
    while an autovacuum worker is on the database (a worker cannot be summoned on demand in a test)."""

    def __init__(self, conn):
        self.conn, self.statements, self.refused = conn, [], False

    def execute(self, sql, *args):
        self.statements.append(sql)
        if "WITH (FORCE)" in sql and not self.refused:
            self.refused = True
            raise psycopg.errors.InsufficientPrivilege("must be a member of the role whose process is being terminated")
        return self.conn.execute(sql, *args)


def test_a_refused_force_falls_back_to_a_plain_drop():
    name = support.unique("papyrus_drop")
    support.create_database(name)
    with support.admin_conn() as conn:
        admin = RefusesForceOnce(conn)
        pg.drop_database(admin, name)

    assert not exists(name)
    assert admin.statements == [f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'DROP DATABASE IF EXISTS "{name}"']
