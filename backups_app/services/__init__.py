"""Writes, one module per verb: create, restore, recover, verify, retention, drill, pages.

Commands, Celery tasks, the API and the admin call these. One backup, restore or cleanup at a time
across all processes (lock.exclusive); drills only mark their file in use. Every failure raises a
BackupError subclass with a message meant for people. Nothing here imports tasks (queue.py does).
"""
from ..errors import BackupError, BackupNotFound, Busy
from .create import backup_create
from .drill import backup_drill
from .fetch import ChecksumRefused
from .pages import backup_restore_pages
from .recover import backup_recover, settle_if_interrupted
from .restore import backup_restore
from .retention import backup_cleanup
from .verify import backup_verify

__all__ = ["BackupError", "BackupNotFound", "Busy", "ChecksumRefused", "backup_cleanup", "backup_create",
           "backup_drill", "backup_recover", "backup_restore", "backup_restore_pages", "backup_verify",
           "settle_if_interrupted"]
