"""The wiki in the browser against the JSON API for the same data (issue 16, target ≥ 0.8×).

Setup as bench/serving.py (1,000 public ~2 KB pages, granian WSGI, 2 workers, settings.prod
with its response cache on). One server, four wrk scripts interleaved over ROUNDS rounds
(`wrk -t2 -c64 -d10s`, medians): a random page as HTML (`/pages/{id}/`, Markdown rendered and
sanitized) vs as JSON (`/api/pages/{id}`), and the list's first page as HTML (`/`) vs JSON
(`/api/pages?limit=20`). Every answer must be a 2xx.
"""
from __future__ import annotations

import os
import statistics
import tempfile
from pathlib import Path

from bench.serving import DURATION_S, LUA, ROUNDS, WARMUP_S, seed_pages, server_env, servers
from bench.serving import wrk as serving_wrk
from tests.support.live import base_env, manage

# label → (path prefix + suffix around a random page id, or a fixed path)
TARGETS = {
    "html_read": ("/pages/", "/"),
    "json_read": ("/api/pages/", ""),
    "html_list": ("/", None),
    "json_list": ("/api/pages?limit=20", None),
}
ROWS = [  # (figure, baseline, row name, baseline name)
    ("html_read", "json_read", "page read, browser GET /pages/{id}/", "GET /api/pages/{id}"),
    ("html_list", "json_list", "page list, browser GET /", "GET /api/pages?limit=20"),
]


def write_script(workdir: Path, label: str, ids: list[int]) -> Path:
    """bench.serving's wrk script, its request path changed to this target's."""
    prefix, suffix = TARGETS[label]
    script = LUA % {"ids": ",".join(map(str, ids)) if suffix is not None else "", "path": prefix}
    if suffix is not None:
        script = script.replace('"/api/pages/" .. ids[math.random(#ids)]',
                                f'"{prefix}" .. ids[math.random(#ids)] .. "{suffix}"')
    path = workdir / f"{label}.lua"
    path.write_text(script)
    return path


def wrk(url: str, script: Path, seconds: int) -> dict:
    """A 10 s request timeout, as bench.cache: on a loaded shared machine an uncached render
    can pass wrk's default 2 s, which would void the run."""
    return serving_wrk(url, script, seconds, timeout="10s")


def measure(url: str, scripts: dict[str, Path]) -> dict[str, float]:
    """Median req/s per script: a warm-up each, then ROUNDS rounds, every other one reversed."""
    labels = list(scripts)
    for label in labels:
        try:
            wrk(url, scripts[label], WARMUP_S * 3)
        except RuntimeError:  # a warm-up may see no answer in time on a busy machine; rounds may not
            pass
    runs: dict[str, list[float]] = {label: [] for label in labels}
    for n in range(ROUNDS):
        for label in (labels if n % 2 == 0 else labels[::-1]):
            runs[label].append(wrk(url, scripts[label], DURATION_S)["rps"])
    return {label: statistics.median(values) for label, values in runs.items()}


def run() -> list[dict]:
    ids = seed_pages()
    with tempfile.TemporaryDirectory(prefix="bench-web-", dir=os.environ.get("PAPYRUS_TEST_TMP")) as tmp:
        workdir = Path(tmp)
        scripts = {label: write_script(workdir, label, ids) for label in TARGETS}
        # settings.prod serves hashed static names from STATIC_ROOT's manifest: without a collectstatic
        # every HTML page is a 500 (as in a deployment that skipped it).
        env = {**server_env(workdir), "STATIC_ROOT": str(workdir / "static")}
        manage("collectstatic", "--noinput", "-v0", env=base_env(**env))
        with servers({"server": env}, workdir) as running:
            rps = measure(running["server"].url, scripts)
    return [{"name": name, "figure": round(rps[got], 2), "unit": "req/s", "baseline": round(rps[base], 2),
             "baseline_name": base_name, "ratio": round(rps[got] / rps[base], 3)}
            for got, base, name, base_name in ROWS]


if __name__ == "__main__":
    for row in run():
        print(row)
