"""The production shape as an operator deploys it (issue 24): the images built here, docker-compose.yml
run under podman by scripts.compose with web scaled to two replicas, checked through its nginx,
Prometheus and Alertmanager, and drilled under load. The `containers` lane (`pytest -m containers`);
a machine without podman fails here, it never skips. Figures: `-s` prints each drill's counts."""
from __future__ import annotations

import json
import os
import re
import shutil
import time
import urllib.parse
import urllib.request
import uuid

import pytest

from scripts import compose
from tests.support.live import free_port
from tests.support.wait import wait_until

from .compose_shape import AlertSink, Load, Shape, alertmanager_config, call, lost_writes, run_compose, sign_in

pytestmark = pytest.mark.containers

PROJECT = "papyrus-lane"
ADMIN = ("ops@example.com", "Compose-lane-1!")


@pytest.fixture(scope="module")
def sink():
    sink = AlertSink(free_port())
    yield sink
    sink.stop()


@pytest.fixture(scope="module")
def shape(tmp_path_factory, sink):
    assert shutil.which("podman"), "podman is missing: scripts/install-system-deps.sh (make test) installs it"
    tmp = tmp_path_factory.mktemp("compose")
    env_file = tmp / "papyrus.env"
    # the drills measure availability, not the rate limiter: real clients, limits off (as the load tests)
    # PITR on: WAL archived from the postgres container to moto's S3, base backups from pitr-base
    compose.write_env(env_file, {**compose.generated_env(), "RATE_LIMIT_ENABLED": "false",
                                 "BACKUP_PITR_ENABLED": "true", "BACKUP_PITR_ARCHIVE_TIMEOUT": "10"})
    ports = {name: str(free_port()) for name in ("COMPOSE_PORT", "PROMETHEUS_PORT", "ALERTMANAGER_PORT")}
    env = {**os.environ, **ports, "COMPOSE_PROJECT_NAME": PROJECT, "PAPYRUS_ENV_FILE": str(env_file),
           "ALERTMANAGER_CONFIG": str(alertmanager_config(tmp / "alertmanager.yml", sink.server.server_port))}
    log = tmp / "compose.log"
    run_compose(env, "down", "--clean", log=log)  # a killed earlier run's leftovers
    started = time.monotonic()
    run_compose(env, "up", "--scale", "web=2", log=log)
    print(f"\ncompose up (build + start): {time.monotonic() - started:.0f} s")
    shape = Shape(PROJECT, int(ports["COMPOSE_PORT"]), f"http://127.0.0.1:{ports['PROMETHEUS_PORT']}",
                  f"http://127.0.0.1:{ports['ALERTMANAGER_PORT']}", env)
    shape.exec("web", "env", f"DJANGO_SUPERUSER_PASSWORD={ADMIN[1]}", "python", "manage.py", "createsuperuser",
               "--noinput", "--email", ADMIN[0], "--name", "Ops")
    yield shape
    # before scripts.services ends the run: it stops every process left under it, conmon included
    run_compose(env, "down", "--clean", log=log)


@pytest.fixture(scope="module")
def auth(shape):
    return sign_in(shape.port, *ADMIN)


def prometheus(shape: Shape, query: str) -> list[dict]:
    url = f"{shape.prometheus}/api/v1/query?query={urllib.parse.quote(query)}"
    with urllib.request.urlopen(url, timeout=10) as reply:
        return json.load(reply)["data"]["result"]


def test_the_app_image_has_no_test_tool_runs_as_non_root_and_fits_its_budget(shape):
    size = int(shape.podman("image", "inspect", "--format", "{{.Size}}", compose.APP_IMAGE).stdout)
    assert size <= 700 * 10**6, f"{size / 10**6:.0f} MB"
    assert shape.exec("web", "id", "-u").stdout.strip() == "10001"
    modules = shape.exec("web", "python", "-c", "import importlib.util as u; print([m for m in "
                         "('pytest', 'playwright', 'moto', 'sympy', 'cfn_lint', 'pip') if u.find_spec(m)])")
    assert modules.stdout.strip() == "[]"
    assert shape.exec("web", "sh", "-c", "command -v gcc cc || true").stdout.strip() == ""
    assert shape.exec("web", "test", "-e", "/app/tests", check=False).returncode != 0


