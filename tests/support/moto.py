"""The suite's one moto starter: moto's real S3 HTTP server on a free loopback port."""
from __future__ import annotations

import urllib.error
import urllib.request
from pathlib import Path

from tests.support.live import BIN, Process, base_env, free_port
from tests.support.wait import wait_until


class MotoServer(Process):
    def __init__(self, log: Path | None = None):
        self.port = free_port()
        super().__init__([str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(self.port)], env=base_env(),
                         log=log or Path("/dev/null"))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> MotoServer:
        super().start()
        try:
            wait_until(self._answers, "moto_server to answer", timeout=timeout, interval=0.1)
        except AssertionError:
            self.stop()
            raise
        return self

    def _answers(self) -> bool:
        if not self.alive():
            raise RuntimeError(f"moto_server exited; see {self.log}")
        try:
            with urllib.request.urlopen(self.url + "/moto-api/", timeout=1):
                return True
        except urllib.error.HTTPError:
            return True  # it answers HTTP
        except OSError:
            return False
