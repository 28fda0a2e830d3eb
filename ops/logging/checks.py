"""System checks: LOG_* values that build_logging() had to replace with defaults, and LOG_DIR."""
import os

from django.core.checks import Error

from . import conf


def check_logging_settings(app_configs=None, **kwargs):
    errors = []
    for parse, value, name, check_id in (
        (conf.level_number, conf.log_level(), "LOG_LEVEL", "ops_logging.E001"),
        (conf.parse_size, conf.log_max_size(), "LOG_MAX_SIZE", "ops_logging.E002"),
        (conf.parse_retention, conf.log_max_files(), "LOG_MAX_FILES", "ops_logging.E003"),
    ):
        try:
            parse(value)
        except ValueError as exc:
            errors.append(Error(f"{name}: {exc}", hint="The default is in use until this is fixed.", id=check_id))
    directory = conf.log_dir()
    if conf.log_files() and not os.access(directory, os.W_OK):  # LOG_FILES=false: stdout only
        errors.append(Error(f"LOG_DIR {directory} is not a writable directory", id="ops_logging.E004"))
    return errors
