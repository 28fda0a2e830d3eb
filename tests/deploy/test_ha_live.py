"""Past one machine (issue 25): deploy/ha/docker-compose.yml brought up by scripts.ha under podman —
two web nodes behind HAProxy, PostgreSQL under Patroni (three members, synchronous replication, etcd),
Redis with three Sentinels, a worker and a beat — and drilled: the primary's container killed under
writes, a web node killed under reads, the Redis master killed, a second beat started by mistake.
The `containers` lane; `-s` prints each drill's figures (acknowledged, lost, seconds until writes
resumed). A machine without podman fails here, it never skips. HA_LANE_KEEP=1 keeps the shape (and its
secrets in var/ha-lane.env) between runs while working on the drills."""
from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import time
import urllib.parse
from datetime import datetime

import pytest
from websockets.sync.client import connect as websocket

from scripts import compose, ha
from tests.support.live import ROOT, free_port
from tests.support.wait import wait_until

from .compose_shape import Load, Shape, call, lost_writes, sign_in

pytestmark = pytest.mark.containers

PROJECT = "papyrus-ha-lane"
ADMIN = ("ops@example.com", "Ha-lane-drill-1!")
# the drills measure availability, not the rate limiter: reads and writes limits far above the clients'
# pace; sign-in keeps its limit of 10 (checked after the Redis failover)
RULES = {"reads": {"limit": 100000}, "writes": {"limit": 100000}, "search": {"limit": 100000}}


@pytest.fixture(scope="module")
def shape(tmp_path_factory):
    assert shutil.which("podman"), "podman is missing: scripts/install-system-deps.sh (make test) installs it"
    keep = os.environ.get("HA_LANE_KEEP") == "1"
    env_file = (compose.var() / "ha-lane.env") if keep else tmp_path_factory.mktemp("ha") / "papyrus.env"
    values = compose.generated_env()  # with moto's S3 (--profile local-s3): WAL and base backups go there
    values.update(REPLICATION_PASSWORD="replication-" + values["REDIS_PASSWORD"], BACKUP_PITR_ENABLED="true",
                  RATE_LIMIT_RULES=json.dumps(RULES),
                  # a scheduled backup every minute: what a doubled beat would double
                  BACKUP_SCHEDULE="* * * * *", BACKUP_SETTLE_INTERVAL="5")
    if not (keep and env_file.exists()):
        compose.write_env(env_file, values)
    port = free_port()
    saved = {k: os.environ.get(k) for k in ("HA_PROJECT", "HA_PORT", "PAPYRUS_ENV_FILE")}
    os.environ.update(HA_PROJECT=PROJECT, HA_PORT=str(port), PAPYRUS_ENV_FILE=str(env_file))
    try:
        if not keep:
            compose.down(True, ha.project_env())  # a killed earlier run's leftovers
        started = time.monotonic()
        env = ha.up()
        print(f"\nha up (build + start): {time.monotonic() - started:.0f} s")
        shape = Shape(PROJECT, port, "", "", env)
        shape.exec("web1", "env", f"DJANGO_SUPERUSER_PASSWORD={ADMIN[1]}", "python", "manage.py", "createsuperuser",
                   "--noinput", "--email", ADMIN[0], "--name", "Ops", check=not keep)
        yield shape
        # before scripts.services ends the run: it stops every process left under it, conmon included
        if not keep:
            compose.down(True, env)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def report(what: str, load: Load, **figures) -> None:
    print(f"\n{what}: {load.summary()} {figures}")


def restart(shape: Shape, service: str) -> None:
    if not shape.running(service):
        shape.podman("start", shape.container(service))


