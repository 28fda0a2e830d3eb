"""The files under LOG_DIR, written by real processes through build_logging()'s handlers."""
import json
import os
import subprocess
import sys
from collections import Counter
from datetime import date, timedelta

from ops.logging.conf import parse_size
from tests.support.live import ROOT

from .support import family, read_lines, today, write


def test_an_error_lands_in_error_combined_and_the_daily_file(tmp_path):
    write(tmp_path, "e", 3, errors_every=2)  # lines 0 and 2 are errors, 1 is info

    errors = read_lines(tmp_path / "error.log")
    combined = read_lines(tmp_path / "combined.log")
    daily = read_lines(tmp_path / f"{today()}.log")
    assert [(r["level"], r["n"]) for r in errors] == [("error", 0), ("error", 2)]
    assert [(r["level"], r["n"]) for r in combined] == [("error", 0), ("info", 1), ("error", 2)]
    assert daily == combined
    first = errors[0]
    assert first["message"] == "writer failed" and first["service"] == "papyrus" and first["tag"] == "e"


def test_http_and_debug_lines_appear_only_when_log_level_allows(tmp_path):
    levels = {}
    for level in ("warn", "info", "http", "debug"):
        directory = tmp_path / level
        write(directory, level, 2, level=level, errors_every=2)
        levels[level] = [r["level"] for r in read_lines(directory / "combined.log")]
    assert levels["warn"] == ["error"]
    assert levels["info"] == ["error", "info"]
    assert levels["http"] == ["error", "info", "http"]
    assert levels["debug"] == ["error", "info", "http", "debug"]


def test_files_rotate_at_the_configured_size(tmp_path):
    write(tmp_path, "r", 400, max_size="8k", max_files="100")

    rotated = [p for p in family(tmp_path, "combined.log") if p.name != "combined.log"]
    assert len(rotated) >= 5
    limit = parse_size("8k")
    longest = max(len(line) + 1 for p in rotated for line in p.read_text().splitlines())
    for path in rotated:
        # Rotation happens before the write that would start past the limit.
        assert limit <= path.stat().st_size < limit + longest, path
        assert path.name.startswith(f"combined.log.{today()}")
    daily_parts = family(tmp_path, f"{today()}.log")
    assert len(daily_parts) >= 6
    assert sorted(r["n"] for r in read_lines(*daily_parts) if r["n"] >= 0) == list(range(400))


def _touch_dated(directory, day: str) -> list:
    names = [f"combined.log.{day}", f"combined.log.{day}.1", f"error.log.{day}", f"{day}.log", f"{day}.log.1",
             f".__{day}.lock"]
    for name in names:
        (directory / name).write_text('{"old": true}\n')
    return names


def test_day_retention_removes_files_older_than_max_files_days(tmp_path):
    old_day = (date.today() - timedelta(days=20)).isoformat()
    recent_day = (date.today() - timedelta(days=2)).isoformat()
    old = _touch_dated(tmp_path, old_day)
    recent = _touch_dated(tmp_path, recent_day)

    # Small files so combined.log and error.log rotate (retention runs at rotation).
    write(tmp_path, "d", 300, max_size="4k", max_files="14d", errors_every=3)

    left = set(os.listdir(tmp_path))
    assert not left & set(old)
    assert set(recent) <= left


def test_count_retention_keeps_max_files_files(tmp_path):
    write(tmp_path, "c", 600, max_size="4k", max_files="3")

    assert len(family(tmp_path, "combined.log")) == 1 + 3
    assert len(family(tmp_path, f"{today()}.log")) == 1 + 3


def test_four_processes_through_rotations_lose_and_repeat_no_line(tmp_path):
    procs = [write(tmp_path, f"p{i}", 5000, max_size="256k", max_files="1000", wait=False) for i in range(4)]
    assert [p.wait(timeout=300) for p in procs] == [0, 0, 0, 0]

    for base in ("combined.log", f"{today()}.log"):
        files = family(tmp_path, base)
        assert len(files) > 4, f"{base} should have rotated several times"
        records = read_lines(*files)  # each line parses as JSON
        seen = Counter((r["tag"], r["n"]) for r in records if r["n"] >= 0)
        expected = {(f"p{i}", n) for i in range(4) for n in range(5000)}
        assert set(seen) == expected
        assert set(seen.values()) == {1}, "a line was written twice"


def test_a_container_logs_json_to_stdout_only_with_every_request_line_at_info(tmp_path):
    """LOG_FILES=false + LOG_REQUESTS=true (docker-compose): no files; stdout has the info lines and
    every request's line (the `ops.http` logger), while other `http`-level lines still obey LOG_LEVEL."""
    script = ("import logging, logging.config, sys; from ops.logging.config import build_logging; "
              "logging.config.dictConfig(build_logging(level='info', directory=sys.argv[1], service='papyrus', "
              "files=False, requests=True)); "
              "logging.getLogger('ops.http').log(15, 'GET /api/pages 200', extra={'route': '/api/pages'}); "
              "logging.getLogger('writer').log(15, 'not a request line'); "
              "logging.getLogger('writer').info('an info line')")
    out = subprocess.run([sys.executable, "-c", script, str(tmp_path / "logs")], capture_output=True, text=True,
                         check=True, cwd=ROOT)
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    assert [(r["level"], r["message"]) for r in lines] == [("http", "GET /api/pages 200"), ("info", "an info line")]
    assert lines[0]["route"] == "/api/pages" and lines[0]["service"] == "papyrus"
    assert out.stderr == "" and not (tmp_path / "logs").exists()
