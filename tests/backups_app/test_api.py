"""Admin API: staff only, strict names, nothing touched outside the backup store."""
import gzip
import hashlib
import json
import uuid
from pathlib import Path

import pytest
import redis
from rest_framework.test import APIClient

from backups_app import lock
from backups_app.models import Backup

from . import support

VALID_UNKNOWN = "backup_2026-01-01_000000.sql.gz"


@pytest.fixture(autouse=True)
def isolated(settings, tmp_path):
    settings.BACKUP_DIR = str(tmp_path / "backups")
    settings.BACKUP_REDIS_PREFIX = f"test-{uuid.uuid4().hex[:8]}:"
    support.no_s3(settings)
    return tmp_path


@pytest.fixture
def staff(make_user, login):
    return login(make_user(is_staff=True, is_superuser=True))


@pytest.fixture
def member(make_user, login):
    return login(make_user())


ENDPOINTS = [("post", "/api/admin/backup", {}), ("get", "/api/admin/backups", None),
             ("get", f"/api/admin/backups/{VALID_UNKNOWN}", None),
             ("get", f"/api/admin/backups/{VALID_UNKNOWN}/preflight", None),
             ("post", "/api/admin/backup/restore", {"file": VALID_UNKNOWN, "confirm": True})]


@pytest.mark.django_db
@pytest.mark.parametrize("method,url,body", ENDPOINTS)
def test_anonymous_gets_401_and_members_403(method, url, body, member):
    anonymous = getattr(APIClient(), method)(url, body, format="json")
    assert anonymous.status_code == 401 and "message" in anonymous.json()
    signed_in = getattr(member, method)(url, body, format="json")
    assert signed_in.status_code == 403 and "message" in signed_in.json()


@pytest.mark.django_db
def test_staff_queues_a_backup_and_follows_its_status_url(staff):
    response = staff.post("/api/admin/backup", {}, format="json")
    assert response.status_code == 202
    body = response.json()
    assert body["name"].startswith("backup_") and body["statusUrl"].endswith(f"/api/admin/backups/{body['name']}")
    assert Backup.objects.get(name=body["name"]).status == "pending"
    status = staff.get(body["statusUrl"])
    assert status.status_code == 200 and status.json()["status"] == "pending"
    listed = staff.get("/api/admin/backups").json()
    assert [b["name"] for b in listed] == [body["name"]]


@pytest.mark.django_db
def test_backup_refused_with_409_while_another_runs(staff):
    with lock.exclusive("test"):
        response = staff.post("/api/admin/backup", {}, format="json")
    assert response.status_code == 409 and "running" in response.json()["message"]


@pytest.mark.django_db
def test_restore_of_a_known_backup_is_accepted(staff, isolated):
    Backup.objects.create(name=VALID_UNKNOWN, status="success", sha256="0" * 64, size=1)
    response = staff.post("/api/admin/backup/restore", {"file": VALID_UNKNOWN, "confirm": True}, format="json")
    assert response.status_code == 202 and response.json()["file"] == VALID_UNKNOWN
    assert Backup.objects.get(name=VALID_UNKNOWN).restore_status == "queued"


ATTACKS = ["../../etc/passwd", "/etc/passwd", "..", "backup_2026-01-01_000000.sql.gz\x00.txt",
           "backup_2026-01-01_000000.sql.gz/../../x", "backup_2026-13-01_000000.sql.gz", "backup_latest.sql.gz",
           "BACKUP_2026-01-01_000000.SQL.GZ", " backup_2026-01-01_000000.sql.gz", "%2e%2e%2fetc"]


@pytest.mark.django_db
@pytest.mark.parametrize("name", ATTACKS)
def test_restore_rejects_anything_but_a_backup_name(staff, isolated, name):
    outside = isolated / "secret.txt"
    outside.write_text("keep")
    before = sorted(p.name for p in isolated.rglob("*"))
    response = staff.post("/api/admin/backup/restore", {"file": name, "confirm": True}, format="json")
    assert response.status_code == 400
    assert "file" in response.json()["errors"]
    assert sorted(p.name for p in isolated.rglob("*")) == before and outside.read_text() == "keep"
    assert not Backup.objects.exists()


