"""ASGI entry point: HTTP → Django, WebSocket → Channels routing."""
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings.dev")

django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from ops.realtime.auth import AuthenticatorMiddleware  # noqa: E402
from ops.realtime.security import allowed_hosts_origin_validator  # noqa: E402
from papyrus.wiki.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter({
    "http": django_asgi_app,
    # A browser's Origin must be an ALLOWED_HOSTS host; clients without Origin (CLIs, tests)
    # pass, as they cannot carry a visitor's cookies (ops/realtime/security.py).
    "websocket": allowed_hosts_origin_validator(AuthenticatorMiddleware(URLRouter(websocket_urlpatterns))),
})