def test_the_shape_has_a_primary_with_a_synchronous_standby_and_ha_status_names_it(shape, second_beat):
    done = shape.podman("exec", shape.container("pg1"), "true")  # the containers are there
    assert done.returncode == 0
    status = os.popen(f"cd {ROOT} && HA_PROJECT={PROJECT} PAPYRUS_ENV_FILE={shape.env['PAPYRUS_ENV_FILE']} "
                      f"make -s ha-status").read()
    leader = ha.primary(shape.env)
    assert f"primary: {shape.container(leader)}" in status.splitlines(), status
    assert re.search(rf"^redis master: {PROJECT}_redis\d_1$", status, re.M), status
    roles = sorted(m["role"] for m in ha.patroni_cluster(shape.env)["members"])
    assert roles == ["leader", "replica", "sync_standby"], roles
    # the application's writes go to the primary through HAProxy: one written here is on the standby
    auth = sign_in(shape.port, *ADMIN)
    status_code, _, body = call(shape.port, "POST", "/api/pages", {"title": "Replicated", "content": "x"}, auth)
    assert status_code == 201, body
    standby = ha.sync_standby(shape.env)
    rows = shape.exec(standby, "psql", "-h", "/var/run/postgresql", "-U", "papyrus", "-d", "papyrus", "-tAc",
                      f"SELECT title FROM wiki_page WHERE id = {json.loads(body)['id']}").stdout.strip()
    assert rows == "Replicated"


def send_base_backup(shape: Shape) -> None:
    """Beat's base-backup entries sent now, as beat sends them: one copy to each member's queue."""
    shape.exec("worker", "python", "manage.py", "shell", "-c",
               "from django.conf import settings; from papyrus.celery import app; "
               "[app.send_task(e['task'], **e.get('options', {})) "
               "for k, e in settings.CELERY_BEAT_SCHEDULE.items() if k.startswith('backups-pitr-base')]")


def base_backup_logs(shape: Shape) -> dict[str, tuple[int, int]]:
    """Per member: (base backups taken, copies skipped as a standby) by the pitr-base worker beside it."""
    counts = {}
    for n, member in enumerate(ha.MEMBERS, start=1):
        log = shape.logs(f"pitr-base{n}")
        counts[member] = (log.count("backups: base backup papyrus-"),
                          log.count("base backup skipped on this member: it is a standby"))
    return counts


def base_backup_round(shape: Shape) -> str:
    """Send beat's entries once; return the member whose worker took it, after both others skipped."""
    before = base_backup_logs(shape)
    send_base_backup(shape)

    def done() -> dict | None:
        now = base_backup_logs(shape)
        changed = {m: (now[m][0] - before[m][0], now[m][1] - before[m][1]) for m in now}
        return changed if sum(t for t, _ in changed.values()) == 1 and sum(s for _, s in changed.values()) == 2 else None

    changed = wait_until(done, "one member's worker to take the base backup and two to skip", timeout=300, interval=3)
    return next(m for m, (taken, _) in changed.items() if taken)


def base_backups_listed(shape: Shape) -> int:
    out = shape.exec("worker", "python", "manage.py", "backup", "pitr-list").stdout
    return int(re.search(r"(\d+) base backup\(s\)", out).group(1))


def test_the_base_backup_is_taken_beside_the_primary_and_the_standbys_skip(shape):
    """PITR in the replicated cluster: every member archives WAL while it is the primary; beat sends the
    base backup to the pitr-base worker beside each member, and only the primary's takes it."""
    leader = ha.primary(shape.env)
    assert base_backup_round(shape) == leader
    assert base_backups_listed(shape) == 1


