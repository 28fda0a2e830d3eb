"""Real processes: Celery worker and beat, the granian server, and the admin in headless Chromium."""
import pytest
from playwright.sync_api import expect, sync_playwright

from tests.support.celery import CeleryWorker
from tests.support.http import Http
from tests.support.live import LiveServer
from tests.support.wait import wait_until

from . import support

ADMIN_EMAIL, ADMIN_PASSWORD = "ops@example.com", "Backup-Admin-1!"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync"]


def _rows(db: str) -> list[tuple]:
    with support.admin_conn(db) as conn:
        return conn.execute("SELECT name, status, kind, restore_status FROM backups_app_backup ORDER BY name").fetchall()


@pytest.fixture
def stack(live_db, tmp_path):
    """A superuser, a Celery worker and a live server against this test's own database."""
    db, env = live_db
    # BACKUP_ENABLED: the scheduled tasks do their work on this worker once a beat sends them.
    env = {**env, "RATE_LIMIT_ENABLED": "false", "DJANGO_SUPERUSER_PASSWORD": ADMIN_PASSWORD,
           "BACKUP_ENABLED": "true"}
    support.manage(env, "createsuperuser", "--noinput", "--email", ADMIN_EMAIL, "--name", "Ops")
    worker = CeleryWorker(env=env, log=tmp_path / "worker.log", name="backups").start()
    server = LiveServer(workers=1, env=env, log=tmp_path / "server.log").start()
    yield db, env, server, tmp_path
    server.stop()
    worker.stop()


def test_api_backup_runs_on_a_worker_and_beat_schedules_one(stack):
    db, env, server, tmp_path = stack
    http = Http()  # statusUrl is absolute
    assert http.call("POST", server.url + "/api/auth/login", {"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})[0] == 200
    status, _, body = http.call("POST", server.url + "/api/admin/backup", {})
    assert status == 202
    done = wait_until(lambda: http.call("GET", body["statusUrl"])[2]["status"] == "success",
                            timeout=90, what="the queued backup to finish on the worker")
    assert done

    beat = support.celery_beat({**env, "BACKUP_SCHEDULE": "* * * * *"}, tmp_path / "beat.log",
                               tmp_path / "beat-schedule")
    try:
        wait_until(lambda: any(r[1] == "success" and r[2] == "scheduled" for r in _rows(db)),
                         timeout=150, interval=1, what="beat's one-minute schedule to produce a backup")
    finally:
        beat.stop()
    listed = support.manage(env, "backup", "list").stdout
    assert len([line for line in listed.splitlines() if "success" in line]) >= 2


def test_admin_list_back_up_now_and_restore_with_confirmation(stack, artifacts):
    db, env, server, _ = stack
    support.seed(db, pages=8)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page()
        page.goto(server.url + "/admin/login/?next=/admin/backups_app/backup/")
        page.fill("#id_username", ADMIN_EMAIL)
        page.fill("#id_password", ADMIN_PASSWORD)
        page.click("input[type=submit]")
        expect(page.locator("#backup-now")).to_be_visible()
        page.screenshot(path=str(artifacts / "01-list-empty.png"), full_page=True)

        page.click("#backup-now")
        expect(page.locator(".messagelist")).to_contain_text("queued")
        wait_until(lambda: any(r[1] == "success" for r in _rows(db)), timeout=90,
                         what="the admin's backup to finish")
        seeded = support.snapshot(db)  # after sign-in (last_login): the state the backup holds
        page.reload()
        name = _rows(db)[0][0]
        row = page.locator("#result_list tr", has_text=name)
        expect(row).to_contain_text("Success")
        expect(row).to_contain_text("local")
        page.screenshot(path=str(artifacts / "02-list-after-backup.png"), full_page=True)

        support.change(db)
        row.get_by_role("link", name="Restore…").click()
        expect(page.locator("#restore-form")).to_be_visible()
        page.fill("#id_confirm_name", "backup_1999-01-01_000000.sql.gz")
        page.click("#confirm-restore")
        expect(page.locator(".errorlist")).to_contain_text("does not match")
        page.screenshot(path=str(artifacts / "03-restore-confirmation-refused.png"), full_page=True)
        assert support.snapshot(db) != seeded

        page.fill("#id_confirm_name", name)
        page.click("#confirm-restore")
        expect(page.locator(".messagelist")).to_contain_text(f"Restore of {name} queued")
        wait_until(lambda: dict((r[0], r[3]) for r in _rows(db)).get(name) == "success", timeout=120,
                         what="the restore to finish on the worker")
        assert support.snapshot(db) == seeded
        page.reload()
        expect(page.locator("#result_list tr", has_text=name)).to_contain_text("Success")
        page.screenshot(path=str(artifacts / "04-list-after-restore.png"), full_page=True)
        browser.close()
