"""Sentry error tracking: init from settings, user and request id on events, shared masking.

`capture_exception` and `capture_message` are safe to call when Sentry is off (no DSN); `send_message`
sends and waits, through a one-off client when the SDK is off but SENTRY_DSN is set.
"""
from .sentry import capture_exception, capture_message, send_message  # noqa: F401