def test_the_primary_killed_under_writes_503_until_the_standby_takes_over_and_no_acknowledged_write_is_lost(shape):
    auth = sign_in(shape.port, *ADMIN)
    old = ha.primary(shape.env)
    with Load(shape.port, auth, readers=1, writers=3) as load:
        time.sleep(3)
        killed = time.monotonic()  # podman may take seconds to return: the figure is an upper bound
        shape.podman("kill", "--signal", "KILL", shape.container(old))
        wait_until(lambda: (ha.primary(shape.env) or old) != old, "a new primary", timeout=60, interval=0.5)
        wait_until(lambda: any(o.status == 201 and o.started > killed for o in load.of("write")),
                   "a write to succeed after the kill", timeout=60, interval=0.5)
        time.sleep(3)
    writes = load.of("write")
    acknowledged = [o for o in writes if o.status == 201]
    refused = [o for o in load.outcomes if o.status not in (200, 201)]
    first_refused = min((o.started for o in refused), default=killed)
    resumed = min(o.ended for o in acknowledged if o.started > first_refused) - killed
    lost = lost_writes(shape.port, auth, load)
    report(f"primary {old} killed", load, acknowledged=len(acknowledged), lost=len(lost),
           refused=len(refused), writes_resumed_after_s=round(resumed, 1), new_primary=ha.primary(shape.env))
    assert refused, "the kill refused nothing: the drill did not overlap the failover"
    for o in refused:  # never a 500, never a hang: 503 JSON with Retry-After until the new primary
        assert o.status == 503 and json.loads(o.body)["message"] and "retry-after" in o.headers, (o.status, o.body)
    assert lost == [] and len(acknowledged) > 20
    assert resumed < 30
    # the old primary comes back as a replica of the new one (pg_rewind), and the cluster is whole again
    restart(shape, old)
    wait_until(lambda: {m["name"]: m for m in ha.patroni_cluster(shape.env)["members"]}.get(old, {}).get("state")
               in ("running", "streaming"), f"{old} to rejoin", timeout=120, interval=1)
    assert ha.primary(shape.env) != old
    wait_until(lambda: ha.sync_standby(shape.env), "a synchronous standby again", timeout=60, interval=1)


def test_pitr_recovers_across_the_failover_and_the_new_primary_takes_the_next_base_backup(shape):
    """The base backup taken on the old primary, recovered by the drill to a second after the failover
    (the WAL of both timelines, from the bucket) has the live database's rows; the next base backup is
    the new primary's worker's."""
    assert base_backups_listed(shape) == 1  # the one taken before the failover: the drill crosses it
    drill = shape.exec("worker", "python", "manage.py", "backup", "pitr-drill", check=False)
    print(f"\n{drill.stdout.strip()}")
    assert drill.returncode == 0 and "PITR drill passed" in drill.stdout, drill.stdout + drill.stderr
    leader = ha.primary(shape.env)
    assert base_backup_round(shape) == leader
    assert base_backups_listed(shape) == 2


def test_a_web_node_killed_the_load_balancer_takes_it_out_under_one_percent_of_reads_fail(shape):
    auth = sign_in(shape.port, *ADMIN)
    with Load(shape.port, auth, readers=4, writers=1) as load:
        time.sleep(3)
        shape.podman("kill", "--signal", "KILL", shape.container("web1"), shape.container("asgi1"))
        time.sleep(12)
    reads = load.of("read")
    failed = [o.status for o in reads if o.status != 200]
    lost = lost_writes(shape.port, auth, load)
    report("web node 1 killed", load, reads=len(reads), failed_reads=len(failed), lost=len(lost))
    assert len(reads) > 100 and len(failed) / len(reads) < 0.01, failed
    assert all(o.status == 201 or o.status >= 400 for o in load.of("write")) and lost == []
    for service in ("web1", "asgi1"):
        restart(shape, service)
        shape.wait_healthy(service)


def admin_session_works(port: int) -> bool:
    """The Django admin's sign-in form: the session it creates lives in Redis (the cache backend)."""
    status, headers, body = call(port, "GET", "/admin/login/")
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    cookie = re.search(r"csrftoken=([^;]+)", headers.get("set-cookie", ""))
    if status != 200 or not token or not cookie:
        return False
    form = urllib.parse.urlencode({"csrfmiddlewaretoken": token.group(1).decode(), "username": ADMIN[0],
                                   "password": ADMIN[1], "next": "/admin/"})
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("POST", "/admin/login/", body=form, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={cookie.group(1)}",
        "Referer": f"http://127.0.0.1:{port}/admin/login/"})
    reply = conn.getresponse()
    reply.read()
    session = re.search(r"sessionid=([^;]+)", reply.getheader("Set-Cookie") or "")
    conn.close()
    if reply.status != 302 or not session:
        return False
    status, _, body = call(port, "GET", "/admin/", headers={"Cookie": f"sessionid={session.group(1)}"})
    return status == 200 and b"Log out" in body


