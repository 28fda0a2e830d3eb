"""Moved to ops.cron (one cron parser for the project); this name stays importable."""
from ops.cron import InvalidCron, parse_cron  # noqa: F401