def test_through_nginx_a_user_signs_in_writes_and_reads_and_the_admin_is_styled(shape, auth):
    status, _, body = call(shape.port, "POST", "/api/pages", {"title": "Compose check", "content": "hello"}, auth)
    assert status == 201, body[:300]
    page = json.loads(body)
    status, _, body = call(shape.port, "GET", f"/api/pages/{page['id']}")
    assert status == 200 and json.loads(body)["content"] == "hello"

    status, _, html = call(shape.port, "GET", "/admin/login/")
    assert status == 200
    css = re.search(rb'href="(/static/admin/css/base\.[0-9a-f]+\.css)"', html)
    assert css, html[:500]
    status, headers, _ = call(shape.port, "GET", css.group(1).decode())
    assert status == 200 and headers["content-type"].startswith("text/css")


def test_every_app_container_is_a_prometheus_target_and_up(shape):
    def components():
        return {(s["metric"]["component"], s["metric"]["instance"]): s["value"][1]
                for s in prometheus(shape, 'up{job="papyrus"}')}

    wait_until(lambda: len(components()) == 6 and set(components().values()) == {"1"},
               "web ×2, asgi, worker, beat and pitr-base to be scraped and up", timeout=120, interval=3)
    assert sorted(c for c, _ in components()) == ["asgi", "beat", "pitr-base", "web", "web", "worker"]
    call(shape.port, "GET", "/api/pages")
    wait_until(lambda: prometheus(shape, "sum(rate(papyrus_http_requests_total[5m]))"),
               "the guide's request-rate query to return data", timeout=90, interval=3)
    runs = 'sum(papyrus_celery_task_runs_total) or vector(0)'
    assert prometheus(shape, runs)  # the worker's own series reach Prometheus


def test_each_request_is_one_json_line_on_the_containers_stdout(shape):
    request_id = f"lane-{uuid.uuid4().hex}"
    assert call(shape.port, "GET", "/api/pages?limit=1", headers={"X-Request-ID": request_id})[0] == 200
    lines = [json.loads(line) for n in (1, 2) for line in shape.logs("web", n).splitlines()
             if request_id in line and line.startswith("{")]
    assert len(lines) == 1, lines
    line = lines[0]
    assert (line["method"], line["route"], line["status"]) == ("GET", "/api/pages", 200)
    assert line["durationMs"] > 0 and line["requestId"] == request_id and line["service"] == "papyrus"


def test_a_backup_created_in_the_worker_lands_in_s3_and_restores_from_it(shape, auth):
    kept = json.loads(call(shape.port, "POST", "/api/pages", {"title": "Before the backup", "content": "kept"},
                           auth)[2])
    created = shape.exec("worker", "python", "manage.py", "backup", "create").stdout
    name = re.search(r"backup_\d{4}-\d\d-\d\d_\d{6}\.sql\.gz", created).group(0)
    assert "(+S3)" in created, created
    listing = shape.exec("worker", "python", "-c", "import os, boto3; print([o['Key'] for o in boto3.client('s3', "
                         "endpoint_url=os.environ['AWS_S3_ENDPOINT_URL']).list_objects_v2(Bucket=os.environ["
                         "'BACKUP_S3_BUCKET'])['Contents']])").stdout
    assert f"backups/{name}" in listing

    gone = json.loads(call(shape.port, "POST", "/api/pages", {"title": "After the backup", "content": "x"}, auth)[2])
    shape.exec("worker", "rm", f"/app/backups/{name}")  # the local copy is lost: the restore fetches it from S3
    restored = shape.exec("worker", "python", "manage.py", "backup", "restore", f"--file={name}", "--yes")
    assert restored.returncode == 0, restored.stdout + restored.stderr
    auth_again = sign_in(shape.port, *ADMIN)  # a restore replaces the sign-ins too
    assert call(shape.port, "GET", f"/api/pages/{kept['id']}", headers=auth_again)[0] == 200
    assert call(shape.port, "GET", f"/api/pages/{gone['id']}", headers=auth_again)[0] == 404


def test_point_in_time_recovery_runs_inside_the_containers(shape, auth):
    """WAL archived by the postgres container, a base backup by pitr-base (uid 999, pgdata read-only),
    and the drill in the worker recovering both from S3 into a scratch server."""
    base = shape.exec("pitr-base", "python", "manage.py", "backup", "pitr-base")
    assert base.returncode == 0, base.stdout + base.stderr
    call(shape.port, "POST", "/api/pages", {"title": "After the base backup", "content": "wal"}, auth)
    shape.exec("postgres", "psql", "-U", "papyrus", "-d", "papyrus", "-Atc", "SELECT pg_switch_wal()")
    listed = wait_until(lambda: (out := shape.exec("worker", "python", "manage.py", "backup", "pitr-list").stdout)
                        and "0 base backup" not in out and "WAL: none" not in out and out, "the base backup and archived WAL to be listed", timeout=120,
                        interval=3)
    print(f"\npitr-list:\n{listed}")
    drill = shape.exec("worker", "python", "manage.py", "backup", "pitr-drill", check=False)
    assert drill.returncode == 0, drill.stdout + drill.stderr


