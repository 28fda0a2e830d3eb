"""Exceptions with messages meant for operators (CLI, API, admin show them as they are)."""


class BackupError(RuntimeError):
    """A backup operation failed; the message says what happened and what state things are in."""


class BackupNotFound(BackupError):
    """No backup of that name exists locally, in the database or in S3."""


class Busy(BackupError):
    """Another backup or restore holds the lock."""


class ReservationLost(Busy):
    """A queued create or restore found its reservation of the lock gone (expired before a worker took it)."""
