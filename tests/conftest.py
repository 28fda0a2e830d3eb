import pytest
from rest_framework.test import APIClient

from papyrus.accounts.models import User
from papyrus.wiki import services
from papyrus.wiki.models import Membership

from tests import lanes

PASSWORD = "s3cret-Pass!"


def pytest_collection_modifyitems(config, items):
    lanes.mark(items)  # the live and browser lanes, by path and fixture (tests/lanes.py)


@pytest.fixture
def client():
    return APIClient()


@pytest.fixture
def make_user(db):
    counter = iter(range(1, 10_000))

    def make(**kw):
        n = next(counter)
        kw.setdefault("email", f"user{n}@example.com")
        kw.setdefault("name", f"User {n}")
        return User.objects.create_user(password=PASSWORD, **kw)

    return make


@pytest.fixture
def user(make_user):
    return make_user(name="Alice", email="alice@example.com")


@pytest.fixture
def other(make_user):
    return make_user(name="Bob", email="bob@example.com")


@pytest.fixture
def signed_in(client, user):
    """A client holding Alice's cookies, obtained through the real login endpoint."""
    r = client.post("/api/auth/login", {"email": user.email, "password": PASSWORD}, format="json")
    assert r.status_code == 200
    return client


@pytest.fixture
def login():
    def do(u):
        c = APIClient()
        r = c.post("/api/auth/login", {"email": u.email, "password": PASSWORD}, format="json")
        assert r.status_code == 200, r.content
        return c

    return do


@pytest.fixture
def team_of(db):
    def make(owner, *members, name="Team", role=Membership.Role.MEMBER):
        team = services.team_create(owner=owner, name=name)
        for m in members:
            Membership.objects.create(team=team, user=m, role=role)
        return team

    return make


@pytest.fixture(scope="session")
def migrated_main_db():
    """Migrate the main database that live server processes use (see tests/support/live.py)."""
    from tests.support.live import manage

    manage("migrate", "--noinput", "-v0")
    return True


@pytest.fixture
def papyrus_server(migrated_main_db):
    """Start live servers: papyrus_server(workers=2, env={...}) → LiveServer (stopped after the test)."""
    from tests.support.live import LiveServer

    started = []

    def start(**kw):
        server = LiveServer(**kw).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def celery_worker_process(migrated_main_db, tmp_path):
    """Start real Celery workers: celery_worker_process(env={...}, queue=..., ...) → a started
    tests.support.celery.CeleryWorker (answering pings), stopped after the test."""
    from tests.support.celery import CeleryWorker

    started = []

    def start(**kw):
        kw.setdefault("log", tmp_path / f"celery-worker-{len(started)}.log")
        worker = CeleryWorker(**kw).start()
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


@pytest.fixture(scope="session")
def moto_s3(tmp_path_factory):
    """moto's S3 server (a real HTTP S3 endpoint) for the session → its endpoint URL."""
    from tests.support.moto import MotoServer

    server = MotoServer(log=tmp_path_factory.mktemp("moto") / "moto.log").start()
    yield server.url
    server.stop()


@pytest.fixture
def redis_database():
    """A database of the suite's Redis for this test alone (tests/support/redis_db.py)."""
    from tests.support import redis_db

    database = redis_db.take()
    yield database
    redis_db.give_back(database)
