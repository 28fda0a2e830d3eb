"""ops.ratelimit settings: defaults declared once in DEFAULTS, read at call time (ops.appsettings).

A rule: {"limit": N, "period": seconds, "methods": [...], "paths": [regex...], "keys": [...],
"limits": {key: N}}. The first rule (in order) whose method and path match applies. Keys say who is
counted: "client" (the signed-in user, else the IP), "ip", "body:<field>" (a field of the JSON or
form body), or several joined by "+" ("ip+body:email": one budget per address and email). Each key
has its own budget of `limit` requests per `period` ("limits" gives a key another size); a request
must fit in all of them. A key on a body field alone ("body:email") lets anyone spend another
person's budget from anywhere: the default sign-in rule never does that.
"""
from ops.appsettings import AppSettings

DEFAULTS = {
    "RATE_LIMIT_ENABLED": True,           # False turns every limit off (load tests)
    "RATELIMIT_BACKEND": "ops.ratelimit.backends.redis.RedisBackend",  # or ...locmem.LocMemBackend
    "RATELIMIT_CACHE_ALIAS": "default",   # the django-redis cache whose Redis holds the counters
    "RATELIMIT_RULES": {},                # per-class overrides merged over DEFAULT_RULES (see below)
    # The client IP is ops.requestfacts.client_ip: TRUSTED_PROXIES (RATELIMIT_TRUSTED_PROXIES still read).
    "RATELIMIT_USER_RESOLVERS": [],       # dotted callables(request) -> user id or None, tried in order
    "RATELIMIT_EXEMPT_PATHS": [r"^/health", r"^/metrics", r"^/static/"],
    "RATELIMIT_LEASE_MAX": 20,            # tokens a process takes per Redis call (1 = a call per request)
    "RATELIMIT_LEASE_SECONDS": 1.0,       # a lease's life; its unused tokens go back with the next call
}
app_settings = AppSettings(DEFAULTS)

WRITE_METHODS = ["POST", "PUT", "PATCH", "DELETE"]
READ_METHODS = ["GET", "HEAD"]

DEFAULT_RULES = {
    # Sign-in and sign-up: strict per (address, email) — guessing one account from one place — and per
    # address — one place trying many accounts. Never per email alone: a flood from one address would
    # lock that person out everywhere. (Many users behind one NAT: "limits": {"ip": N} gives the address more.)
    "auth": {"limit": 10, "period": 60, "methods": ["POST"],
             "paths": [r"/(auth/)?(login|register|signup|password/reset(/confirm)?|password-reset)/?$"],
             "keys": ["ip+body:email", "ip"]},
    "search": {"limit": 60, "period": 60, "methods": READ_METHODS, "paths": [r"/search/?$"], "keys": ["client"]},
    "writes": {"limit": 60, "period": 60, "methods": WRITE_METHODS, "paths": [r"^/"], "keys": ["client"]},
    "reads": {"limit": 600, "period": 60, "methods": READ_METHODS, "paths": [r"^/"], "keys": ["client"]},
}


def enabled() -> bool:
    return bool(app_settings.RATE_LIMIT_ENABLED)


def backend_path() -> str:
    return app_settings.RATELIMIT_BACKEND


def cache_alias() -> str:
    return app_settings.RATELIMIT_CACHE_ALIAS


def rule_overrides() -> dict:
    return app_settings.RATELIMIT_RULES or {}


def user_resolvers() -> list[str]:
    return list(app_settings.RATELIMIT_USER_RESOLVERS)


def exempt_paths() -> list[str]:
    return list(app_settings.RATELIMIT_EXEMPT_PATHS)


LEASE_FRACTION = 50  # a lease is at most limit / 50 tokens: 2 % of a budget per process


def lease_max() -> int:
    return max(1, int(app_settings.RATELIMIT_LEASE_MAX or 1))


def lease_seconds() -> float:
    return float(app_settings.RATELIMIT_LEASE_SECONDS)


def lease_size(limit: int) -> int:
    """Tokens one Redis call takes for a rule of `limit`: min(RATELIMIT_LEASE_MAX, limit / 50), at least 1.

    Small limits (sign-in, writes, search) keep the exact per-request check.
    """
    return max(1, min(lease_max(), limit // LEASE_FRACTION))
