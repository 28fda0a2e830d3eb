"""A local HTTP endpoint standing in for Sentry: records every envelope it is sent."""
import gzip
import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def parse_envelope(raw: bytes) -> tuple[dict, list[tuple[dict, object]]]:
    """Envelope bytes → (header, [(item header, payload)]) with JSON payloads decoded."""
    header_line, _, rest = raw.partition(b"\n")
    items = []
    while rest.strip():
        item_line, _, rest = rest.partition(b"\n")
        item = json.loads(item_line)
        if "length" in item:
            payload, rest = rest[:item["length"]], rest[item["length"] + 1:]
        else:
            payload, _, rest = rest.partition(b"\n")
        try:
            payload = json.loads(payload)
        except ValueError:
            pass
        items.append((item, payload))
    return json.loads(header_line), items


class FakeSentry:
    """Records every envelope POSTed to it and answers `status` (set 403 to refuse them)."""

    def __init__(self):
        self.raw: list[bytes] = []
        self.requests: list[dict] = []  # path, headers and (decompressed) body of each POST
        self.status = 200
        self.key = uuid.uuid4().hex
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if self.headers.get("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
                with fake.lock:
                    fake.raw.append(body)
                    fake.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                self.send_response(fake.status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def dsn(self) -> str:
        return f"http://{self.key}@127.0.0.1:{self.server.server_address[1]}/1"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def items(self, kind: str) -> list[dict]:
        """Payloads of every received item of type `kind` ("event", "transaction"...)."""
        with self.lock:
            raw = list(self.raw)
        return [payload for body in raw for item, payload in parse_envelope(body)[1] if item.get("type") == kind]

    def all_bytes(self) -> bytes:
        with self.lock:
            return b"\n".join(self.raw)

    bodies = all_bytes
