"""Which requests become Sentry transactions: decided per route before any SDK work.

A rule (SENTRY_TRACES_RULES) matches on method and path like a rate-limit rule; its rate is
`rate` (absolute) or `weight` × SENTRY_TRACES_SAMPLE_RATE (capped at 1). The first matching
rule wins; no match → SENTRY_TRACES_SAMPLE_RATE. A default rate of 0 switches tracing off
whatever the rules say. Only a request drawn here pays for a transaction.
"""
from __future__ import annotations

import random
import re
from dataclasses import dataclass
from functools import lru_cache

from . import conf

_WATCHED = {"SENTRY_TRACES_RULES", "SENTRY_TRACES_SAMPLE_RATE"}


@dataclass(frozen=True)
class TraceRule:
    name: str
    methods: frozenset[str] | None  # None: any method
    paths: tuple[re.Pattern, ...]
    rate: float

    def matches(self, method: str, path: str) -> bool:
        return (self.methods is None or method in self.methods) and any(p.search(path) for p in self.paths)


def build_rule(name: str, spec: dict, default: float) -> TraceRule:
    """A TraceRule from its settings dict; ValueError/TypeError/re.error on a bad spec."""
    if "rate" in spec:
        rate = float(spec["rate"])
    else:
        rate = min(1.0, default * float(spec.get("weight", 1)))
    if not 0 <= rate <= 1:
        raise ValueError("rate must be from 0 to 1 (and weight not negative)")
    methods = spec.get("methods")
    return TraceRule(name, frozenset(m.upper() for m in methods) if methods else None,
                     tuple(re.compile(p) for p in spec.get("paths", [r"^/"])), rate)


@lru_cache(maxsize=1)
def plan() -> tuple[float, tuple[TraceRule, ...]]:
    """(default rate, rules), compiled once (again when a test changes the settings)."""
    default = conf.traces_sample_rate()
    if not default:
        return 0.0, ()
    return default, tuple(build_rule(name, spec, default) for name, spec in conf.traces_rules().items())


def rate_for(method: str, path: str) -> float:
    default, rules = plan()
    for rule in rules:
        if rule.matches(method, path):
            return rule.rate
    return default


def sampled(method: str, path: str) -> bool:
    """Draw the request: True for the ones that become transactions."""
    rate = rate_for(method, path)
    return rate > 0 and (rate >= 1 or random.random() < rate)  # nosec B311  # a sampling draw, not a secret


def forget_on_setting_change(*, setting, **kwargs) -> None:
    if setting in _WATCHED:
        plan.cache_clear()
