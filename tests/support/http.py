"""The suite's one small HTTP client (urllib): JSON in and out, HTTP errors returned, not raised.

    reply = request("GET", server.url + "/health")          # no cookies kept
    http = Http(); http.call("POST", url, {"a": 1})         # a cookie jar across calls (and ports)
    http = Http(server.url); http.call("GET", "/api/pages")  # paths relative to a base URL
"""
from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from http.cookiejar import CookieJar
from http.cookies import SimpleCookie
from urllib.parse import quote


@dataclass
class Reply:
    status: int
    headers: object  # http.client.HTTPMessage: .get(), .get_all()
    raw: bytes

    def json(self):
        """The body as JSON; None when empty."""
        return json.loads(self.raw) if self.raw else None

    def parsed(self):
        """The body as JSON when it is JSON, else as text."""
        try:
            return json.loads(self.raw)
        except ValueError:
            return self.raw.decode(errors="replace")

    def cookies(self) -> dict[str, str]:
        """The cookies this response sets: {name: value}."""
        jar = SimpleCookie()
        for header in self.headers.get_all("Set-Cookie") or []:
            jar.load(header)
        return {name: morsel.value for name, morsel in jar.items()}


# Query strings for GET /api/pages that once overflowed nginx's proxy buffer with the Link header
# (issue 28.2): an unknown parameter, and every filter within its limit in 2- and 4-byte characters.
LONG_LIST_QUERIES = [quote(q, safe="=&") for q in (
    "junk=" + "j" * 1500 + "&limit=1",
    "folder=" + "é" * 100 + "&tag=" + "é" * 50 + "&q=" + "é" * 200,
    "folder=" + "\U0001F600" * 100 + "&tag=" + "\U0001F600" * 50 + "&q=" + "\U0001F600" * 200 + "&offset=1&limit=1",
)]
LONG_LIST_QUERY_IDS = ["unknown-parameter", "2-byte-filters", "4-byte-filters"]


def request(method: str | None, url: str, *, body=None, data: bytes | None = None, headers: dict | None = None,
            timeout: float = 10, opener=None) -> Reply:
    """One request; `body` is sent as JSON (with its Content-Type), `data` as is."""
    if body is not None:
        data = json.dumps(body).encode()
        headers = {"Content-Type": "application/json", **(headers or {})}
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with (opener.open if opener else urllib.request.urlopen)(req, timeout=timeout) as response:
            return Reply(response.status, response.headers, response.read())
    except urllib.error.HTTPError as error:
        return Reply(error.code, error.headers, error.read())


class Http:
    """request() with a cookie jar, shared across ports (every live server is 127.0.0.1); URLs
    are appended to `base` (empty: absolute URLs)."""

    def __init__(self, base: str = "", *, jar: CookieJar | None = None, timeout: float = 10):
        self.base = base
        self.jar = jar if jar is not None else CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.timeout = timeout

    def request(self, method: str, url: str, **kw) -> Reply:
        return request(method, self.base + url, timeout=self.timeout, opener=self.opener, **kw)

    def call(self, method: str, url: str, body=None, headers: dict | None = None):
        """(status, headers, JSON body or None)."""
        reply = self.request(method, url, body=body, headers=headers)
        return reply.status, reply.headers, reply.json()

    def cookie(self, name: str) -> str:
        """The value of the cookie `name` in the jar (StopIteration when there is none)."""
        return next(c.value for c in self.jar if c.name == name)
