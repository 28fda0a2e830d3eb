"""Keep secrets out of checklist output: URL passwords, DSN keys and configured secret values."""
import re
from urllib.parse import urlsplit, urlunsplit

# scheme://user:password@host  → the password part, whatever the scheme (postgres, redis, https...).
URL_PASSWORD = re.compile(r"(?P<head>[a-zA-Z][a-zA-Z0-9+.-]*://[^:/@\s]*):(?P<password>[^@\s/]+)@")


def mask_url(url: str) -> str:
    """`redis://:pw@host:6379/0` → `redis://:***@host:6379/0`; URLs without a password are unchanged."""
    return URL_PASSWORD.sub(lambda m: f"{m.group('head')}:***@", url or "")


def mask_dsn(dsn: str) -> str:
    """A Sentry DSN with its key shortened and any secret key hidden: `https://abcd…@host/42`."""
    parts = urlsplit(dsn)
    if not parts.username:
        return mask_url(dsn)
    host = parts.hostname or ""
    if parts.port:
        host += f":{parts.port}"
    return urlunsplit((parts.scheme, f"{parts.username[:4]}…@{host}", parts.path, parts.query, ""))


def scrub(text: str, secrets: list[str]) -> str:
    """`text` with URL passwords masked and every secret value replaced by `***`."""
    text = mask_url(str(text))
    for value in sorted(secrets, key=len, reverse=True):
        text = text.replace(value, "***")
    return text
