"""A create or restore takes the backup lock when it is accepted, and its worker takes it over (issue 28.4).

Two requests at once: one 202, one 409 at once. The queued task runs under the reserved lock (handed
over, never released in between); a reservation no worker claims expires, and its late task is refused.
"""
import threading
import uuid

import pytest
from django.urls import reverse

from backups_app import lock, services
from backups_app.errors import Busy, ReservationLost
from backups_app.models import Backup
from tests.support.celery import CeleryWorker
from tests.support.http import Http
from tests.support.live import LiveServer
from tests.support.wait import wait_until

from . import support

ADMIN_EMAIL, ADMIN_PASSWORD = "queue-ops@example.com", "Backup-Admin-1!"
KNOWN = "backup_2026-01-01_000000.sql.gz"


@pytest.fixture
def isolated(settings, tmp_path):
    settings.BACKUP_DIR = str(tmp_path / "backups")
    settings.BACKUP_REDIS_PREFIX = f"test-{uuid.uuid4().hex[:8]}:"
    support.no_s3(settings)


@pytest.fixture
def staff(isolated, make_user, login):
    return login(make_user(is_staff=True, is_superuser=True))


# --- in one process: the lock itself, the API and the admin --------------------------------------


def test_a_reservation_is_taken_over_without_a_gap_and_a_lost_one_is_refused(isolated):
    token = lock.reserve("backup")
    assert lock.current_holder() == token and "queued" in token
    with pytest.raises(Busy):
        lock.reserve("restore of x")
    with lock.exclusive("backup", reservation=token):
        assert lock.current_holder().startswith("backup by ")  # the worker's own name, for the dead-holder check
        with pytest.raises(Busy):
            lock.reserve("backup")
    assert lock.current_holder() is None
    with pytest.raises(ReservationLost, match="BACKUP_QUEUE_TIMEOUT"):  # spent: nobody runs it twice
        with lock.exclusive("backup", reservation=token):
            pass
    other = lock.reserve("backup")
    with pytest.raises(ReservationLost):  # someone else's reservation is not taken over either
        with lock.exclusive("backup", reservation=token):
            pass
    assert lock.current_holder() == other


@pytest.mark.django_db
def test_the_api_holds_the_lock_from_acceptance_so_a_second_request_is_409(staff):
    Backup.objects.create(name=KNOWN, status="success", sha256="0" * 64, size=1)
    first = staff.post("/api/admin/backup/restore", {"file": KNOWN, "confirm": True}, format="json")
    assert first.status_code == 202
    assert lock.current_holder().startswith(f"restore of {KNOWN} queued")
    for url, body in (("/api/admin/backup/restore", {"file": KNOWN, "confirm": True}), ("/api/admin/backup", {})):
        second = staff.post(url, body, format="json")
        assert second.status_code == 409 and "running" in second.json()["message"], second.content


@pytest.mark.django_db
def test_the_admins_back_up_now_holds_the_lock_too(isolated, make_user, client):
    client.force_login(make_user(is_staff=True, is_superuser=True))
    url = reverse("admin:backups_app_backup_now")
    first = client.post(url, follow=True)
    assert "queued" in first.content.decode() and lock.current_holder().startswith("backup queued")
    second = client.post(url, follow=True)
    assert "another backup or restore is running (backup queued" in second.content.decode().lower()
    assert Backup.objects.count() == 1


@pytest.mark.django_db
def test_a_reservation_no_worker_takes_expires_and_its_late_task_is_refused(staff, settings):
    settings.BACKUP_QUEUE_TIMEOUT = 1
    accepted = staff.post("/api/admin/backup", {}, format="json")
    assert accepted.status_code == 202
    token = lock.current_holder()
    wait_until(lambda: lock.current_holder() is None, "the unclaimed reservation to expire", timeout=30)
    assert staff.post("/api/admin/backup", {}, format="json").status_code == 202  # not blocked for ever

    with pytest.raises(ReservationLost):
        services.backup_create(name=accepted.json()["name"], reservation=token)
    row = Backup.objects.get(name=accepted.json()["name"])
    assert row.status == "failed" and "BACKUP_QUEUE_TIMEOUT" in row.error