def restarted_under_load(shape: Shape, auth: dict, service: str) -> Load:
    """`podman restart` of a data service while readers and writers run, until it is healthy again + 5 s."""
    with Load(shape.port, auth) as load:
        time.sleep(2)
        shape.podman("restart", "--time", "10", shape.container(service))
        wait_until(lambda: shape.healthy(service), f"{service} to answer again", timeout=120)
        time.sleep(5)
    return load


def report(what: str, load: Load, **figures) -> None:
    print(f"\n{what}: {load.summary()} {figures}")


def test_killing_one_web_replica_loses_no_read_and_no_acknowledged_write(shape):
    auth = sign_in(shape.port, *ADMIN)
    with Load(shape.port, auth) as load:
        time.sleep(3)
        shape.podman("kill", "--signal", "KILL", shape.container("web", 1))
        time.sleep(10)
    reads, writes = load.of("read"), load.of("write")
    failed_reads = [o.status for o in reads if o.status != 200]
    lost = lost_writes(shape.port, auth, load)
    report("kill -9 web_1", load, failed_reads=len(failed_reads), lost=len(lost))
    assert len(reads) > 50 and failed_reads == []
    assert all(o.status == 201 or o.status >= 400 for o in writes) and lost == []
    if not shape.running("web", 1):
        shape.podman("start", shape.container("web", 1))
    shape.wait_healthy("web", 1)


def test_a_rolling_restart_of_the_web_replicas_fails_no_request(shape):
    auth = sign_in(shape.port, *ADMIN)
    with Load(shape.port, auth) as load:
        for n in (1, 2):
            time.sleep(2)
            shape.podman("restart", "--time", "30", shape.container("web", n))
            shape.wait_healthy("web", n)
        time.sleep(2)
    failed = [(o.kind, o.status) for o in load.outcomes if o.status not in (200, 201)]
    report("rolling restart", load, failed=len(failed))
    assert len(load.of("write")) > 20 and failed == []
    assert lost_writes(shape.port, auth, load) == []


def test_postgres_restarted_under_writes_answers_503_json_and_keeps_every_acknowledged_write(shape):
    auth = sign_in(shape.port, *ADMIN)
    load = restarted_under_load(shape, auth, "postgres")
    writes = load.of("write")
    refused = [o for o in load.outcomes if o.status not in (200, 201)]
    lost = lost_writes(shape.port, auth, load)
    report("postgres restart", load, refused=len(refused), lost=len(lost))
    assert refused, "the restart refused nothing: the drill did not overlap the outage"
    for o in refused:
        assert o.status == 503 and json.loads(o.body)["message"] and "retry-after" in o.headers, (o.status, o.body)
    assert lost == [] and writes[-1].status == 201  # writes came back by themselves


def test_redis_restarted_the_site_keeps_answering(shape):
    auth = sign_in(shape.port, *ADMIN)
    load = restarted_under_load(shape, auth, "redis")
    failed = [(o.kind, o.status) for o in load.outcomes if o.status not in (200, 201)]
    report("redis restart", load, failed=len(failed))
    assert len(load.of("read")) > 50 and failed == []
    assert lost_writes(shape.port, auth, load) == []


def test_a_stopped_worker_pages_through_alertmanager_with_its_runbook(shape, sink):
    shape.podman("stop", "--time", "10", shape.container("worker"))
    try:
        def fired():
            return [a for a in sink.alerts() if a["labels"].get("alertname") == "PapyrusTargetDown"
                    and a["labels"].get("component") == "worker" and a["status"] == "firing"]

        # `for: 2m` in alerts.yml, scraped every 15 s, evaluated every 15 s
        alerts = wait_until(fired, "PapyrusTargetDown for the worker to reach the webhook", timeout=300,
                            interval=5)
        assert alerts[0]["annotations"]["runbook_url"].startswith("docs/deploy.md#")
    finally:
        shape.podman("start", shape.container("worker"))
