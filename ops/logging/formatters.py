"""The JSON line: level, message, timestamp (UTC, ms), service, logger, then context and extras."""
import time

from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter as BaseJsonFormatter

from .levels import level_name
from .masking import mask_text

_last_second = [None, ""]  # the formatted second, reused for every line within it


def iso_utc(created: float) -> str:
    """Epoch seconds → `2026-02-01T10:00:00.000Z`."""
    second = int(created)
    cache = _last_second
    if cache[0] != second:
        cache[1] = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
        cache[0] = second
    return f"{cache[1]}.{int((created - second) * 1000):03d}Z"


class JsonFormatter(BaseJsonFormatter):
    """python-json-logger formatter producing the operator's field names.

    The rendered line is cached on the record, so the several file handlers that write one
    record (combined + daily) serialise it once.
    """

    def __init__(self, *args, service: str = "django", **kwargs):
        kwargs.setdefault("reserved_attrs", [*RESERVED_ATTRS, "request", "server_time", "taskName"])
        super().__init__(*args, **kwargs)
        self.service = service
        # One encoder for every line (json.dumps would build one per call).
        self._encode = self.json_encoder(default=self.json_default, ensure_ascii=self.json_ensure_ascii).encode

    def jsonify_log_record(self, log_data):
        return self._encode(log_data)

    def format(self, record):
        cached = record.__dict__.get("_ops_json")
        if cached is not None and cached[0] is self:
            return cached[1]
        line = super().format(record)
        record._ops_json = (self, line)
        return line

    def formatException(self, ei):
        return mask_text(super().formatException(ei))

    def formatStack(self, stack_info):
        return mask_text(super().formatStack(stack_info))

    def add_fields(self, log_data, record, message_dict):
        log_data["level"] = level_name(record.levelno)
        log_data["message"] = record.message
        log_data["timestamp"] = iso_utc(record.created)
        log_data["service"] = self.service
        log_data["logger"] = record.name
        # Extras and context: python-json-logger's merge_record_extra, minus its per-key hasattr calls.
        skip = self._skip_fields
        for key, value in record.__dict__.items():
            if key not in skip and key[:1] != "_":
                log_data[key] = value
        log_data.update(message_dict)
