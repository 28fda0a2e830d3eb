"""One masking policy for log records and Sentry events.

Keys that name a secret (password, token, secret, authorization, cookie, api_key, access or
refresh tokens, DSNs, AWS keys...) have their value replaced at any depth, lists included.
Inside free text, bearer credentials, JWT-shaped strings, `password=...`-style pairs, URL
passwords and AWS access key ids are replaced.
"""
import re

MASK = "[REDACTED]"

_SENSITIVE_KEY = re.compile(
    r"passw|passwd|pwd|secret|token|authori[sz]ation|cookie|api[-_]?key|apikey|access[-_]?key"
    r"|private[-_]?key|credential|dsn|sessionid|session[-_]id|csrf|signature",
    re.IGNORECASE,
)
# scheme://user:password@host, whatever the scheme (postgres, redis, https...): group 1 ends at the colon.
URL_PASSWORD = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^/\s:@]*:)([^@\s/]+)@")
# (pattern, replacement, needles): a rule runs only on text whose lower-cased form contains one of
# its needles — a necessary condition for a match (checked for ASCII text only, where re.IGNORECASE
# is exactly lower()), so most strings cost a few substring tests instead of five regex scans.
_TEXT_RULES = (
    # Authorization header values: "Bearer <token>", "Basic <b64>", "Token <key>"
    (re.compile(r"\b(Bearer|Basic|Token|JWT)(\s+)[A-Za-z0-9\-._~+/]+=*", re.IGNORECASE), r"\1\2" + MASK,
     ("bearer", "basic", "token", "jwt")),
    # JWT-shaped strings anywhere (header.payload.signature, base64url)
    (re.compile(r"\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*"), MASK, ("eyj",)),
    # key=value / "key": "value" pairs whose key names a secret. The match starts at the secret's
    # name (not at the start of the word around it): the same text is replaced, without the
    # quadratic backtracking a leading [\w.-]* costs on long words.
    (re.compile(
        r"""(?i)((?:passw|passwd|pwd|secret|token|api[-_]?key|apikey|access[-_]?key|authorization"""
        r"""|cookie|credential|dsn|sessionid|csrf)[\w.-]*["']?\s*[:=]\s*["']?)([^"'\s,;&}\]]+)"""),
     r"\1" + MASK,
     ("passw", "pwd", "secret", "token", "api", "access", "authorization", "cookie", "credential", "dsn",
      "sessionid", "csrf")),
    # scheme://user:password@host (database URLs, old-style Sentry DSNs with a secret key)
    (URL_PASSWORD, r"\1" + MASK + "@", ("://",)),
    # AWS access key ids
    (re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"), MASK, ("akia", "asia")),
)
_key_cache: dict = {}


def is_sensitive_key(key) -> bool:
    """True when a mapping key names a secret (cached: the same keys recur)."""
    try:
        return _key_cache[key]
    except KeyError:
        found = isinstance(key, str) and bool(_SENSITIVE_KEY.search(key))
        if len(_key_cache) < 4096:
            _key_cache[key] = found
        return found
    except TypeError:  # unhashable key
        return False


def mask_text(text: str) -> str:
    """Replace credentials found inside free text."""
    lowered = text.lower() if text.isascii() else None
    for pattern, replacement, needles in _TEXT_RULES:
        if lowered is None or any(needle in lowered for needle in needles):
            text = pattern.sub(replacement, text)
    return text


def mask_url_passwords(text: str, replacement: str = MASK) -> str:
    """`redis://:pw@host/0` → `redis://:<replacement>@host/0` for every URL in `text`; others unchanged."""
    return URL_PASSWORD.sub(lambda m: f"{m.group(1)}{replacement}@", text or "")


def mask(value):
    """A copy of `value` with secrets masked in dicts, lists, tuples and strings at any depth."""
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, dict):
        return {k: (MASK if is_sensitive_key(k) and v is not None else mask(v)) for k, v in value.items()}
    if type(value) in (list, tuple, set, frozenset):  # exact types: namedtuples keep their shape
        return type(value)(mask(v) for v in value)
    if isinstance(value, bytes):
        return mask_text(value.decode("utf-8", "replace"))
    return value
