"""The five operator levels (error, warn, info, http, debug) on top of Python's numbers."""
import logging

HTTP = 15  # between INFO (20) and DEBUG (10), like winston's `http`
logging.addLevelName(HTTP, "HTTP")

BY_NAME = {
    "error": logging.ERROR,
    "warn": logging.WARNING,
    "warning": logging.WARNING,
    "info": logging.INFO,
    "http": HTTP,
    "debug": logging.DEBUG,
}


def level_number(name: str) -> int:
    """`LOG_LEVEL` value → logging level number; ValueError for an unknown name."""
    try:
        return BY_NAME[str(name).strip().lower()]
    except KeyError:
        raise ValueError(f"unknown log level {name!r}; use one of error, warn, info, http, debug") from None


def level_name(levelno: int) -> str:
    """Logging level number → the operator's name (critical reads as error)."""
    if levelno >= logging.ERROR:
        return "error"
    if levelno >= logging.WARNING:
        return "warn"
    if levelno >= logging.INFO:
        return "info"
    if levelno >= HTTP:
        return "http"
    return "debug"
