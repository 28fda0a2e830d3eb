"""Call a WSGI application in process the way granian does: environ in, body iterated, closed."""
from __future__ import annotations

import io
import sys


def call(application, method: str, path: str, *, body: bytes = b"", cookie: str = "") -> tuple[int, list, bytes]:
    """(status code, headers, body) of one request to `application`; `path` may carry a query."""
    path, _, query = path.partition("?")
    environ = {"REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": query, "SERVER_NAME": "127.0.0.1",
               "SERVER_PORT": "8000", "HTTP_HOST": "127.0.0.1", "REMOTE_ADDR": "127.0.0.1",
               "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(body),
               "CONTENT_LENGTH": str(len(body)), "CONTENT_TYPE": "application/json", "wsgi.errors": sys.stderr,
               "wsgi.multithread": True, "wsgi.multiprocess": True, "wsgi.run_once": False,
               "wsgi.version": (1, 0), **({"HTTP_COOKIE": cookie} if cookie else {})}
    started = []
    out = application(environ, lambda status, headers, exc_info=None: started.append((status, headers)))
    try:
        data = b"".join(out)
    finally:
        getattr(out, "close", lambda: None)()
    return int(started[0][0].split()[0]), started[0][1], data
