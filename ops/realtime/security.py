"""Origin checking for WebSocket handshakes.

Browsers always send Origin, so a page on another site trying to use a visitor's cookies
(cross-site WebSocket hijacking) is refused unless its host is in ALLOWED_HOSTS. A handshake
without Origin does not come from a browser page and cannot ride a visitor's cookies, so it
is allowed (CLIs, tests, server-side clients); channels' AllowedHostsOriginValidator would
refuse it.
"""
from channels.security.websocket import OriginValidator
from django.conf import settings


class BrowserOriginValidator(OriginValidator):
    """OriginValidator that lets handshakes without an Origin header through."""

    def valid_origin(self, parsed_origin):
        if parsed_origin is None:
            return True
        return self.validate_origin(parsed_origin)


def allowed_hosts_origin_validator(application):
    """Wrap `application`: a present Origin must match ALLOWED_HOSTS (read once, at startup)."""
    allowed = list(settings.ALLOWED_HOSTS)
    if settings.DEBUG and not allowed:
        allowed = ["localhost", "127.0.0.1", "[::1]"]
    return BrowserOriginValidator(application, allowed)
