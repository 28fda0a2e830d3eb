"""build_logging(): the LOGGING dict shared by the web processes and Celery.

Importable from a settings module (no Django settings access). Invalid values fall back
to the defaults here; the app's system checks (ops_logging.E001-E003) report them.
"""
import logging
import os
import sys

from .conf import parse_retention, parse_size
from .levels import HTTP, level_number

DEFAULTS = {"level": "info", "max_size": "20m", "max_files": "14d"}


def _or_default(parse, value, default):
    try:
        parse(value)
        return value
    except ValueError:
        return default


def build_logging(*, level="info", directory="./logs", max_size="20m", max_files="14d", service="django",
                  console=False, files=True, requests=False) -> dict:
    """A dictConfig for JSON lines in `directory`: error.log, combined.log and YYYY-MM-DD.log.

    `level` is the operator's name (error, warn, info, http, debug); `max_size` like "20m";
    `max_files` "14d" (days) or "14" (files); `console` adds the same JSON lines on stdout (what a
    container runtime collects); `files=False` writes no files (console only); `requests` writes
    every request's `http` line whatever `level` says (a container's access log at `info`).
    """
    number = level_number(_or_default(level_number, level, DEFAULTS["level"]))
    size = parse_size(_or_default(parse_size, max_size, DEFAULTS["max_size"]))
    retention = str(_or_default(parse_retention, max_files, DEFAULTS["max_files"]))
    directory = os.path.abspath(str(directory))
    common = {"formatter": "json", "filters": ["context", "mask"]}
    stdout = {"class": "logging.StreamHandler", "stream": "ext://sys.stdout", **common}
    if not files:
        return _config({"console": stdout}, number, service, requests)
    if not writable_directory(directory):
        # The process still starts (and `ops_check` can say why); its JSON lines go to stderr.
        sys.stderr.write(f"ops.logging: LOG_DIR {directory} is not writable; logging to stderr only\n")
        return _config({"console": {"class": "logging.StreamHandler", **common}}, number, service, requests)
    handlers = {
        "error": {"class": "ops.logging.handlers.RotatingFileHandler", "level": "ERROR",
                  "filename": os.path.join(directory, "error.log"), "maxBytes": size, "retention": retention,
                  **common},
        "combined": {"class": "ops.logging.handlers.RotatingFileHandler",
                     "filename": os.path.join(directory, "combined.log"), "maxBytes": size,
                     "retention": retention, **common},
        "daily": {"class": "ops.logging.handlers.DailyFileHandler", "directory": directory, "maxBytes": size,
                  "retention": retention, **common},
    }
    if console:
        handlers["console"] = stdout
    return _config(handlers, number, service, requests)


def writable_directory(directory: str) -> bool:
    """Create `directory` if needed; True when this process can create files in it."""
    try:
        os.makedirs(directory, exist_ok=True)
    except OSError:
        return False
    return os.path.isdir(directory) and os.access(directory, os.W_OK | os.X_OK)


def _config(handlers: dict, number: int, service: str, requests: bool) -> dict:
    loggers = {
        # Replace Django's console/mail_admins handlers; records reach the root's files.
        "django": {"level": max(number, logging.INFO), "handlers": [], "propagate": True},
        "django.server": {"level": max(number, logging.INFO), "handlers": [], "propagate": True},
    }
    if requests:  # the request line's logger lets `http` through; the handlers have no level of their own
        loggers["ops.http"] = {"level": min(number, HTTP), "handlers": [], "propagate": True}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "context": {"()": "ops.logging.filters.ContextFilter"},
            "mask": {"()": "ops.logging.filters.MaskingFilter"},
        },
        "formatters": {"json": {"()": "ops.logging.formatters.JsonFormatter", "service": service}},
        "handlers": handlers,
        "root": {"level": number, "handlers": list(handlers)},
        "loggers": loggers,
    }
