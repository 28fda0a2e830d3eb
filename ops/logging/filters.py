"""Log filters: request context on every record, and masking before any handler writes."""
import logging

from pythonjsonlogger.core import RESERVED_ATTRS

from . import context
from .masking import MASK, is_sensitive_key, mask, mask_text

_STANDARD = frozenset(RESERVED_ATTRS) | {"message", "asctime", "taskName"}


class ContextFilter(logging.Filter):
    """Adds `requestId` and `userId` from the current request or Celery task (when known)."""

    def filter(self, record):
        if "requestId" in record.__dict__:
            return True
        ctx = context.current()
        if ctx is None:
            return True
        record.requestId = ctx.request_id
        if "userId" not in record.__dict__:
            user_id, _ = ctx.user()
            if user_id is not None:
                record.userId = user_id
        return True


class MaskingFilter(logging.Filter):
    """Masks secrets in the message (after %-formatting), its args and extra fields, once per record."""

    def filter(self, record):
        attrs = record.__dict__
        if attrs.get("_ops_masked"):
            return True
        if isinstance(record.msg, (dict, list, tuple)):
            record.msg = mask(record.msg)
        else:
            # Format once so "password=%s" % secret is caught, then drop the args.
            record.msg = mask_text(record.getMessage())
            record.args = None
        for key in [k for k in attrs if k not in _STANDARD and not k.startswith("_")]:
            value = attrs[key]
            if is_sensitive_key(key):
                attrs[key] = MASK
            elif isinstance(value, (str, dict, list, tuple, bytes)):
                attrs[key] = mask(value)
        record._ops_masked = True
        return True
