"""One owner of request facts: logs, metrics and the rate limiter agree on route, client IP and prefix."""
import logging

import pytest
from django.test import Client, override_settings
from prometheus_client import REGISTRY

from ops import requestfacts
from ops.logging.levels import HTTP
from ops.ratelimit import identity


class Lines(logging.Handler):
    def __init__(self):
        super().__init__(level=HTTP)
        self.records = []

    def emit(self, record):
        self.records.append(record)


@pytest.fixture
def http_lines():
    """The `http` records the request middleware writes, whatever LOG_LEVEL the test settings chose."""
    logger, handler = logging.getLogger("ops.http"), Lines()
    level = logger.level
    logger.setLevel(HTTP)
    logger.addHandler(handler)
    yield handler.records
    logger.removeHandler(handler)
    logger.setLevel(level)


def _requests_total(route: str, status: int) -> float:
    name = f"{requestfacts.prefix()}http_requests_total"
    return REGISTRY.get_sample_value(name, {"method": "GET", "route": route, "status": str(status)}) or 0.0


@pytest.mark.parametrize("path", ["/api/admin/backups/backup_x.sql.gz", "/no/such/path"])
def test_logs_and_metrics_name_the_route_the_same_way(db, http_lines, path):
    """Before: the regex route was `/api/admin/backups/(?P{name}[^/]+)` in logs, `{name}` in metrics;
    an unmatched path `unmatched` in logs, `<unmatched>` in metrics."""
    response = Client().get(path)
    route = http_lines[-1].route
    assert route == requestfacts.route_label(response.wsgi_request.resolver_match)
    assert _requests_total(route, response.status_code) >= 1
    assert route in ("/api/admin/backups/{name}", requestfacts.UNMATCHED)


def test_a_response_made_before_url_resolution_names_its_route_in_both(db, http_lines, settings):
    """A 429 is answered before the URL resolves: logs said `unmatched`, metrics the route."""
    settings.RATE_LIMIT_ENABLED = True
    settings.RATELIMIT_RULES = {"reads": {"limit": 1, "period": 3600}}
    client = Client(REMOTE_ADDR="10.77.0.1")
    statuses = [client.get("/api/pages?limit=1").status_code for _ in range(2)]
    assert statuses[-1] == 429
    assert http_lines[-1].route == "/api/pages"
    assert _requests_total("/api/pages", 429) >= 1


@override_settings(TRUSTED_PROXIES=1, METRICS_ALLOWED_IPS=["10.2.0.0/16"], METRICS_TOKEN="")
def test_logs_metrics_access_and_rate_limiting_see_one_client_ip(db, http_lines):
    """Before: logs trusted X-Forwarded-For only from loopback, /metrics only with its own header
    setting, the rate limiter with its own hop count — three answers for one request."""
    client = Client(REMOTE_ADDR="192.0.2.10")
    response = client.get("/metrics", HTTP_X_FORWARDED_FOR="6.6.6.6, 10.2.0.1")
    assert response.status_code == 200  # the allow-list saw 10.2.0.1
    assert http_lines[-1].ip == "10.2.0.1"
    assert identity.client_ip(response.wsgi_request) == "10.2.0.1"


def test_without_trusted_proxies_forwarded_for_is_ignored_everywhere(db, http_lines, settings):
    settings.TRUSTED_PROXIES = 0
    response = Client(REMOTE_ADDR="127.0.0.1").get("/health/live", HTTP_X_FORWARDED_FOR="10.9.9.9")
    assert http_lines[-1].ip == "127.0.0.1" == identity.client_ip(response.wsgi_request)


def test_older_settings_still_choose_the_policy(settings):
    del settings.TRUSTED_PROXIES, settings.CLIENT_IP_HEADER
    settings.RATELIMIT_TRUSTED_PROXIES = 2
    assert requestfacts.trusted_proxies() == 2
    settings.RATELIMIT_TRUSTED_PROXIES = 0
    settings.METRICS_CLIENT_IP_HEADER = "HTTP_X_REAL_IP"
    assert requestfacts.trusted_proxies() == 1 and requestfacts.client_ip_header() == "HTTP_X_REAL_IP"



def test_health_and_sentry_report_the_same_revision(monkeypatch):
    # One reader of the running code's revision (ops.revision) for /health and Sentry's release.
    from ops.errors import conf as errors_conf
    from ops.health import conf as health_conf
    from ops.revision import git_sha

    git_sha.cache_clear()
    monkeypatch.delenv("GIT_SHA", raising=False)
    checkout = git_sha()
    assert len(checkout) == 40 and health_conf.revision() == checkout[:7] and errors_conf.git_sha() == checkout
    git_sha.cache_clear()
    monkeypatch.setenv("GIT_SHA", "deadbeefcafe")
    assert health_conf.revision() == errors_conf.git_sha() == "deadbeefcafe"
    git_sha.cache_clear()
