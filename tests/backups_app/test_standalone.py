"""backups_app installs and works in a Django project with nothing of Papyrus beside it: it backs up
and restores a bare project's database, keeping what that project's settings say to keep."""
import os
import re

from tests.support.live import ROOT
from tests.support.standalone import run_standalone

from . import support

SCRIPT = """
import django
django.setup()
from django.core.management import call_command
call_command("migrate", "--noinput", "-v0")
call_command("check", fail_level="WARNING")
from django.contrib.auth.models import Group, User
from backups_app.services import backup_create, backup_restore
from backups_app import loader

User.objects.create_user("kept", password="before")
User.objects.create_user("staff", password="x", is_staff=True)
backup = backup_create()
kept = User.objects.get(username="kept")
kept.set_password("after")
kept.save()
User.objects.filter(username="staff").update(is_staff=False)
User.objects.create_user("gone", password="x")
Group.objects.create(name="live")

post = loader.swap_sql("30s")[1]
assert "auth_group" in post and "auth_user" in post, post
backup_restore(name=backup.name, skip_preflight=True)

assert sorted(User.objects.values_list("username", flat=True)) == ["kept", "staff"]
assert User.objects.get(username="kept").check_password("after")  # the live password stays
assert not User.objects.get(username="staff").is_staff  # access taken away stays away
assert list(Group.objects.values_list("name", flat=True)) == ["live"]  # BACKUP_KEPT_MODELS
"""


def test_backups_app_runs_without_papyrus(tmp_path, redis_database):
    name = support.unique("standalone_bk")
    support.create_database(name)
    try:
        env = {"DJANGO_SETTINGS_MODULE": "tests.backups_app.settings", "PATH": os.environ["PATH"],
               "DATABASE_URL": support.db_url(name), "REDIS_URL": redis_database.url,
               "BACKUP_DIR": str(tmp_path / "backups")}
        run_standalone(SCRIPT, env=env, forbidden=("papyrus",), timeout=180)
    finally:
        support.drop_database(name)


def test_backups_app_names_nothing_of_papyrus():
    """Papyrus' tables and names come from its settings; the app's source (migrations aside) has none."""
    named = re.compile(r"papyrus|accounts_|\bwiki_", re.I)
    found = [f"{path.relative_to(ROOT)}:{number}" for path in sorted((ROOT / "backups_app").rglob("*.py"))
             if "migrations" not in path.parts
             for number, line in enumerate(path.read_text().splitlines(), 1) if named.search(line)]
    assert found == []
