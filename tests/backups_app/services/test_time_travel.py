"""Page time travel: pages come back from a backup as new revisions; nothing else changes."""
from pathlib import Path

import pytest

from .. import support


def _page(db: str, slug: str) -> tuple:
    with support.admin_conn(db) as conn:
        return conn.execute("SELECT id, title, content, folder, deleted_at FROM wiki_page WHERE slug = %s",
                            (slug,)).fetchone()


def _revisions(db: str, page_id: int) -> list[tuple]:
    with support.admin_conn(db) as conn:
        return conn.execute("SELECT number, title, content FROM wiki_pagerevision WHERE page_id = %s ORDER BY number",
                            (page_id,)).fetchall()


def _scratch_databases() -> list[str]:
    with support.admin_conn() as conn:
        return [r[0] for r in conn.execute("SELECT datname FROM pg_database WHERE datname LIKE '%%_drill_%%'")]


def test_pages_come_back_as_new_revisions_and_the_rest_keeps_todays_content(live_db):
    db, env = live_db
    support.seed(db)
    with support.admin_conn(db) as conn:
        conn.execute("UPDATE wiki_page SET folder = 'notes' WHERE slug IN ('page-5', 'page-6')")
    support.manage(env, "backup", "create")
    name = next(Path(env["BACKUP_DIR"]).glob("backup_*.sql.gz")).name
    then = {slug: _page(db, slug) for slug in ("page-1", "page-3", "page-4", "page-5", "page-6")}
    with support.admin_conn(db) as conn:
        conn.execute("UPDATE wiki_page SET title = 'Vandalised', content = 'gone' WHERE slug IN "
                     "('page-1', 'page-3', 'page-5', 'page-6')")
        conn.execute("UPDATE wiki_page SET deleted_at = now() WHERE slug = 'page-4'")
    today = support.snapshot(db)

    one, deleted = then["page-1"][0], then["page-4"][0]
    result = support.manage(env, "backup", "restore-page", f"--file={name}", f"--page={one}", f"--page={deleted}")
    assert f"page(s) {one}, {deleted}" in result.stdout
    assert _page(db, "page-1")[1:3] == then["page-1"][1:3]
    assert _revisions(db, one)[-1][1:] == ("Vandalised", "gone")  # today's version kept in the history
    assert _page(db, "page-4")[4] is None and _page(db, "page-4")[1:3] == then["page-4"][1:3]
    assert _page(db, "page-3")[1:3] == ("Vandalised", "gone")  # not asked for: untouched

    support.manage(env, "backup", "restore-page", f"--file={name}", "--folder=notes")
    assert _page(db, "page-5")[1:3] == then["page-5"][1:3] and _page(db, "page-6")[1:3] == then["page-6"][1:3]
    after = support.snapshot(db)
    for table in ("accounts_user", "wiki_team", "django_migrations"):
        assert after[table] == today[table]
    assert len(after["wiki_page"]) == len(today["wiki_page"])
    assert len(after["wiki_pagerevision"]) == len(today["wiki_pagerevision"]) + 4
    assert _scratch_databases() == []


@pytest.mark.parametrize("args,message", [(["--page=987654"], "not in backup"),
                                          ([], "name the pages to bring back")])
def test_unknown_pages_are_refused_and_nothing_is_written(live_db, args, message):
    db, env = live_db
    support.seed(db)
    support.manage(env, "backup", "create")
    name = next(Path(env["BACKUP_DIR"]).glob("backup_*.sql.gz")).name
    before = support.snapshot(db)
    refused = support.manage(env, "backup", "restore-page", f"--file={name}", *args, check=False)
    assert refused.returncode != 0 and message in refused.stderr
    assert support.snapshot(db) == before and _scratch_databases() == []
