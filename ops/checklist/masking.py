"""Keep secrets out of checklist output: URL passwords (ops.logging's rule), DSN keys, configured values."""
from urllib.parse import urlsplit, urlunsplit

from ops.logging.masking import mask_url_passwords


def mask_url(url: str) -> str:
    """`redis://:pw@host:6379/0` → `redis://:***@host:6379/0`; URLs without a password are unchanged."""
    return mask_url_passwords(url, "***")


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
