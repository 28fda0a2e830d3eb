"""Page time travel: bring single pages back from a backup opened in a scratch database."""
from __future__ import annotations

import logging

from .. import conf, in_use, names, pg
from ..errors import BackupError
from .drill import scratch_database
from .fetch import fetch_verified

log = logging.getLogger("backups_app.services")




def backup_restore_pages(*, name: str, page_ids=(), folder: str = "", progress=None) -> dict:
    """Bring pages (by id, or every page of `folder`) back from backup `name` as new revisions of
    the live pages, touching nothing else. The backup is loaded into a scratch database, never the
    live one; the project's BACKUP_PAGE_RESTORER reads it there and writes the live pages.
    Returns what the restorer reports ({"restored": [ids], "missing": [ids]})."""
    names.validate(name)
    if not page_ids and not folder:
        raise BackupError("name the pages to bring back (--page=ID, repeatable, or --folder=NAME)")
    restorer = conf.page_restorer()
    with in_use.using(name):
        path, _ = fetch_verified(name, operation="restore")
        with scratch_database(path, progress, phase="time travel") as (scratch, _):
            with pg.raw_connection(database=scratch) as conn:
                try:
                    result = restorer(cursor=conn.cursor(), page_ids=list(page_ids), folder=folder, source=name)
                except ValueError as exc:  # the restorer's "not in this backup": nothing was written
                    raise BackupError(str(exc)) from exc
    log.info("backups: pages %s brought back from %s", result.get("restored"), name)
    return result
