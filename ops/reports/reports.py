"""Produce the periodic reports: compute, log (JSON fields), optionally send to Sentry.

The `ops_digest` command and the weekly Celery tasks are thin callers of these.
"""
from __future__ import annotations

import logging
import urllib.request

from ops import requestfacts
from ops.errors import send_message
from ops.logging import conf as logging_conf
from ops.metrics import conf as metrics_conf

from . import conf
from .digest import ErrorDigest, error_digest
from .performance import PerformanceSummary, from_metrics_text, from_prometheus

logger = logging.getLogger("ops.reports")


class ReportError(Exception):
    """The report's source could not be read (no Prometheus, /metrics refused...)."""


def error_digest_report(*, days: float = 7, top: int | None = None, log_dir: str | None = None,
                        to_sentry: bool = False) -> tuple[ErrorDigest, str | None]:
    """(digest, Sentry event id or None) for the last `days` of LOG_DIR."""
    top = top or conf.digest_top()
    digest = error_digest(log_dir=log_dir or logging_conf.log_dir(), days=days)
    logger.info("error digest: %d errors in %g days", digest.errors, days,
                extra={"event": "ops.error_digest", "digest": digest.as_dict(top)})
    event_id = None
    if to_sentry:
        event_id = send_message(digest.text(top), level="warning" if digest.errors else "info")
    return digest, event_id


def performance_report(*, prometheus_url: str | None = None, metrics_url: str | None = None, days: float = 7,
                       top: int | None = None, to_sentry: bool = False) -> tuple[PerformanceSummary, str | None]:
    """(summary, Sentry event id or None): from Prometheus when a URL is given/configured, else /metrics."""
    top = top or conf.digest_top()
    prefix = requestfacts.prefix()
    for url in (prometheus_url, metrics_url):
        if url and not url.startswith(("http://", "https://")):
            raise ReportError(f"an http(s) URL is needed, got {url!r}")
    if prometheus_url is None and not metrics_url:
        prometheus_url = conf.prometheus_url()
    try:
        if prometheus_url:
            summary = from_prometheus(prometheus_url, prefix=prefix, days=days, top=top)
        else:
            url = metrics_url or conf.metrics_url()
            summary = from_metrics_text(scrape(url), prefix=prefix, source=url, top=top)
    except (OSError, ValueError) as exc:
        source = prometheus_url or metrics_url or conf.metrics_url()
        raise ReportError(f"cannot read metrics from {source}: {exc}") from exc
    logger.info("performance summary: %d routes", len(summary.routes),
                extra={"event": "ops.performance_summary", "summary": summary.as_dict()})
    event_id = send_message(summary.text(), level="info") if to_sentry else None
    return summary, event_id


def scrape(url: str, timeout: float = 10) -> str:
    """The /metrics text, with `Authorization: Bearer METRICS_TOKEN` when a token is set."""
    token = metrics_conf.token()
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"} if token else {})
    # bandit B310 (urlopen schemes): operator-given http(s) URL.
    with urllib.request.urlopen(request, timeout=timeout) as response:  # nosec B310
        return response.read().decode()
