"""METRICS_EXPORTER_PORT: a real Celery worker (prefork: the tasks run in child processes) and beat
serve their own /metrics, each from its own multiprocess directory (one per container in compose)."""
import subprocess

from papyrus.accounts.tasks import PRUNE_TASK
from tests.support.celery import CeleryWorker
from tests.support.live import BIN, ROOT, Process, base_env, free_port
from tests.support.wait import wait_until

from .support import get, parse, value


def test_a_celery_worker_serves_its_tasks_series_on_its_own_port(tmp_path, redis_database):
    port, directory = free_port(), tmp_path / "prometheus"
    directory.mkdir()
    env = {"METRICS_EXPORTER_PORT": str(port), "PROMETHEUS_MULTIPROC_DIR": str(directory),
           "LOG_DIR": str(tmp_path / "logs"), "REDIS_URL": redis_database.url}  # its own broker queue
    worker = CeleryWorker(env=env, pool="prefork", concurrency=2, log=tmp_path / "worker.log").start()
    try:
        url = f"http://127.0.0.1:{port}/metrics"
        wait_until(lambda: get(url)[0] == 200, "the worker's exporter to answer", ignore=(OSError,))
        subprocess.run([str(BIN / "celery"), "-A", "papyrus", "call", PRUNE_TASK], cwd=ROOT, env=worker.env,
                       check=True, capture_output=True, timeout=60)
        wait_until(lambda: value(parse(get(url)[1].decode()), "papyrus_celery_task_runs_total", task=PRUNE_TASK) == 1,
                   "the task's run to be scraped from the worker", timeout=60)
        samples = parse(get(url)[1].decode())
        assert value(samples, "process_resident_memory_bytes") > 0  # every live pool process, by pid
        assert get(f"http://127.0.0.1:{port}/other")[0] == 404
    finally:
        worker.stop()


def test_the_exporter_keeps_the_metrics_access_rules(tmp_path, redis_database):
    port, directory = free_port(), tmp_path / "prometheus"
    directory.mkdir()
    env = base_env(METRICS_EXPORTER_PORT=str(port), PROMETHEUS_MULTIPROC_DIR=str(directory), LOG_DIR=str(tmp_path),
                   METRICS_TOKEN="a-scrape-token-for-the-test-0123456789", REDIS_URL=redis_database.url)
    beat = Process([str(BIN / "celery"), "-A", "papyrus", "beat", "-s", str(tmp_path / "beat-schedule")], env=env,
                   log=tmp_path / "beat.log").start()
    try:
        url = f"http://127.0.0.1:{port}/metrics"
        wait_until(lambda: get(url)[0] == 401, "beat's exporter to answer (401 without the token)", ignore=(OSError,))
        status, body = get(url, {"Authorization": "Bearer a-scrape-token-for-the-test-0123456789"})
        assert status == 200 and value(parse(body.decode()), "process_start_time_seconds") > 0
        assert get(url, {"Authorization": "Bearer wrong"})[0] == 401
    finally:
        beat.stop()
