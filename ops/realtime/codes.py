"""WebSocket close codes the server uses (RFC 6455 4000-4999 are the application's).

A refused handshake (no or bad token, no read access, disallowed Origin, unknown path) is
never a close code: the upgrade is answered with HTTP 403 before any WebSocket exists.
The 44xx codes mirror the HTTP status a client already knows.
"""
NORMAL = 1000            # the server ended the conversation normally
SERVICE_RESTART = 1012   # the server process is shutting down (sent by uvicorn); reconnect
UNSUPPORTED_DATA = 1003  # a binary frame where only JSON text is accepted
TRY_AGAIN_LATER = 1013   # Redis (presence, sequence, channel layer) unavailable; reconnect with backoff
UNAUTHORIZED = 4401      # the access token expired while connected; refresh it and reconnect
FORBIDDEN = 4403         # read access was lost while connected
GONE = 4410              # what the connection is about was deleted
MESSAGE_TOO_BIG = 4413   # a client frame exceeded REALTIME_MAX_MESSAGE_BYTES
RATE_LIMITED = 4429      # more frames than REALTIME_MESSAGES_PER_SECOND (after the burst)

DESCRIPTIONS = {
    NORMAL: "normal closure",
    SERVICE_RESTART: "server restarting",
    UNSUPPORTED_DATA: "binary frames are not accepted",
    TRY_AGAIN_LATER: "realtime backend unavailable",
    UNAUTHORIZED: "access token expired",
    FORBIDDEN: "read access lost",
    GONE: "resource deleted",
    MESSAGE_TOO_BIG: "message too big",
    RATE_LIMITED: "too many messages",
}
