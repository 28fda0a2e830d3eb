"""Who a request counts against: the signed-in user, the client IP, or a body field."""
from __future__ import annotations

import hashlib
import json
import re
from urllib.parse import parse_qs

from django.core.exceptions import RequestDataTooBig

from ops import requestfacts

from . import rules

MAX_BODY_FOR_KEYS = 64 * 1024  # larger bodies are not parsed for key fields


def client_ip(request) -> str:
    """The client address under the one policy of ops.requestfacts (TRUSTED_PROXIES)."""
    return requestfacts.client_ip(request)


def user_id(request) -> str | None:
    """The signed-in user's id: a session user, else the first RATELIMIT_USER_RESOLVERS answer."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return str(user.pk)
    for resolve in rules.user_resolvers():
        found = resolve(request)
        if found is not None:
            return str(found)
    return None


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


def request_keys(request, rule: rules.Rule) -> list[str]:
    """The bucket keys this request counts against under `rule` (identities hashed: no PII in Redis)."""
    keys = []
    for kind in rule.keys:
        if kind == "client":
            uid = user_id(request)
            ident = f"user:{uid}" if uid is not None else f"ip:{client_ip(request)}"
        elif kind == "ip":
            ident = f"ip:{client_ip(request)}"
        else:
            value = body_field(request, kind[5:])
            if value is None:
                continue
            ident = f"{kind}:{value}"
        digest = hashlib.blake2b(ident.encode(), digest_size=12).hexdigest()
        keys.append(f"rl:{rule.name}:{digest}")
    return keys
