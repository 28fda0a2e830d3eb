"""Sentry error tracking: init from settings, user and request id on events, shared masking.

`capture_exception` and `capture_message` are safe to call when Sentry is off (no DSN).
"""
from .sentry import capture_exception, capture_message  # noqa: F401
