"""One token rule — the Bearer header, else the accessToken cookie; an empty, "undefined" or "null"
bearer defers to the cookie — and every reader of it agrees: the API, the browser views
(request.user of the wiki's pages), the rate limiter and the WebSocket handshake."""
import pytest
from django.test import RequestFactory
from rest_framework.test import APIClient

from papyrus.accounts.ratelimit import jwt_user_id
from papyrus.accounts.websocket import authenticate_scope
from papyrus.web.auth import _resolve
from tests.conftest import PASSWORD

CASES = {  # name: (Authorization header or None, whose token the cookie holds or None, who is signed in)
    "bearer alone": ("Bearer {alice}", None, "alice"),
    "cookie alone": (None, "alice", "alice"),
    "undefined bearer defers to the cookie": ("Bearer undefined", "alice", "alice"),
    "null bearer defers to the cookie": ("Bearer null", "alice", "alice"),
    "empty bearer defers to the cookie": ("Bearer ", "alice", "alice"),
    "the header wins over the cookie": ("Bearer {bob}", "alice", "bob"),
    "nothing": (None, None, None),
}


def access_token(user) -> str:
    client = APIClient()
    assert client.post("/api/auth/login", {"email": user.email, "password": PASSWORD}, format="json").status_code == 200
    return client.cookies["accessToken"].value


@pytest.mark.parametrize("case", CASES)
def test_the_api_the_pages_the_rate_limiter_and_websockets_read_the_same_user(case, user, other):
    tokens = {"alice": access_token(user), "bob": access_token(other)}
    ids = {"alice": user.id, "bob": other.id, None: None}
    header, cookie_of, expected = CASES[case]
    header = header.format(**tokens) if header else None
    meta = {"HTTP_AUTHORIZATION": header} if header is not None else {}
    cookies = {"accessToken": tokens[cookie_of]} if cookie_of else {}

    api = APIClient(**meta)
    for name, value in cookies.items():
        api.cookies[name] = value
    me = api.get("/api/auth/me")
    assert (me.json()["user"]["id"] if me.status_code == 200 else None) == ids[expected]

    request = RequestFactory().get("/", **meta)
    request.COOKIES.update(cookies)
    assert jwt_user_id(request) == ids[expected]
    assert getattr(_resolve(request), "id", None) == ids[expected]

    scope = {"headers": [*([(b"authorization", header.encode())] if header is not None else []),
                         *([(b"cookie", f"accessToken={cookies['accessToken']}".encode())] if cookies else [])]}
    found = authenticate_scope(scope)
    assert (found[0].id if found else None) == ids[expected]
