"""Channels' WebsocketCommunicator without `channels.testing` (whose package import needs daphne,
which Papyrus does not install): the same methods on asgiref's ApplicationCommunicator."""
from __future__ import annotations

import json
from urllib.parse import unquote, urlparse

from asgiref.testing import ApplicationCommunicator


class WebsocketCommunicator(ApplicationCommunicator):
    def __init__(self, application, path: str, headers=None):
        parsed = urlparse(path)
        scope = {"type": "websocket", "path": unquote(parsed.path), "query_string": parsed.query.encode(),
                 "headers": list(headers or []), "subprotocols": []}
        super().__init__(application, scope)

    async def connect(self, timeout: float = 2) -> tuple[bool, int | None]:
        """(True, None) when accepted; (False, close code) when the handshake is refused."""
        await self.send_input({"type": "websocket.connect"})
        response = await self.receive_output(timeout)
        if response["type"] == "websocket.close":
            return False, response.get("code", 1000)
        assert response["type"] == "websocket.accept", response
        return True, None

    async def send_to(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if text_data is not None:
            await self.send_input({"type": "websocket.receive", "text": text_data})
        else:
            await self.send_input({"type": "websocket.receive", "bytes": bytes_data})

    async def send_json_to(self, data) -> None:
        await self.send_to(text_data=json.dumps(data))

    async def receive_json_from(self, timeout: float = 2):
        response = await self.receive_output(timeout)
        assert response["type"] == "websocket.send", response
        return json.loads(response["text"])

    async def disconnect(self, code: int = 1000, timeout: float = 2) -> None:
        await self.send_input({"type": "websocket.disconnect", "code": code})
        await self.wait(timeout)
