"""A tiny ASGI app on ops.realtime alone: a header authenticator and an echo/group consumer."""
import time

from channels.routing import URLRouter
from django.urls import path

from ops.realtime.auth import AuthenticatorMiddleware, header
from ops.realtime.consumers import RealtimeConsumer

AUTHENTICATOR = "tests.ops.realtime.support.header_authenticator"


class FakeUser:
    is_authenticated = True

    def __init__(self, pk: int, name: str):
        self.pk = pk
        self.name = name


def header_authenticator(scope):
    """X-User: "<id>" signs in; "<id>;ttl=<s>" signs in with a token expiring in s seconds."""
    value = header(scope, b"x-user")
    if not value:
        return None
    uid, _, ttl = value.partition(";ttl=")
    user = FakeUser(int(uid), f"user {uid}")
    return (user, time.time() + float(ttl)) if ttl else user


class EchoConsumer(RealtimeConsumer):
    async def connect(self):
        group = self.scope["url_route"]["kwargs"].get("group")
        if group:
            await self.channel_layer.group_add(group, self.channel_name)
            self.groups.append(group)
        await self.accept()

    async def handle_echo(self, content):
        await self.send_json({"type": "echo", "data": content.get("data")})

    async def note(self, event):
        await self.send_json(event)


class OpenEchoConsumer(EchoConsumer):
    require_authentication = False


application = AuthenticatorMiddleware(URLRouter([
    path("ws/echo/", EchoConsumer.as_asgi()),
    path("ws/open/", OpenEchoConsumer.as_asgi()),
    path("ws/group/<str:group>/", EchoConsumer.as_asgi()),
]))
