"""RealtimeConsumer: the base of every WebSocket consumer here.

- Anonymous handshakes are refused (HTTP 403) unless `require_authentication = False`.
- Accepted connections are counted (registry → metrics); frames in and out are counted.
- Each client frame is checked against the connection's limits (size, rate); a violation
  closes with codes.MESSAGE_TOO_BIG or codes.RATE_LIMITED. Binary frames close with
  codes.UNSUPPORTED_DATA.
- When the authenticator gave an expiry, the connection closes with codes.UNAUTHORIZED then.
- Client messages are JSON objects with a "type"; {"type": "ping"} is answered with
  {"type": "pong"}, other types go to `handle_<type>` or get {"type": "error"}.
"""
from __future__ import annotations

import asyncio
import json
import time

from channels.consumer import get_handler_name
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from . import codes, registry
from .limits import ConnectionLimits


class RealtimeConsumer(AsyncJsonWebsocketConsumer):
    require_authentication = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.accepted = False
        self.closing = False
        self.close_code: int | None = None
        self.limits: ConnectionLimits | None = None
        self.tasks: list[asyncio.Task] = []

    @property
    def user(self):
        return self.scope.get("user")

    async def dispatch(self, message):
        """Channels' dispatch without its per-message close_old_connections() thread hop.

        Database work in consumers goes through database_sync_to_async, which closes stale
        connections itself; the hop ran through asgiref's single sync thread, so a broadcast to
        N sockets queued N hops there (measured: the bulk of the latency at 500 clients).
        """
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def websocket_connect(self, message):
        if self.require_authentication and not getattr(self.user, "is_authenticated", False):
            await self.close()  # before accept: the server answers the upgrade with 403
            return
        self.limits = ConnectionLimits()
        await super().websocket_connect(message)

    async def accept(self, subprotocol=None, headers=None):
        await super().accept(subprotocol, headers)
        self.accepted = True
        registry.opened(self)
        expires_at = self.scope.get("auth_expires_at")
        if expires_at:
            self.start_task(self._close_at(expires_at, codes.UNAUTHORIZED))

    def start_task(self, coro) -> asyncio.Task:
        """Run `coro` for the life of the connection (cancelled on disconnect)."""
        task = asyncio.ensure_future(coro)
        self.tasks.append(task)
        return task

    async def _close_at(self, when: float, code: int) -> None:
        await asyncio.sleep(max(0.0, when - time.time()))
        await self.close(code)

    async def close(self, code=None, reason=None):
        if self.closing:
            return
        self.closing = True
        self.close_code = code if isinstance(code, int) and code is not True else None
        await super().close(code, reason)

    async def websocket_receive(self, message):
        if self.closing:
            return  # frames in flight after our close are dropped
        registry.message(self, "in")
        violation = self.limits.violation(message) if self.limits else None
        if violation is None and message.get("text") is None:
            violation = codes.UNSUPPORTED_DATA
        if violation is not None:
            await self.close(violation)
            return
        await super().websocket_receive(message)

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        try:
            content = json.loads(text_data)
        except (ValueError, RecursionError):  # too deep for the parser is not JSON we take either
            await self.send_json({"type": "error", "message": "messages must be JSON"})
            return
        await self.receive_json(content)

    async def receive_json(self, content, **kwargs):
        kind = content.get("type") if isinstance(content, dict) else None
        if kind == "ping":
            await self.send_json({"type": "pong"})
            return
        handler = getattr(self, f"handle_{kind}", None) if isinstance(kind, str) and kind.isidentifier() else None
        if handler is None:
            await self.send_json({"type": "error", "message": f"unknown message type: {kind!r}"})
            return
        await handler(content)

    async def send_json(self, content, close=False):
        if self.closing:
            return
        registry.message(self, "out")
        await super().send_json(content, close=close)

    async def websocket_disconnect(self, message):
        for task in self.tasks:
            task.cancel()
        if self.accepted:
            self.accepted = False
            code = self.close_code if self.close_code is not None else message.get("code")
            registry.closed(self, code)
        await super().websocket_disconnect(message)
