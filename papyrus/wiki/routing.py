"""WebSocket URLs (papyrus/asgi.py mounts them); anything else is refused with 403."""
from channels.security.websocket import WebsocketDenier
from django.urls import path, re_path

from .consumers import EventsConsumer, PageConsumer

websocket_urlpatterns = [
    path("ws/pages/<int:page_id>/", PageConsumer.as_asgi()),
    path("ws/events/", EventsConsumer.as_asgi()),
    re_path(r"", WebsocketDenier.as_asgi()),
]