def test_the_redis_master_killed_sentinel_promotes_a_replica_and_every_redis_user_reconnects(shape):
    auth = sign_in(shape.port, *ADMIN)
    old = ha.redis_master(shape.env)
    assert old in ha.REDIS, old
    page = json.loads(call(shape.port, "POST", "/api/pages", {"title": "Before the failover", "content": "x"},
                           auth)[2])
    with Load(shape.port, auth, readers=2, writers=1) as load:
        time.sleep(2)
        shape.podman("kill", "--signal", "KILL", shape.container(old))
        killed = time.monotonic()
        new = wait_until(lambda: (ha.redis_master(shape.env) or old) != old and ha.redis_master(shape.env),
                         "Sentinel to promote a replica", timeout=60, interval=0.5)
        promoted = time.monotonic() - killed
        time.sleep(5)
    failed = [(o.kind, o.status) for o in load.outcomes if o.status not in (200, 201)]
    lost = lost_writes(shape.port, auth, load)
    report(f"redis master {old} killed", load, promoted_after_s=round(promoted, 1), new_master=new,
           failed=len(failed), lost=len(lost))
    assert lost == [] and load.of("write")[-1].status == 201 and load.of("read")[-1].status == 200

    def keys() -> int:
        out = shape.exec(new, "redis-cli", "dbsize").stdout.strip()
        return int(out or 0)

    # cache: a read fills the new master (the response cache's entries and generations live there)
    before = keys()
    assert call(shape.port, "GET", f"/api/pages/{page['id']}", headers=auth)[0] == 200
    assert call(shape.port, "GET", "/api/pages?q=failover")[0] == 200
    wait_until(lambda: keys() > before, "the cache to write to the new master", timeout=30, interval=1)
    # sessions: the admin's sign-in form works, its session read back from the new master
    wait_until(lambda: admin_session_works(shape.port), "an admin session through the new master", timeout=30,
               interval=1)
    # rate limits: the 11th wrong password from this address in a minute is refused
    statuses = [call(shape.port, "POST", "/api/auth/login", {"email": ADMIN[0], "password": "wrong"})[0]
                for _ in range(12)]
    assert statuses[-1] == 429 and 401 in statuses, statuses
    # the channel layer: a page event reaches a WebSocket subscriber through the new master's pub/sub
    token = auth["Authorization"].split()[1]
    with websocket(f"ws://127.0.0.1:{shape.port}/ws/events/", additional_headers={"Authorization": f"Bearer {token}"},
                   open_timeout=10) as ws:
        title = f"Event after the failover {time.time_ns()}"
        created = None
        deadline = time.monotonic() + 30
        while created is None and time.monotonic() < deadline:
            call(shape.port, "POST", "/api/pages", {"title": title, "content": "x"}, auth)
            try:
                while True:
                    event = json.loads(ws.recv(timeout=3))
                    if event.get("type") == "page.created" and event["page"]["title"] == title:
                        created = event
                        break
            except TimeoutError:
                title = f"Event after the failover {time.time_ns()}"
        assert created, "no page.created event over the channel layer after the failover"
    # Celery: a backup asked for through the API runs in the worker (broker through Sentinel); a 409
    # says the minute's scheduled backup holds the lock: asked again, as its message says
    def asked() -> tuple | None:
        answer = call(shape.port, "POST", "/api/admin/backup", {}, auth)
        return None if answer[0] == 409 else answer

    status, _, body = wait_until(asked, "the backup lock to be free", timeout=120, interval=2)
    assert status == 202, body
    name = json.loads(body)["name"]

    def backup_status() -> str:
        return next((r["status"] for r in backups(shape) if r["name"] == name), "")

    wait_until(lambda: backup_status() == "success", f"backup {name} to succeed", timeout=120, interval=2)
    restart(shape, old)
    wait_until(lambda: "role:slave" in shape.exec(old, "redis-cli", "info", "replication", check=False).stdout,
               f"{old} to rejoin as a replica", timeout=60, interval=1)


