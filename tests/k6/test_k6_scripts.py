"""The k6 scripts parse as ES modules and their requests match the API.

k6 itself is not installable here (no registry carries it), so each script runs one
iteration under Node with a small shim of the k6 API (tests/k6/shim) that performs every
request for real against a live Papyrus; each k6 check must pass.
"""
import json
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
GUIDE_STAGES = [("1m", 50), ("3m", 200), ("5m", 500), ("5m", 1000), ("3m", 500), ("1m", 0)]
GUIDE_THRESHOLDS = {"http_req_duration": ["p(95)<500"], "http_req_failed": ["rate<0.01"],
                    "checks": ["rate>0.95"]}


@pytest.fixture
def k6_tree(tmp_path):
    """A copy of k6/ with the shim installed as its `k6` package."""
    tree = tmp_path / "k6"
    shutil.copytree(ROOT / "k6", tree)
    shutil.copytree(HERE / "shim" / "k6", tree / "node_modules" / "k6")
    shutil.copy(HERE / "run_under_node.mjs", tree / "run_under_node.mjs")
    return tree


def run_script(tree: Path, script: str, base_url: str) -> dict:
    out = subprocess.run(["node", "run_under_node.mjs", script], cwd=tree, env={"BASE_URL": base_url, "PATH": "/usr/bin:/bin"},
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


@pytest.mark.parametrize("script", sorted(p.name for p in (ROOT / "k6").glob("*.js")))
def test_each_k6_script_passes_its_checks_against_a_live_server(k6_tree, papyrus_server, celery_worker_process,
                                                               script):
    celery_worker_process()  # /health is 200 only with a worker answering
    server = papyrus_server(workers=1, env={"RATE_LIMIT_ENABLED": "false"})
    # A public page exists so that Browse Pages has something to open.
    run_script(k6_tree, "smoke.js", server.url) if script != "smoke.js" else None
    record = run_script(k6_tree, script, server.url)
    failed = [c["name"] for c in record["checks"] if not c["ok"]]
    assert record["checks"], "the script made no checks"
    assert failed == []
    assert {"Health Check", "Browse Pages", "Search", "Authenticated CRUD"} <= set(record["groups"])
    methods = {(r["method"], r["url"].split("?")[0].rsplit("/", 1)[-1].isdigit()) for r in record["requests"]}
    assert ("DELETE", True) in methods and ("PATCH", True) in methods
    assert all(r["headers"].get("Content-Type") == "application/json" for r in record["requests"])
    # CRUD pages go to the team setup() created, never where anonymous Browse can open them.
    creates = [json.loads(r["body"]) for r in record["requests"]
               if r["method"] == "POST" and r["url"].endswith("/api/pages")]
    assert creates and all(isinstance(c.get("teamId"), int) for c in creates)


def test_load_test_has_the_guides_stages_and_thresholds(k6_tree, papyrus_server):
    server = papyrus_server(workers=1, env={"RATE_LIMIT_ENABLED": "false"})
    options = run_script(k6_tree, "load-test.js", server.url)["options"]
    assert [(s["duration"], s["target"]) for s in options["stages"]] == GUIDE_STAGES
    assert options["thresholds"] == GUIDE_THRESHOLDS


def test_a_broken_expectation_fails_a_check(k6_tree, papyrus_server):
    """The harness can fail: point the scripts at a route that does not exist."""
    server = papyrus_server(workers=1)
    lib = k6_tree / "lib" / "api.js"
    lib.write_text(lib.read_text().replace("/api/search?", "/api/nowhere?"))
    record = run_script(k6_tree, "smoke.js", server.url)
    assert "search is 200" in [c["name"] for c in record["checks"] if not c["ok"]]
