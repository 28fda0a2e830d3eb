"""The JSON line, levels and the settings parsers."""
import json
import logging
import re

import pytest

from ops.logging import context
from ops.logging.conf import parse_retention, parse_size
from ops.logging.filters import ContextFilter, MaskingFilter
from ops.logging.formatters import JsonFormatter, iso_utc
from ops.logging.levels import HTTP, level_name, level_number


def render(record):
    for f in (ContextFilter(), MaskingFilter()):
        f.filter(record)
    return json.loads(JsonFormatter(service="papyrus").format(record))


def make(level=logging.INFO, msg="hello", args=(), **extra):
    record = logging.LogRecord("app", level, __file__, 1, msg, args, None)
    record.__dict__.update(extra)
    return record


def test_line_has_level_message_timestamp_service_and_extras():
    record = make(msg="user %s logged in", args=(123,), userId=123, action="login")
    record.created = 1769940000.25  # 2026-02-01T10:00:00.250Z
    line = render(record)
    assert line["level"] == "info"
    assert line["message"] == "user 123 logged in"
    assert line["timestamp"] == "2026-02-01T10:00:00.250Z"
    assert line["service"] == "papyrus"
    assert line["userId"] == 123 and line["action"] == "login"


def test_level_names_are_the_operators_five():
    names = [render(make(level=n))["level"] for n in (50, 40, 30, 20, HTTP, 10)]
    assert names == ["error", "error", "warn", "info", "http", "debug"]
    assert [level_number(n) for n in ("error", "warn", "info", "http", "debug")] == [40, 30, 20, 15, 10]
    assert level_name(HTTP) == "http" and logging.getLevelName(HTTP) == "HTTP"
    with pytest.raises(ValueError):
        level_number("verbose")


def test_timestamp_is_iso_utc_with_milliseconds():
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", iso_utc(1769940000.0049))
    assert iso_utc(1769940000.999) == "2026-02-01T10:00:00.999Z"


def test_request_context_is_added_to_lines_logged_inside_it():
    token = context.bind(context.RequestContext("req-42", None, user_id=7))
    try:
        line = render(make())
    finally:
        context.reset(token)
    assert line["requestId"] == "req-42" and line["userId"] == 7
    assert "requestId" not in render(make())


@pytest.mark.parametrize("value, expected", [("20m", 20 * 1024**2), ("512k", 512 * 1024), ("1g", 1024**3),
                                             ("1000", 1000), ("5MB", 5 * 1024**2)])
def test_sizes(value, expected):
    assert parse_size(value) == expected


@pytest.mark.parametrize("value, expected", [("14d", ("days", 14)), ("14", ("files", 14)), ("3D", ("days", 3))])
def test_retention(value, expected):
    assert parse_retention(value) == expected


@pytest.mark.parametrize("bad", ["", "20x", "-1", "0", "d", "14w"])
def test_bad_sizes_and_retention_are_refused(bad):
    with pytest.raises(ValueError):
        parse_size(bad)
    with pytest.raises(ValueError):
        parse_retention(bad)


def test_system_checks_report_bad_logging_settings(settings):
    from ops.logging.checks import check_logging_settings

    settings.LOG_LEVEL, settings.LOG_MAX_SIZE, settings.LOG_MAX_FILES = "loud", "big", "forever"
    assert [e.id for e in check_logging_settings()] == ["ops_logging.E001", "ops_logging.E002", "ops_logging.E003"]
    settings.LOG_LEVEL, settings.LOG_MAX_SIZE, settings.LOG_MAX_FILES = "http", "20m", "14d"
    assert check_logging_settings() == []


def test_an_unwritable_log_dir_is_an_error_only_when_files_are_written(settings, tmp_path):
    from ops.logging.checks import check_logging_settings

    blocker = tmp_path / "a-file"
    blocker.write_text("")
    settings.LOG_DIR = str(blocker / "logs")  # nobody, root included, can write under a regular file
    assert [e.id for e in check_logging_settings()] == ["ops_logging.E004"]
    settings.LOG_FILES = False  # a container's stdout: the directory is never used
    assert check_logging_settings() == []
