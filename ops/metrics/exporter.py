"""/metrics for processes that serve no HTTP of their own (Celery worker and beat).

With METRICS_EXPORTER_PORT set, the process that owns PROMETHEUS_MULTIPROC_DIR (a Celery worker's
main process, beat) serves the same exposition as the /metrics view from a daemon thread: every
process's series in that directory, dead ones reaped first, under the same access rules
(METRICS_ALLOWED_IPS, METRICS_TOKEN). One directory per container, so each is its own target.
"""
from __future__ import annotations

import json
import logging
import threading
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from . import access, conf, exposition, multiproc

log = logging.getLogger("ops.metrics")
_started: dict[int, WSGIServer] = {}


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the scrape is not worth a log line
        pass


def _answer(start_response, status: str, body: bytes, content_type: str, extra=()):
    start_response(status, [("Content-Type", content_type), ("Content-Length", str(len(body))), *extra])
    return [body]


def _json(start_response, status: str, message: str, extra=()):
    return _answer(start_response, status, json.dumps({"message": message}).encode(), "application/json", extra)


def app(environ, start_response):
    """The WSGI app: GET /metrics → the exposition; anything else 404; the /metrics view's 403/401."""
    if environ.get("PATH_INFO") != "/metrics":
        return _json(start_response, "404 Not Found", "Not found")
    refused = access.refusal(environ.get("REMOTE_ADDR", ""), environ.get("HTTP_AUTHORIZATION", ""))
    if refused:
        status = "403 Forbidden" if refused[0] == 403 else "401 Unauthorized"
        return _json(start_response, status, refused[1],
                     [("WWW-Authenticate", access.CHALLENGE)] if refused[0] == 401 else ())
    path = multiproc.directory()
    if path:
        multiproc.reap_dead(path)
    return _answer(start_response, "200 OK", generate_latest(exposition.registry()), CONTENT_TYPE_LATEST)


def start(port: int, host: str = "0.0.0.0") -> WSGIServer:
    """Serve `app` on host:port from a daemon thread (once per port in this process)."""
    if port not in _started:
        server = make_server(host, port, app, server_class=_Server, handler_class=_QuietHandler)
        threading.Thread(target=server.serve_forever, name=f"metrics-exporter-{port}", daemon=True).start()
        _started[port] = server
        log.info("metrics exporter listening on %s:%s", host, server.server_port)
    return _started[port]


def start_configured(**_signal_kwargs) -> None:
    """Celery's worker_init / beat_init receiver: start when METRICS_EXPORTER_PORT is set."""
    port = conf.exporter_port()
    if port and conf.enabled():
        start(port)
