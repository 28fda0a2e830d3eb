"""Settings of the logging app: defaults declared once in DEFAULTS, read at call time (ops.appsettings)."""
import re

from ops.appsettings import AppSettings

from .levels import level_number

DEFAULTS = {
    "LOG_LEVEL": "info",                  # error | warn | info | http | debug
    "LOG_DIR": "./logs",                  # error.log, combined.log and YYYY-MM-DD.log live here
    "LOG_MAX_SIZE": "20m",                # rotate a file when it reaches this size (b, k, m, g)
    "LOG_MAX_FILES": "14d",               # "14d": keep 14 days of rotated files; "14": keep 14 files
    "LOG_FILES": True,                    # False: JSON lines on stdout only, nothing in LOG_DIR (containers)
}
app_settings = AppSettings(DEFAULTS)

_SIZE = re.compile(r"^\s*(\d+)\s*([kmg]?)b?\s*$", re.IGNORECASE)
_UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}
_RETENTION = re.compile(r"^\s*(\d+)\s*(d?)\s*$", re.IGNORECASE)


def parse_size(value) -> int:
    """`20m` → bytes (k, m, g are powers of 1024; a plain number is bytes); ValueError if malformed."""
    match = _SIZE.match(str(value))
    if not match or int(match.group(1)) <= 0:
        raise ValueError(f"log size {value!r} must look like 20m, 512k, 1g or a byte count")
    return int(match.group(1)) * _UNITS[match.group(2).lower()]


def parse_retention(value) -> tuple[str, int]:
    """`14d` → ("days", 14); `14` → ("files", 14); ValueError if malformed."""
    match = _RETENTION.match(str(value))
    if not match or int(match.group(1)) <= 0:
        raise ValueError(f"log retention {value!r} must look like 14d (days) or 14 (files)")
    return ("days" if match.group(2) else "files"), int(match.group(1))


def log_level() -> str:
    return app_settings.LOG_LEVEL


def log_dir() -> str:
    return str(app_settings.LOG_DIR)


def log_files() -> bool:
    return bool(app_settings.LOG_FILES)


def log_max_size() -> str:
    return str(app_settings.LOG_MAX_SIZE)


def log_max_files() -> str:
    return str(app_settings.LOG_MAX_FILES)


__all__ = ["parse_size", "parse_retention", "level_number", "log_level", "log_dir", "log_max_size",
           "log_max_files", "log_files"]
