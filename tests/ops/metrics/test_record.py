"""ops.metrics.record writes what prometheus_client's own methods write (multiprocess files)."""
import json
import os
import subprocess
import sys

from .support import value
from .test_multiproc import ROOT, collect


def written(tmp_path, mode: str) -> tuple[dict, bool]:
    directory = tmp_path / mode
    directory.mkdir()
    out = subprocess.run([sys.executable, "-m", "tests.ops.metrics.record_writer", mode], cwd=ROOT, check=True,
                         env=dict(os.environ, PROMETHEUS_MULTIPROC_DIR=str(directory)), capture_output=True, text=True)
    return collect(directory), json.loads(out.stdout)["lean"]


def test_the_one_call_path_writes_what_the_children_would_write(tmp_path):
    lean, lean_used = written(tmp_path, "lean")
    plain, _ = written(tmp_path, "plain")

    # Fails when a prometheus_client upgrade moves the internals the lean path uses (it then falls back).
    assert lean_used, "ops.metrics.record fell back to the children's methods under multiprocess mode"
    assert lean == plain
    # What both say, so the comparison is not of two empty scrapes: parent 4 requests, forked child 4.
    page = {"method": "GET", "route": "/api/pages/{page_id}", "status": "200"}
    assert value(lean, "papyrus_http_requests_total", **page) == 4
    assert value(lean, "papyrus_http_requests_total") == 8
    assert value(lean, "papyrus_http_request_duration_seconds_bucket", le="0.005", **page) == 2
    assert value(lean, "papyrus_http_request_duration_seconds_bucket", le="0.01", **page) == 4
    assert value(lean, "papyrus_http_request_duration_seconds_bucket", le="10.0", route="/api/pages",
                 status="404") == 0
    assert value(lean, "papyrus_http_request_duration_seconds_count", route="/api/pages", status="404") == 2
    assert round(value(lean, "papyrus_http_request_duration_seconds_sum"), 6) == round(2 * (0.0109 + 12.3), 6)
    assert value(lean, "papyrus_http_request_size_bytes_sum") == 3000
    assert value(lean, "papyrus_http_request_size_bytes_bucket", le="0.0") == 6
    assert value(lean, "papyrus_http_response_size_bytes_sum") == 2 * (812 + 64 + 900)
    assert value(lean, "papyrus_active_connections") == 1
