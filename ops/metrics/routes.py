"""The `route` label: owned by ops.requestfacts (logs, metrics and Sentry share one value).

Re-exported here for code that imported it from ops.metrics.
"""
from ops.requestfacts import UNMATCHED, pattern_to_label, route, route_label  # noqa: F401
