"""The suite's lanes (markers in pytest.ini), given by path or fixture here rather than in each module.

- `browser`: drives Chromium through Playwright.
- `live`: starts the project's own processes — a web server, a Celery worker or beat, manage.py on a
  scratch database, a PostgreSQL cluster, a fresh interpreter on a bare project (the standalone
  proofs), k6 scripts under Node — or renders/serves the deployment files with their tools.
- `containers`: the production shape under podman (tests/deploy/test_compose_live.py marks itself).

`pytest -m "not live and not browser and not containers"` is the fast loop for a change in one app;
`make test` runs every lane.
"""
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent

BROWSER = {
    "papyrus/web/test_browser.py", "backups_app/test_live.py", "scripts/test_make_run.py",
}
LIVE = {
    "test_live_smoke.py", "backups_app", "deploy", "k6", "scripts", "settings",
    "ops/checklist/test_post_deploy.py", "ops/checklist/test_standalone.py", "ops/errors/test_lean_path.py",
    "ops/errors/test_sentry_live.py", "ops/errors/test_sentry_setup.py", "ops/health/test_live_health.py",
    "ops/logging/test_files.py", "ops/logging/test_requests.py", "ops/metrics/test_exporter.py",
    "ops/metrics/test_live_prometheus.py", "ops/metrics/test_multiproc.py", "ops/metrics/test_record.py",
    "ops/metrics/test_hooks.py", "ops/ratelimit/test_leases.py", "ops/ratelimit/test_standalone.py",
    "ops/reports/test_digest.py", "ops/reports/test_standalone.py", "ops/cache/test_standalone.py",
    "ops/realtime/test_standalone.py", "papyrus/wiki/test_realtime_live.py", "papyrus/wiki/test_cache_live.py",
    "papyrus/wiki/test_fastreads_live.py", "papyrus/wiki/test_live_loadtest_flow.py",
    "papyrus/wiki/test_realtime_redis_restart.py", "papyrus/accounts/test_refresh_race_live.py",
}
# Fixtures that start processes: a test using one is live wherever it is.
LIVE_FIXTURES = {"papyrus_server", "celery_worker_process", "migrated_main_db", "moto_s3", "live_db"}


def _under(relative: str, paths: set[str]) -> bool:
    return any(relative == path or relative.startswith(path + "/") for path in paths)


def mark(items) -> None:
    for item in items:
        relative = Path(str(item.fspath)).resolve().relative_to(TESTS).as_posix()
        if _under(relative, BROWSER):
            item.add_marker(pytest.mark.browser)
        if _under(relative, LIVE) or LIVE_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.live)
