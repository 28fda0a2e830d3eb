"""SentryMiddleware: per-request Sentry work, sized to what each request needs.

Put it right after ops.logging's RequestLogMiddleware (it reads the request context). Not
loaded at all without SENTRY_DSN.

- Every request: a clean Sentry scope (breadcrumbs, tags and user of earlier requests on this
  thread must not reach this one's events) and a small body kept for an error event.
- A request drawn by sampling.py (the decision comes first, from method and path): a
  transaction continuing the caller's trace, named by the route, with a span per SQL statement.
  No span or breadcrumb per Redis command: a cached page read makes one or two Redis calls, and
  the SDK's Redis integration instruments every call of every request, sampled or not.
"""
from contextlib import ExitStack

import sentry_sdk
from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.core.exceptions import MiddlewareNotUsed
from django.db import connections

from ops import requestfacts

from . import sampling, sentry


class SentryMiddleware:
    sync_capable = True
    async_capable = True

    def __init__(self, get_response):
        if not sentry.active():
            raise MiddlewareNotUsed("SENTRY_DSN is empty")
        self.get_response = get_response
        if iscoroutinefunction(get_response):
            markcoroutinefunction(self)

    def __call__(self, request):
        if iscoroutinefunction(self):
            return self.__acall__(request)
        sentry.keep_small_body(request)
        if sampling.sampled(request.method, request.path_info):
            with sentry_sdk.isolation_scope():
                return self._traced(request)
        # A sync worker thread serves one request at a time, so clearing its isolation scope is
        # the fresh scope an isolation_scope() fork would give, at a tenth of the cost.
        sentry_sdk.get_isolation_scope().clear()
        return self.get_response(request)

    async def __acall__(self, request):
        # Concurrent requests share a thread here: each gets its own forked scope.
        with sentry_sdk.isolation_scope():
            if not sampling.sampled(request.method, request.path_info):
                return await self.get_response(request)
            with _transaction(request) as transaction:
                response = await self.get_response(request)
                _name(transaction, request, response)
                return response

    def _traced(self, request):
        with _transaction(request) as transaction, _sql_spans():
            response = self.get_response(request)
            _name(transaction, request, response)
            return response


def _transaction(request):
    meta = request.META
    headers = {name: meta[key] for name, key in (("sentry-trace", "HTTP_SENTRY_TRACE"), ("baggage", "HTTP_BAGGAGE"))
               if meta.get(key)}
    transaction = sentry_sdk.continue_trace(headers, op="http.server", name=request.path_info, source="url",
                                            origin="auto.http.ops")
    transaction.set_tag("http.method", request.method)
    return sentry_sdk.start_transaction(transaction, custom_sampling_context={sentry.SAMPLING_KEY: 1.0})


def _name(transaction, request, response) -> None:
    transaction.name = requestfacts.route(request, response.status_code)
    transaction.source = "route"
    transaction.set_http_status(response.status_code)


def _sql_spans():
    """A span per SQL statement on every database connection, for this request only."""
    stack = ExitStack()
    for connection in connections.all():
        stack.enter_context(connection.execute_wrapper(_sql_span))
    return stack


def _sql_span(execute, sql, params, many, context):
    with sentry_sdk.start_span(op="db", name=sql, origin="auto.db.ops") as span:
        span.set_data("db.system", context["connection"].vendor)
        return execute(sql, params, many, context)