def backups(shape: Shape) -> list[dict]:
    """The backup records (name, kind, status) as the worker's database sees them."""
    done = shape.exec("worker", "python", "manage.py", "shell", "-c",
                      "import json; from backups_app.models import Backup; "
                      "print(json.dumps(list(Backup.objects.values('name', 'kind', 'status'))))", check=False)
    return json.loads(done.stdout.strip().splitlines()[-1]) if done.returncode == 0 and done.stdout.strip() else []


@pytest.fixture(scope="module")
def second_beat(shape):
    """A second beat started by mistake beside the shape's (the same image, command and environment),
    from the first drill on, so the scheduled minutes it could double pass during the other drills."""
    beat = shape.container("beat")
    name = f"{PROJECT}_beat_mistake"
    image = shape.podman("inspect", "--format", "{{.ImageName}}", beat).stdout.strip()
    network = shape.podman("inspect", "--format", "{{range $k, $v := .NetworkSettings.Networks}}{{$k}}{{end}}",
                           beat).stdout.strip()
    environment = shape.podman("inspect", "--format", "{{range .Config.Env}}{{println .}}{{end}}", beat).stdout
    shape.podman("rm", "-f", name, check=False)
    # as the beat service: restarted when it exits (a beat that loses Redis mid-failover exits, comes
    # back and waits for the lock again)
    shape.podman("run", "-d", "--name", name, "--network", network, "--restart", "unless-stopped",
                 *[arg for line in environment.splitlines() if "=" in line and not line.startswith("HOSTNAME=")
                   for arg in ("-e", line)],
                 image, "celery", "-A", "papyrus", "beat", "--loglevel", "INFO")
    yield name, time.monotonic()
    shape.podman("rm", "-f", name, check=False)


def settle_sends(log: str) -> list[float]:
    """When a beat sent its settle entry (every BACKUP_SETTLE_INTERVAL = 5 s), from its JSON log lines."""
    times = []
    for line in log.splitlines():
        if "Sending due task backups-settle" in line and line.startswith("{"):
            stamp = json.loads(line)["timestamp"]
            times.append(datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp())
    return times


def test_a_second_beat_started_by_mistake_waits_and_backups_are_not_doubled(shape, second_beat):
    """One beat at a time: the lock (RedBeat, in Redis) may change hands — the Redis failover of the drill
    before makes a waiting beat exit and come back — but two beats never send together."""
    name, started = second_beat
    beat = shape.container("beat")

    def logs(container: str) -> str:
        done = shape.podman("logs", container)
        return done.stdout + done.stderr

    # at least two scheduled minutes (BACKUP_SCHEDULE every minute) with both beats running, and two
    # scheduled backups written: a minute that fell in a lock handover (the Redis failover drilled just
    # before: the holder exits, the lock expires after 30 s) is sent late by the beat that takes over
    wait_until(lambda: time.monotonic() - started > 125, "two scheduled minutes", timeout=200, interval=5)

    def written() -> list[dict]:
        rows = [r for r in backups(shape) if r["kind"] == "scheduled"]
        return rows if len(rows) >= 2 else []

    scheduled = wait_until(written, "two scheduled backups", timeout=300, interval=5)
    first, second = settle_sends(logs(beat)), settle_sends(logs(name))
    assert first or second
    # one beat at a time sends the 5 s entry every ~5 s; two beats at once would send it twice as often
    merged = sorted(first + second)
    together = [(a, b) for a, b in zip(merged, merged[1:]) if b - a < 4.0]
    minutes = [re.match(r"backup_\d{4}-\d\d-\d\d_\d{4}", r["name"]).group(0) for r in scheduled]
    print(f"\nscheduled backups: {len(scheduled)} over {len(set(minutes))} minutes, two beats for "
          f"{time.monotonic() - started:.0f} s; settle sends {len(first)} + {len(second)}, together {len(together)}")
    assert together == []
    assert len(scheduled) >= 2 and len(minutes) == len(set(minutes)), minutes  # one backup per scheduled minute
