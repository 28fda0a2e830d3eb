"""Fixtures of the wiki tests. `caching` and `write` serve the response-cache tests (test_cache.py, test_cache_scopes.py)."""
import pytest
from django.test import override_settings

from papyrus.wiki import cache


@pytest.fixture
def caching():
    """Response caching on, starting from a fresh generation (entries of earlier tests are stale)."""
    with override_settings(OPS_CACHE_RESPONSES=True):
        cache.invalidate_everything()
        yield


@pytest.fixture
def write(django_capture_on_commit_callbacks):
    """Run a write and its on-commit callbacks, as a real commit would (pytest-django rolls back)."""
    def run(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)
    return run
