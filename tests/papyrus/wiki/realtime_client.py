"""A user's view of a live Papyrus for the realtime tests and benchmark: HTTP calls with the
auth cookie, and WebSocket sessions with the `websockets` client library."""
from __future__ import annotations

import asyncio
import json
import uuid

from websockets.asyncio.client import connect

from tests.support.http import request

PASSWORD = "s3cret-Pass!"


def call(base: str, method: str, path: str, body=None, token: str | None = None) -> tuple[int, object, dict]:
    """(status, JSON body, cookies set) of one API call."""
    headers = {"Content-Type": "application/json", **({"Cookie": f"accessToken={token}"} if token else {})}
    reply = request(method, base + path, body=body, headers=headers)
    return reply.status, reply.json(), reply.cookies()


def register(base: str, name: str) -> tuple[int, str]:
    """Sign up a fresh user: (user id, access token)."""
    email = f"{name.lower()}-{uuid.uuid4().hex[:10]}@example.com"
    status, body, cookies = call(base, "POST", "/api/auth/register", {"name": name, "email": email,
                                                                        "password": PASSWORD})
    assert status == 201, body
    return body["user"]["id"], cookies["accessToken"]


def create_page(base: str, token: str, title: str, **fields) -> dict:
    status, body, _ = call(base, "POST", "/api/pages", {"title": title, "content": "hello", **fields}, token)
    assert status == 201, body
    return body


def ws_url(base: str, path: str) -> str:
    return base.replace("http://", "ws://") + path


def open_ws(base: str, path: str, token: str | None = None, **kw):
    """A websockets connection (use with `async with`); refused handshakes raise InvalidStatus."""
    headers = {"Cookie": f"accessToken={token}"} if token else {}
    return connect(ws_url(base, path), additional_headers=headers, open_timeout=10, **kw)


async def next_event(ws, kind: str | None = None, timeout: float = 10.0) -> dict:
    """The next JSON message (of type `kind`, skipping others)."""
    async with asyncio.timeout(timeout):
        while True:
            message = json.loads(await ws.recv())
            if kind is None or message["type"] == kind:
                return message
