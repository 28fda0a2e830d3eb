"""Request id in, request id out, and one `http` line per request."""
import logging
import os
import re
import time

from asgiref.sync import iscoroutinefunction, markcoroutinefunction

from ops import requestfacts

from . import context
from .levels import HTTP

logger = logging.getLogger("ops.http")

# Letters, digits and . _ : - (UUIDs, hex ids, trace ids); anything else is replaced.
_WELL_FORMED = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")


def request_id_of(request) -> str:
    """The client's X-Request-ID when well-formed, else a new random id."""
    given = request.META.get("HTTP_X_REQUEST_ID")
    if given and _WELL_FORMED.fullmatch(given):
        return given
    return os.urandom(16).hex()  # 128 random bits, like uuid4().hex at a tenth of its cost


def route_of(request, status: int | None = None) -> str:
    """The route label, shared with the metrics (ops.requestfacts: one function, one value)."""
    return requestfacts.route(request, status)


def client_ip(request) -> str:
    """The client address under the one policy of ops.requestfacts (TRUSTED_PROXIES)."""
    return requestfacts.client_ip(request)


def _response_bytes(response):
    if response.streaming:
        length = response.get("Content-Length")
        return int(length) if length and length.isdigit() else None
    return len(response.content)


def log_request(request, response, started: float, ctx: context.RequestContext) -> None:
    """Write the request's `http` line: method, route, status, sizes, duration, ids, ip."""
    duration_ms = round((time.perf_counter() - started) * 1000, 2)
    route = route_of(request, response.status_code)
    length = request.META.get("CONTENT_LENGTH")
    user_id, _ = ctx.user()
    # makeRecord + handle: the same record logger.log() builds, without its caller lookup (stack walk).
    logger.handle(logger.makeRecord(logger.name, HTTP, __file__, 0, "%s %s %s %sms", (
        request.method, route, response.status_code, duration_ms), None, extra={
        "method": request.method, "route": route, "status": response.status_code, "durationMs": duration_ms,
        "requestBytes": int(length) if length and length.isdigit() else 0,
        "responseBytes": _response_bytes(response), "requestId": ctx.request_id, "userId": user_id,
        "ip": client_ip(request), "_ops_masked": True,  # nothing secret: route pattern, numbers, ids
    }))


class RequestLogMiddleware:
    """Binds the request context, echoes X-Request-ID and logs at `http` (if LOG_LEVEL allows).

    Put it near the top of MIDDLEWARE (right after the metrics middleware) so the duration covers the stack.
    """

    sync_capable = True
    async_capable = True

    def __init__(self, get_response):
        self.get_response = get_response
        if iscoroutinefunction(get_response):
            markcoroutinefunction(self)

    def __call__(self, request):
        if iscoroutinefunction(self):
            return self.__acall__(request)
        ctx, token, started = self._begin(request)
        try:
            return self._finish(request, self.get_response(request), ctx, started)
        finally:
            context.reset(token)

    async def __acall__(self, request):
        ctx, token, started = self._begin(request)
        try:
            return self._finish(request, await self.get_response(request), ctx, started)
        finally:
            context.reset(token)

    @staticmethod
    def _begin(request):
        """Bind the request's context; (context, reset token, start time)."""
        ctx = context.RequestContext(request_id_of(request), request)
        request.request_id = ctx.request_id
        return ctx, context.bind(ctx), time.perf_counter()

    @staticmethod
    def _finish(request, response, ctx: context.RequestContext, started: float):
        response["X-Request-ID"] = ctx.request_id
        if logger.isEnabledFor(HTTP):
            log_request(request, response, started, ctx)
        return response
