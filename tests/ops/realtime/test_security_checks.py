"""Origin validation at the handshake, and the app's system checks."""
import pytest

from ops.realtime import checks
from ops.realtime.security import allowed_hosts_origin_validator
from tests.support.ws import WebsocketCommunicator

from .support import application


async def handshake(origin: bytes | None, settings) -> bool:
    settings.ALLOWED_HOSTS = ["wiki.example.com", "127.0.0.1"]
    app = allowed_hosts_origin_validator(application)
    headers = [(b"x-user", b"1")] + ([(b"origin", origin)] if origin else [])
    comm = WebsocketCommunicator(app, "/ws/echo/", headers=headers)
    connected, _ = await comm.connect()
    if connected:
        await comm.disconnect()
    return connected


@pytest.mark.anyio
async def test_foreign_browser_origin_is_refused(settings):
    assert not await handshake(b"https://evil.example.net", settings)


@pytest.mark.anyio
async def test_own_origin_and_no_origin_are_accepted(settings):
    assert await handshake(b"https://wiki.example.com", settings)
    assert await handshake(b"http://127.0.0.1:8000", settings)
    assert await handshake(None, settings)  # not a browser page: cannot ride a visitor's cookies


def ids(problems):
    return [p.id for p in problems]


def test_checks_pass_on_the_redis_layer():
    assert checks.check_channel_layer() == [] and checks.check_settings() == []


def test_missing_layer_is_an_error(settings):
    settings.CHANNEL_LAYERS = {}
    assert ids(checks.check_channel_layer()) == ["ops_realtime.E001"]


def test_in_memory_layer_warns_and_needs_redis(settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    assert ids(checks.check_channel_layer()) == ["ops_realtime.W001", "ops_realtime.E002"]
    settings.REALTIME_REDIS_URL = settings.REDIS_URL
    assert ids(checks.check_channel_layer()) == ["ops_realtime.W001"]


def test_bad_authenticator_and_limits_are_errors(settings):
    settings.REALTIME_AUTHENTICATOR = "nowhere.to.be.found"
    settings.REALTIME_MESSAGES_PER_SECOND = 0
    settings.REALTIME_MAX_MESSAGE_BYTES = "lots"
    assert ids(checks.check_settings()) == ["ops_realtime.E003", "ops_realtime.E004", "ops_realtime.E004"]