@pytest.mark.django_db
def test_restore_needs_confirm_and_a_known_name(staff):
    missing_confirm = staff.post("/api/admin/backup/restore", {"file": VALID_UNKNOWN}, format="json")
    assert missing_confirm.status_code == 400 and "confirm" in missing_confirm.json()["errors"]
    false_confirm = staff.post("/api/admin/backup/restore", {"file": VALID_UNKNOWN, "confirm": False},
                               format="json")
    assert false_confirm.status_code == 400
    unknown = staff.post("/api/admin/backup/restore", {"file": VALID_UNKNOWN, "confirm": True}, format="json")
    assert unknown.status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("path,statuses", [
    ("..%2F..%2Fetc%2Fpasswd", (400, 404)), ("%2Fetc%2Fpasswd", (400, 404)),  # decoded "/" never matches
    ("%00", (400,)), ("backup_2026-01-01_000000.sql.gz%00", (400,)), ("..", (400,)),
    ("backup_2026-02-30_000000.sql.gz", (400,)), (VALID_UNKNOWN, (404,))])
def test_detail_validates_the_name(staff, path, statuses):
    response = staff.get(f"/api/admin/backups/{path}")
    assert response.status_code in statuses
    assert "message" in response.json()


@pytest.mark.django_db
def test_detail_path_traversal_never_reaches_the_view(staff):
    response = staff.get("/api/admin/backups/../../etc/passwd")
    assert response.status_code == 404


@pytest.mark.django_db
def test_staff_sees_no_secret_in_listing(staff, settings):
    support.use_s3(settings, bucket="papyrus-backups", access_key="key-id", secret_key="do-not-show-this-secret")
    Backup.objects.create(name=VALID_UNKNOWN, status="success", sha256="a" * 64, size=10)
    body = staff.get("/api/admin/backups").content.decode()
    assert "do-not-show-this-secret" not in body and VALID_UNKNOWN in body


def _write_backup(directory, name: str, sql: bytes, **manifest) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    data = gzip.compress(sql)
    (directory / name).write_bytes(data)
    (directory / f"{name}.json").write_text(json.dumps(
        {"name": name, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data), "migrations": [], **manifest}))


@pytest.mark.django_db
def test_preflight_endpoint_and_the_admin_confirmation_page_show_each_check(staff, client, make_user, settings):
    directory = Path(settings.BACKUP_DIR)
    _write_backup(directory, VALID_UNKNOWN, b"--\n-- Dumped from database version 18.1\n"
                                            b"-- Dumped by pg_dump version 18.1\n--\n")
    body = staff.get(f"/api/admin/backups/{VALID_UNKNOWN}/preflight").json()
    checks = {c["check"]: c for c in body["checks"]}
    assert body["ok"] is False and body["name"] == VALID_UNKNOWN
    assert checks["pg_version"]["status"] == "block" and checks["pg_version"]["dumpPgDump"] == "18.1"
    assert checks["checksum"]["status"] == "ok" and checks["migrations"]["status"] == "warn"
    assert {"manifest", "checksum", "pg_version", "migrations", "space", "duration", "secrets", "lock"} <= set(checks)

    for hostile in ("..", "backup_2026-13-45_000000.sql.gz", "backup_x.sql.gz%00"):
        assert staff.get(f"/api/admin/backups/{hostile}/preflight").status_code == 400, hostile
    missing = staff.get("/api/admin/backups/backup_2026-01-02_000000.sql.gz/preflight")
    assert missing.status_code == 404 and "message" in missing.json()

    client.force_login(make_user(is_staff=True, is_superuser=True))
    page = client.get(f"/admin/backups_app/backup/{VALID_UNKNOWN}/restore/")
    html = page.content.decode()
    assert page.status_code == 200 and 'id="preflight"' in html
    assert 'class="preflight-block"><td>pg_version</td>' in html and "A check blocks this restore" in html


def _queued_restore_pages(conn) -> list[dict]:
    """kwargs of restore_pages messages waiting in Celery's Redis queue."""
    found = []
    for raw in conn.lrange("celery", 0, -1):
        headers = json.loads(raw)["headers"]
        if headers.get("task") == "backups_app.tasks.restore_pages":
            found.append(headers["kwargsrepr"])
    return found


@pytest.mark.django_db
def test_admin_page_time_travel_form_validates_and_queues(client, make_user, settings):
    conn = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    before = _queued_restore_pages(conn)
    client.force_login(make_user(is_staff=True, is_superuser=True))
    url = f"/admin/backups_app/backup/{VALID_UNKNOWN}/restore-pages/"
    assert client.get(url).status_code == 200
    bad = client.post(url, {"pages": "12, abc", "folder": ""})
    assert bad.status_code == 200 and "Page ids are numbers" in bad.content.decode()
    assert _queued_restore_pages(conn) == before
    done = client.post(url, {"pages": "12, 40", "folder": ""})
    assert done.status_code == 302
    (queued,) = [k for k in _queued_restore_pages(conn) if k not in before]
    assert VALID_UNKNOWN in queued and "[12, 40]" in queued
    for raw in conn.lrange("celery", 0, -1):  # no worker of a later test should run it
        if queued in raw.decode():
            conn.lrem("celery", 1, raw)
