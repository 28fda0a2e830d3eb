import pytest
from django.test import Client

from tests.conftest import PASSWORD


@pytest.fixture
def browser_client(db):
    """A Django test client that checks CSRF like a browser's requests are checked."""
    return Client(enforce_csrf_checks=True)


@pytest.fixture
def web_login():
    """A client signed in through the browser sign-in form (cookies as the API sets them)."""
    def do(user):
        c = Client()
        r = c.post("/login/", {"email": user.email, "password": PASSWORD})
        assert r.status_code == 302, r.content
        return c
    return do
