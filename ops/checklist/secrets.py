"""What makes a signing secret weak: the one list, used by the `ops_check` item and by settings
modules that refuse to start on a weak secret (plain values; no Django settings here)."""
from __future__ import annotations

MIN_BYTES = 32
MIN_DISTINCT = 10
# Secrets that ship in docs, templates and tutorials; never strong, whatever their length.
KNOWN_WEAK_SECRETS = frozenset({
    "secret", "changeme", "change-me", "change_me", "your-secret-key", "your_secret_key", "jwt_secret",
    "your_jwt_secret", "your-jwt-secret", "supersecret", "super-secret", "password", "default",
    "your-super-secret-jwt-key-change-this-in-production", "your-256-bit-secret",
})
# Fragments that mark a placeholder value (a dev default contains "dev-only").
WEAK_SECRET_FRAGMENTS = ("dev-only", "change-me", "changeme", "change-this", "not-for-production", "example")


def weakness(secret: str, *, name: str, also_weak=()) -> str | None:
    """Why `secret` (the value of setting `name`) is not a strong signing secret, or None when it is.

    Strong: at least MIN_BYTES bytes, not a known default or placeholder (nor one of `also_weak`),
    not one repeated pattern (MIN_DISTINCT distinct characters).
    """
    size, lowered = len(secret.encode()), secret.lower()
    if not secret:
        return f"{name} is not set"
    if size < MIN_BYTES:
        return f"{name} is {size} bytes; at least {MIN_BYTES} random bytes needed"
    known = KNOWN_WEAK_SECRETS | {value.lower() for value in also_weak}
    if lowered in known or any(fragment in lowered for fragment in WEAK_SECRET_FRAGMENTS):
        return f"{name} is a known default/placeholder value"
    if len(set(secret)) < MIN_DISTINCT:
        return f"{name} uses only {len(set(secret))} distinct characters (not random)"
    return None
