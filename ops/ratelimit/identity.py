"""Who a request counts against: the signed-in user, the client IP, or a body field."""
from __future__ import annotations

import hashlib
import json
import re
from urllib.parse import parse_qs

from django.core.exceptions import RequestDataTooBig
from django.utils.functional import empty

from ops import requestfacts

from . import rules

MAX_BODY_FOR_KEYS = 64 * 1024  # larger bodies are not parsed for key fields


def client_ip(request) -> str:
    """The client address under the one policy of ops.requestfacts (TRUSTED_PROXIES)."""
    return requestfacts.client_ip(request)


def user_id(request) -> str | None:
    """The signed-in user's id: a session user, else the first RATELIMIT_USER_RESOLVERS answer."""
    user = session_user(request)
    if user is not None:
        return str(user.pk)
    for resolve in rules.user_resolvers():
        found = resolve(request)
        if found is not None:
            return str(found)
    return None


def session_user(request):
    """`request.user` when signed in, else None — without loading a user that cannot be there.

    AuthenticationMiddleware's `request.user` is lazy; evaluating it costs a session and auth-backend
    lookup on every request. A request whose session has no key (no session cookie) has no session
    user, so the lazy object is left unevaluated (the view may still evaluate it).
    """
    user = getattr(request, "user", None)
    if user is None:
        return None
    if getattr(user, "_wrapped", None) is empty:  # django.utils.functional.SimpleLazyObject, not yet set up
        session = getattr(request, "session", None)
        if session is not None and session.session_key is None:
            return None
    return user if user.is_authenticated else None


def body_field(request, field: str) -> str | None:
    """A field of a JSON or form body, normalised (stripped, lower-cased), or None."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None
    if not 0 < length <= MAX_BODY_FOR_KEYS:
        return None
    try:
        body = request.body
    except (RequestDataTooBig, OSError):
        return None
    value = _json_field(body, field) if "json" in request.content_type else _form_field(body, field)
    return value.strip().lower() if isinstance(value, str) and value.strip() else None


MAX_JSON_DEPTH = 32  # deeper bodies are not parsed: json.loads recurses once per level
_JSON_TOKENS = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def _json_field(body: bytes, field: str):
    if not _depth_within(body, MAX_JSON_DEPTH):
        return None
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):  # too deep is malformed, not a 500
        return None
    return data.get(field) if isinstance(data, dict) else None


def _depth_within(body: bytes, limit: int) -> bool:
    """Whether the JSON text nests at most `limit` levels: one linear pass, no recursion.

    Strings are skipped whole (a bracket inside one does not count); malformed text is left to
    json.loads to refuse.
    """
    depth = 0
    for token in _JSON_TOKENS.finditer(body):
        char = token.group()[:1]
        if char in (b"[", b"{"):
            depth += 1
            if depth > limit:
                return False
        elif char in (b"]", b"}"):
            depth -= 1
    return True


def _form_field(body: bytes, field: str):
    values = parse_qs(body.decode("latin-1")).get(field)
    return values[0] if values else None


_KEYS: dict[tuple[str, str], str] = {}  # (rule, identity) → bucket key: hashed once per process
_KEYS_MAX = 10_000


def bucket_key(rule_name: str, ident: str) -> str:
    """`rl:<rule>:<blake2b of the identity>` (no PII in Redis), remembered for the next request."""
    found = _KEYS.get((rule_name, ident))
    if found is None:
        if len(_KEYS) >= _KEYS_MAX:
            _KEYS.clear()
        digest = hashlib.blake2b(ident.encode(), digest_size=12).hexdigest()
        found = _KEYS[rule_name, ident] = f"rl:{rule_name}:{digest}"
    return found


def request_keys(request, rule: rules.Rule) -> list[tuple[str, str]]:
    """(bucket key, rule key) for each budget this request counts against under `rule` (identities
    hashed: no PII in Redis). A key naming a body field the request lacks is skipped."""
    keys = []
    for kind in rule.keys:
        parts = [_identity(request, part) for part in kind.split("+")]
        if None in parts:
            continue
        keys.append((bucket_key(rule.name, "|".join(parts)), kind))
    return keys


def _identity(request, kind: str) -> str | None:
    if kind == "client":
        uid = user_id(request)
        return f"user:{uid}" if uid is not None else f"ip:{client_ip(request)}"
    if kind == "ip":
        return f"ip:{client_ip(request)}"
    value = body_field(request, kind[5:])
    return None if value is None else f"{kind}:{value}"
