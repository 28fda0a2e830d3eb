"""Per-connection limits on what a client may send: frame size and frame rate."""
from __future__ import annotations

import time

from . import codes, conf


class TokenBucket:
    """`rate` tokens per second refill a bucket holding at most `burst`; each frame takes one."""

    def __init__(self, rate: float, burst: int, clock=time.monotonic):
        self.rate = rate
        self.capacity = max(1, burst)
        self.tokens = float(self.capacity)
        self.clock = clock
        self.stamp = clock()

    def take(self) -> bool:
        now = self.clock()
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


def frame_size(message: dict) -> int:
    """Bytes of one ASGI websocket.receive frame (text counted as UTF-8)."""
    if message.get("text") is not None:
        text = message["text"]
        # Every character is at most 4 bytes: skip encoding frames that are surely small.
        return len(text) if len(text) * 4 <= conf.max_message_bytes() else len(text.encode())
    return len(message.get("bytes") or b"")


class ConnectionLimits:
    """The limits of one connection, configured from settings when it opens."""

    def __init__(self):
        self.max_bytes = conf.max_message_bytes()
        self.bucket = TokenBucket(conf.messages_per_second(), conf.message_burst())

    def violation(self, message: dict) -> int | None:
        """The close code this frame earns, or None when it is within the limits."""
        if frame_size(message) > self.max_bytes:
            return codes.MESSAGE_TOO_BIG
        if not self.bucket.take():
            return codes.RATE_LIMITED
        return None
