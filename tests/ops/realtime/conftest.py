import pytest

from .support import AUTHENTICATOR


@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.fixture(autouse=True)
def realtime_settings(settings):
    """The header authenticator and small, quick limits for every test here."""
    settings.REALTIME_AUTHENTICATOR = AUTHENTICATOR
    settings.REALTIME_MAX_MESSAGE_BYTES = 1024
    settings.REALTIME_MESSAGES_PER_SECOND = 5
    settings.REALTIME_MESSAGE_BURST = 5
    return settings
