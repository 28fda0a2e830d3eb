"""The post-deploy items against a running site at `url` (`ops_check --post-deploy URL`): /health,
/metrics, fresh log files, Redis status."""
from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from ops import series
from ops.health.base import CheckFailed, HealthCheck, first_line
from ops.health.probes import Redis
from ops.logging import conf as logging_conf
from ops.metrics import conf as metrics_conf

from . import conf


def fetch(url: str, *, headers: dict | None = None, timeout: float = 5.0) -> tuple[int, bytes]:
    """(status, body) of a GET; an HTTP error status is returned, not raised."""
    request = urllib.request.Request(url, headers={"Accept": "*/*", **(headers or {})})
    try:
        # bandit B310 (urlopen schemes): operator-given http(s) URL.
        with urllib.request.urlopen(request, timeout=timeout) as response:  # nosec B310
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()
    except (urllib.error.URLError, OSError) as exc:
        raise CheckFailed(f"no answer from {url}: {getattr(exc, 'reason', exc)}") from None


class SiteCheck(HealthCheck):
    """An item about the site at `url` (set by `ops_check --post-deploy URL`)."""

    url = ""

    def site_url(self, path: str) -> str:
        return self.url.rstrip("/") + path


class HealthEndpoint(SiteCheck):
    """GET /health answers 200 with status "healthy"; the checks it reports are listed."""

    name = "health"

    def run(self):
        url = self.site_url("/health")
        status, body = fetch(url)
        try:
            payload = json.loads(body)
        except ValueError:
            raise CheckFailed(f"{url} answered HTTP {status} with a non-JSON body") from None
        checks = payload.get("checks", {}) if isinstance(payload, dict) else {}
        summary = ", ".join(f"{name} {c.get('status')}" for name, c in checks.items() if isinstance(c, dict))
        if status != 200:
            down = [n for n, c in checks.items() if isinstance(c, dict) and c.get("status") not in ("up", "ok")]
            raise CheckFailed(f"{url} answered HTTP {status} {payload.get('status', '')}; "
                              f"down: {', '.join(down) or '?'}")
        return f"HTTP 200 {payload.get('status', '')}" + (f": {summary}" if summary else "")


class MetricsEndpoint(SiteCheck):
    """GET /metrics (Bearer METRICS_TOKEN when set) parses as Prometheus text with the request counter."""

    name = "metrics"

    def run(self):
        url = self.site_url("/metrics")
        token = metrics_conf.token()
        status, body = fetch(url, headers={"Authorization": f"Bearer {token}"} if token else None)
        if status != 200:
            hint = " (METRICS_TOKEN / METRICS_ALLOWED_IPS?)" if status in (401, 403) else ""
            raise CheckFailed(f"{url} answered HTTP {status}{hint}")
        try:
            names = {family.name for family in text_string_to_metric_families(body.decode())}
        except Exception as exc:  # noqa: BLE001 - the parser raises ValueError and others
            raise CheckFailed(f"{url} is not Prometheus text: {first_line(exc)}") from None
        counter = series.name("http_requests")
        if counter not in names:
            raise CheckFailed(f"{url} parsed ({len(names)} families) but has no {counter}_total")
        return f"{len(names)} metric families, {counter}_total present"


class LogFilesWritten(HealthCheck):
    """LOG_DIR holds the expected log files and the newest was written recently."""

    name = "log_files"

    def run(self):
        if not logging_conf.log_files():
            return "LOG_FILES=false: JSON lines on stdout, collected by the container runtime"
        path = Path(logging_conf.log_dir() or "logs")
        files = sorted(path.glob("*.log"), key=lambda p: p.stat().st_mtime, reverse=True) if path.is_dir() else []
        if not files:
            raise CheckFailed(f"no *.log files in {path}")
        missing = [name for name in conf.expected_log_files() if not (path / name).exists()]
        if missing:
            raise CheckFailed(f"{', '.join(missing)} missing in {path}")
        age = time.time() - files[0].stat().st_mtime
        if age > conf.log_max_age():
            raise CheckFailed(f"newest log {files[0].name} last written {age / 60:.0f} min ago "
                              f"(limit {conf.log_max_age() / 60:.0f} min)")
        return f"{files[0].name} written {age:.0f}s ago; {len(files)} files in {path}"


class RedisStatus(Redis):
    """Redis answers INFO: version, role, clients, memory, uptime."""

    name = "redis_status"

    def run(self):
        where = self.where()
        try:
            info = self.client().info()
        except Exception as exc:  # noqa: BLE001 - redis-py raises several kinds
            raise CheckFailed(f"no answer from {where}: {first_line(exc)}") from None
        if isinstance(info, dict) and info and all(isinstance(v, dict) for v in info.values()):
            info = next(iter(info.values()))  # Redis Cluster: one INFO per node; show the first
        uptime = int(info.get("uptime_in_seconds", 0)) // 60
        return (f"Redis {info.get('redis_version')} {info.get('role')}, {info.get('connected_clients')} clients, "
                f"{info.get('used_memory_human')} used, up {uptime} min at {where}")
