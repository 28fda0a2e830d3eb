"""Backup file names: the only strings ever turned into a path or an S3 key."""
import re
from datetime import datetime, timedelta

NAME_RE = re.compile(r"\Abackup_\d{4}-\d{2}-\d{2}_\d{6}\.sql\.gz(\.age)?\Z")
NAME_FORMAT = "backup_%Y-%m-%d_%H%M%S.sql.gz"
ENCRYPTED = ".age"  # age-encrypted: backup_YYYY-MM-DD_HHMMSS.sql.gz.age
PATTERN = "backup_*.sql.gz*"  # a glob for both kinds (filter with is_valid)


class InvalidName(ValueError):
    """The string is not a backup name (paths, `..`, NUL bytes and the like never are)."""


def validate(name) -> str:
    """Return `name` when it matches backup_YYYY-MM-DD_HHMMSS.sql.gz exactly, else raise InvalidName."""
    if not isinstance(name, str) or not NAME_RE.match(name):
        raise InvalidName("expected a name like backup_2026-02-01_020000.sql.gz (or .sql.gz.age)")
    try:
        taken_at(name)
    except ValueError as exc:
        raise InvalidName("the name's date is not a real date") from exc
    return name


def is_valid(name) -> bool:
    try:
        validate(name)
    except InvalidName:
        return False
    return True


def for_time(moment: datetime) -> str:
    return moment.strftime(NAME_FORMAT)


def taken_at(name: str) -> datetime:
    """The UTC time encoded in a valid name (naive datetime)."""
    return datetime.strptime(name.removesuffix(ENCRYPTED), NAME_FORMAT)


def is_encrypted(name: str) -> bool:
    return name.endswith(ENCRYPTED)


def next_free(moment: datetime, taken, *, encrypted: bool = False) -> str:
    """A name for `moment`, moved on by whole seconds while `taken(name)` says it is used."""
    suffix = ENCRYPTED if encrypted else ""
    name = for_time(moment) + suffix
    while taken(name):
        moment += timedelta(seconds=1)
        name = for_time(moment) + suffix
    return name


def manifest_name(name: str) -> str:
    return name + ".json"
