"""HTTP helpers for the live tests."""
import json
import urllib.error
import urllib.request
from http.cookies import SimpleCookie


def call(url: str, *, method: str = "GET", body=None, headers: dict | None = None):
    """(status, headers, parsed JSON or text); HTTP errors are returned, not raised."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={
        **({"Content-Type": "application/json"} if data else {}), **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, head, raw = response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        status, head, raw = error.code, error.headers, error.read()
    try:
        return status, head, json.loads(raw)
    except ValueError:
        return status, head, raw.decode(errors="replace")


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