# --- live: two simultaneous requests, a real worker -------------------------------------------------


@pytest.fixture
def stack(live_db, tmp_path):
    """A superuser, a backup to restore, a live server of two processes; the worker is started by the test."""
    db, env = live_db
    env = {**env, "RATE_LIMIT_ENABLED": "false", "DJANGO_SUPERUSER_PASSWORD": ADMIN_PASSWORD}
    support.manage(env, "createsuperuser", "--noinput", "--email", ADMIN_EMAIL, "--name", "Ops")
    support.manage(env, "backup", "create")
    server = LiveServer(workers=2, env=env, log=tmp_path / "server.log").start()
    workers = []

    def start_worker():
        workers.append(CeleryWorker(env=env, log=tmp_path / f"worker-{len(workers)}.log", name="queue").start())

    yield db, env, server, start_worker
    server.stop()
    for worker in workers:
        worker.stop()


def _staff(server) -> Http:
    http = Http(server.url)
    assert http.call("POST", "/api/auth/login", {"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})[0] == 200
    return http


def _at_once(server, calls):
    """Send each (method, path, body) from its own thread and signed-in client, released together."""
    clients = [_staff(server) for _ in calls]
    barrier, replies = threading.Barrier(len(calls)), [None] * len(calls)

    def send(i):
        barrier.wait()
        replies[i] = clients[i].call(*calls[i])

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return replies


def _rows(db):
    with support.admin_conn(db) as conn:
        return {name: (status, restore) for name, status, restore in conn.execute(
            "SELECT name, status, restore_status FROM backups_app_backup")}


def test_two_restores_at_once_one_is_accepted_and_runs_under_the_lock(stack):
    db, _, server, start_worker = stack
    start_worker()
    (name,) = _rows(db)
    restore = ("POST", "/api/admin/backup/restore", {"file": name, "confirm": True})
    replies = _at_once(server, [restore, restore])
    assert sorted(status for status, _, _ in replies) == [202, 409], replies
    refused = next(body for status, _, body in replies if status == 409)
    assert "running" in refused["message"]
    wait_until(lambda: _rows(db)[name][1] == "success", "the accepted restore to finish on the worker", timeout=120)

    replies = _at_once(server, [("POST", "/api/admin/backup", {}), ("POST", "/api/admin/backup", {}), restore])
    assert sorted(status for status, _, _ in replies) == [202, 409, 409], replies
    accepted = next(body for status, _, body in replies if status == 202)
    done = accepted.get("name") or accepted.get("file")
    wait_until(lambda: "success" in _rows(db)[done], "the accepted one to finish", timeout=120)
    # right after a restore the sign-in itself may still be refused (maintenance ends just after the row says
    # success): retried like the backup request
    wait_until(lambda: _staff(server).call("POST", "/api/admin/backup", {})[0] == 202,
               "the lock to be free once it finished", timeout=30, ignore=(AssertionError,))


def test_accepted_with_no_worker_the_lock_waits_for_it_and_the_worker_takes_it_over(stack):
    db, env, server, start_worker = stack
    http = _staff(server)
    status, _, queued = http.call("POST", "/api/admin/backup", {})
    assert status == 202
    # No worker yet: the reservation holds the lock, for the API and for the CLI alike.
    assert http.call("POST", "/api/admin/backup", {})[0] == 409
    refused = support.manage(env, "backup", "create", check=False)
    assert refused.returncode != 0 and "queued" in refused.stdout + refused.stderr
    start_worker()
    wait_until(lambda: _rows(db)[queued["name"]][0] == "success", "the queued backup to run on the worker",
               timeout=120)
    assert http.call("POST", "/api/admin/backup", {})[0] == 202
