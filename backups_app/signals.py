"""Signals other apps connect to (backups_app imports none of them).

restore_committed(sender="backups_app", name=<backup name>): the live data was replaced by a
restore. Sent once the restore's transaction committed, and again by `backup recover` for a
restore whose restorer died after COMMIT. Receivers drop whatever they derived from the old data
(e.g. response caches); a receiver that raises leaves the restore marked 'committed' so that the
next `backup recover` (or the periodic settle task) sends the signal again.
"""
from django.dispatch import Signal

restore_committed = Signal()
