"""HTTP helpers for the live tests."""
from http.cookies import SimpleCookie

from tests.support.http import request


def call(url: str, *, method: str = "GET", body=None, headers: dict | None = None):
    """(status, headers, parsed JSON or text); HTTP errors are returned, not raised."""
    reply = request(method, url, body=body, headers=headers, timeout=30)
    return reply.status, reply.headers, reply.parsed()


def register(base_url: str, email: str, password: str = "Str0ng-Pass!") -> tuple[str, dict, dict]:
    """Sign up through the API → (Cookie header value, cookies, user JSON)."""
    status, head, body = call(base_url + "/api/auth/register", method="POST",
                              body={"name": "Sentry Sam", "email": email, "password": password})
    assert status == 201, body
    jar = SimpleCookie()
    for value in head.get_all("Set-Cookie"):
        jar.load(value)
    cookies = {k: m.value for k, m in jar.items()}
    return "; ".join(f"{k}={v}" for k, v in cookies.items()), cookies, body["user"]
