"""The `route` label: the URL pattern that served a request, never the raw path.

Convention: `<int:page_id>` becomes `{page_id}` (the view's keyword, as in the OpenAPI
schema), with a leading slash: `/api/pages/{page_id}`. Regex routes get the same treatment
for named groups. A request no pattern matched (404s, slash redirects) gets UNMATCHED,
so scanning random paths cannot create series.
"""
import re

UNMATCHED = "<unmatched>"

_CONVERTER = re.compile(r"<(?:[^>:]+:)?([^>]+)>")
_NAMED_GROUP = re.compile(r"\(\?P<([^>]+)>[^)]*\)")
_cache: dict[str, str] = {}


def route_label(resolver_match) -> str:
    """The label for a request's ResolverMatch (None → UNMATCHED); computed once per pattern."""
    if resolver_match is None:
        return UNMATCHED
    raw = resolver_match.route
    try:
        return _cache[raw]
    except KeyError:
        label = _cache[raw] = pattern_to_label(raw)
        return label


def pattern_to_label(route: str) -> str:
    """`api/pages/<int:page_id>` → `/api/pages/{page_id}`; `^x/(?P<slug>[^/]+)$` → `/x/{slug}`."""
    label = _NAMED_GROUP.sub(r"{\1}", route or "")  # before converters: both use <name>
    label = _CONVERTER.sub(r"{\1}", label).replace("^", "").replace("$", "")
    return "/" + label.lstrip("/")
