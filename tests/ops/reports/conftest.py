import pytest

from tests.support.fake_sentry import FakeSentry


@pytest.fixture
def sentry_recorder():
    with FakeSentry() as recorder:
        yield recorder
