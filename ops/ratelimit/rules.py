"""Rules, compiled once from settings (and again when a test overrides them)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property, lru_cache

from django.utils.module_loading import import_string

from . import conf

KEY_KINDS = ("client", "ip")
# A change to one of these builds the rules and the backend again (the backend keeps what it derives
# from the cache alias, CACHES' key function and the lease settings).
_WATCHED = {"RATELIMIT_RULES", "RATELIMIT_BACKEND", "RATELIMIT_CACHE_ALIAS", "RATELIMIT_USER_RESOLVERS",
            "RATELIMIT_EXEMPT_PATHS", "RATELIMIT_LEASE_MAX", "RATELIMIT_LEASE_SECONDS", "CACHES"}


@dataclass(frozen=True)
class Rule:
    name: str
    limit: int
    period: int
    methods: frozenset[str]
    paths: tuple[re.Pattern, ...]
    keys: tuple[str, ...]
    key_limits: tuple[tuple[str, int], ...] = ()  # (key, limit) where a key has its own budget size

    def matches(self, method: str, path: str) -> bool:
        return method in self.methods and any(p.search(path) for p in self.paths)

    def limit_for(self, key: str) -> int:
        """The budget of `key` (one of `keys`) per period: its own limit, else the rule's."""
        for name, limit in self.key_limits:
            if name == key:
                return limit
        return self.limit

    @cached_property  # a frozen dataclass still has a __dict__, which cached_property writes
    def policy(self) -> str:
        """The `RateLimit-Policy` value: `<limit>;w=<period>`."""
        return f"{self.limit};w={self.period}"


def merged_rules() -> dict[str, dict]:
    """DEFAULT_RULES with RATELIMIT_RULES merged over them, rule by rule (None removes a rule)."""
    merged = {name: dict(rule) for name, rule in conf.DEFAULT_RULES.items()}
    for name, override in conf.rule_overrides().items():
        if override is None:
            merged.pop(name, None)
        else:
            merged[name] = {**merged.get(name, {}), **override}
    return merged


def build_rule(name: str, spec: dict) -> Rule:
    """A Rule from its settings dict; ValueError/KeyError/TypeError on a bad spec."""
    limit, period = int(spec["limit"]), int(spec["period"])
    if limit < 1 or period < 1:
        raise ValueError("limit and period must be positive")
    keys = tuple(spec.get("keys", ["client"]))
    for key in keys:
        for part in key.split("+"):  # "ip+body:email": one budget per (address, email) pair
            if part not in KEY_KINDS and not (part.startswith("body:") and len(part) > 5):
                raise ValueError(f"unknown key {key!r}")
    key_limits = tuple((key, int(n)) for key, n in dict(spec.get("limits", {})).items())
    for key, n in key_limits:
        if key not in keys or n < 1:
            raise ValueError(f"limits: {key!r} is not one of the rule's keys, or its limit is not positive")
    return Rule(name=name, limit=limit, period=period,
                methods=frozenset(m.upper() for m in spec.get("methods", conf.READ_METHODS)),
                paths=tuple(re.compile(p) for p in spec.get("paths", [r"^/"])), keys=keys, key_limits=key_limits)


@lru_cache(maxsize=1)
def active_rules() -> tuple[Rule, ...]:
    return tuple(build_rule(name, spec) for name, spec in merged_rules().items())


@lru_cache(maxsize=1)
def exempt_patterns() -> tuple[re.Pattern, ...]:
    return tuple(re.compile(p) for p in conf.exempt_paths())


REMEMBERED_PATH_LENGTH = 200  # longer paths are matched each time (the memo stays small)


def rule_for(method: str, path: str) -> Rule | None:
    """The first rule matching this request, or None (exempt or unmatched)."""
    if len(path) > REMEMBERED_PATH_LENGTH:
        return _match(method, path)
    return _remembered(method, path)


def _match(method: str, path: str) -> Rule | None:
    if any(p.search(path) for p in exempt_patterns()):
        return None
    for rule in active_rules():
        if rule.matches(method, path):
            return rule
    return None


_remembered = lru_cache(maxsize=4096)(_match)  # every request asks; at most ~1 MB


@lru_cache(maxsize=1)
def backend():
    """The configured backend instance (RATELIMIT_BACKEND), built once."""
    return import_string(conf.backend_path())()


@lru_cache(maxsize=1)
def user_resolvers() -> tuple:
    return tuple(import_string(path) for path in conf.user_resolvers())


def forget() -> None:
    for cached in (active_rules, exempt_patterns, backend, user_resolvers, _remembered):
        cached.cache_clear()


def forget_on_setting_change(*, setting, **kwargs) -> None:
    if setting in _WATCHED:
        forget()
