"""RateLimitMiddleware: put it after AuthenticationMiddleware (it counts signed-in users by id).

Every response to a rate-limited request carries RateLimit-Limit, RateLimit-Remaining,
RateLimit-Reset (seconds) and RateLimit-Policy; a refusal is a 429 with Retry-After and a
JSON body. When the store is unavailable the request goes through (fail open).
"""
from django.http import JsonResponse

from . import conf, limiter, metrics, rules


class RateLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not conf.enabled():
            return self.get_response(request)
        rule = rules.rule_for(request.method, request.path_info)
        if rule is None:
            return self.get_response(request)
        decision = limiter.check(request, rule)
        if decision is None:
            return self.get_response(request)
        if decision.allowed:
            response = self.get_response(request)
        else:
            metrics.rejected(rule.name)
            response = too_many_requests(decision)
        add_headers(response, decision, rule)
        return response


def too_many_requests(decision) -> JsonResponse:
    wait = decision.retry_after_seconds
    response = JsonResponse({"message": f"Too many requests; try again in {wait} seconds."}, status=429)
    response["Retry-After"] = str(wait)
    return response


HEADER_NAMES = ("RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset", "RateLimit-Policy")
_STORE_KEYS = tuple((name.lower(), name) for name in HEADER_NAMES)  # lower-cased once, not per request


def add_headers(response, decision, rule) -> None:
    policy = rule.policy if decision.limit == rule.limit else f"{decision.limit};w={rule.period}"  # a key's own
    values = (str(decision.limit), str(decision.remaining), str(decision.reset_seconds), policy)
    store = header_store(response)
    if store is None:
        for name, value in zip(HEADER_NAMES, values):
            response[name] = value
        return
    for (key, name), value in zip(_STORE_KEYS, values):  # ASCII names, digits and ";w=" built here
        store[key] = (name, value)


def header_store(response) -> dict | None:
    """The dict behind a Django response's headers (`{lower-case name: (name, value)}`), or None.

    Setting a header through `response[name]` checks both strings for charset and newlines, ~1.5 µs a
    header on every limited request; these four are ours and need none of it. The store is a Django
    internal (CaseInsensitiveMapping._store, unchanged since 3.2): tests/ops/ratelimit/test_headers.py
    fails when it is gone, and the headers are then set the public way.
    """
    store = getattr(getattr(response, "headers", None), "_store", None)
    return store if isinstance(store, dict) else None
