"""Check a request against its rule: the decision that binds, or None when failing open."""
from __future__ import annotations

import logging

from ops.cache.errors import REDIS_ERRORS, warn_unavailable

from . import metrics, rules
from .backends.base import Decision
from .identity import request_keys

logger = logging.getLogger("ops.ratelimit")


def check(request, rule: rules.Rule) -> Decision | None:
    """Count the request in each of its buckets; the tightest decision, or None if the store is down.

    Buckets are counted in order and counting stops at the first refusal, so a refused
    request does not also spend the budgets after it.
    """
    binding: Decision | None = None
    try:
        for key, kind in request_keys(request, rule):
            decision = rules.backend().hit(key, limit=rule.limit_for(kind), period=rule.period)
            if binding is None or not decision.allowed or decision.remaining < binding.remaining:
                binding = decision
            if not decision.allowed:
                break
    except REDIS_ERRORS as exc:
        metrics.failed_open(rule.name)
        warn_unavailable(logger, "rate limiting (failing open)", exc)
        return None
    return binding
