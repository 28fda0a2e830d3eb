"""/metrics protection (METRICS_TOKEN → 401, METRICS_ALLOWED_IPS → 403) and the system checks."""
import pytest
from django.test import Client, override_settings

from ops.metrics import checks

pytestmark = pytest.mark.django_db
TOKEN = "s3cret-metrics-token-0123456789"


@override_settings(METRICS_TOKEN=TOKEN)
@pytest.mark.parametrize("header, status", [
    (None, 401),
    ("Bearer wrong-token", 401),
    (f"Basic {TOKEN}", 401),
    (f"Bearer {TOKEN}", 200),
    (f"bearer {TOKEN}", 200),
])
def test_token_protects_metrics(header, status):
    extra = {"HTTP_AUTHORIZATION": header} if header else {}
    response = Client().get("/metrics", **extra)
    assert response.status_code == status
    if status == 401:
        assert response["WWW-Authenticate"].startswith("Bearer")
        assert "Authentication required" in response.json()["message"]
        assert TOKEN not in response.content.decode()
    else:
        assert b"papyrus_http_requests_total" in response.content


@override_settings(METRICS_ALLOWED_IPS=["10.0.0.0/8", "192.168.1.7"])
@pytest.mark.parametrize("ip, status", [
    ("10.1.2.3", 200), ("192.168.1.7", 200), ("192.168.1.8", 403), ("127.0.0.1", 403), ("::ffff:10.0.0.1", 200),
])
def test_allowed_ips_protect_metrics(ip, status):
    response = Client(REMOTE_ADDR=ip).get("/metrics")
    assert response.status_code == status
    if status == 403:
        assert response.json()["message"].startswith("Forbidden")


@override_settings(METRICS_ALLOWED_IPS=["10.0.0.0/8"], METRICS_TOKEN=TOKEN)
def test_ip_and_token_are_both_required_when_both_set():
    assert Client(REMOTE_ADDR="127.0.0.1").get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 403
    assert Client(REMOTE_ADDR="10.0.0.1").get("/metrics").status_code == 401
    assert Client(REMOTE_ADDR="10.0.0.1").get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 200


@override_settings(METRICS_ALLOWED_IPS=["10.0.0.0/8"], TRUSTED_PROXIES=1)
def test_behind_a_proxy_the_last_forwarded_address_is_the_client():
    client = Client(REMOTE_ADDR="127.0.0.1")
    assert client.get("/metrics", HTTP_X_FORWARDED_FOR="10.9.9.9").status_code == 200
    # A client cannot smuggle an allowed address in front of the one the proxy appended.
    assert client.get("/metrics", HTTP_X_FORWARDED_FOR="10.9.9.9, 203.0.113.5").status_code == 403


@override_settings(METRICS_TOKEN="", METRICS_ALLOWED_IPS=[])
@pytest.mark.parametrize("ip, status", [
    ("127.0.0.1", 200), ("::1", 200), ("10.1.2.3", 200), ("172.20.0.5", 200), ("192.168.1.1", 200),
    ("fd00::5", 200), ("::ffff:192.168.0.9", 200),
    ("203.0.113.5", 403), ("172.32.0.1", 403), ("8.8.8.8", 403), ("2001:db8::1", 403), ("", 403),
])
def test_unconfigured_metrics_answer_loopback_and_private_addresses_only(ip, status):
    """Like GitLab's monitoring allowlist: nothing configured is not "open to the internet"."""
    response = Client(REMOTE_ADDR=ip).get("/metrics")

    assert response.status_code == status
    if status == 403:
        assert response.json()["message"].startswith("Forbidden")


@override_settings(METRICS_TOKEN=TOKEN, METRICS_ALLOWED_IPS=[])
def test_a_token_alone_lets_any_address_scrape():
    client = Client(REMOTE_ADDR="203.0.113.5")

    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 200
    assert client.get("/metrics").status_code == 401


@override_settings(METRICS_TOKEN="", METRICS_ALLOWED_IPS=[], TRUSTED_PROXIES=1)
def test_the_default_applies_to_the_forwarded_client_behind_a_proxy():
    client = Client(REMOTE_ADDR="127.0.0.1")

    assert client.get("/metrics", HTTP_X_FORWARDED_FOR="203.0.113.5").status_code == 403
    assert client.get("/metrics", HTTP_X_FORWARDED_FOR="10.0.0.7").status_code == 200


def test_other_methods_are_refused_with_json():
    response = Client().post("/metrics")
    assert response.status_code == 405
    assert response.json()["message"] == "Method not allowed"


@override_settings(DEBUG=False, METRICS_TOKEN="", METRICS_ALLOWED_IPS=[])
def test_check_warns_in_prod_when_metrics_are_open():
    assert [m.id for m in checks.check_protected_in_prod()] == ["ops_metrics.W001"]


@pytest.mark.parametrize("overrides", [
    {"DEBUG": True}, {"METRICS_TOKEN": TOKEN}, {"METRICS_ALLOWED_IPS": ["10.0.0.1"]}, {"ENABLE_PROMETHEUS": False},
])
def test_check_is_quiet_when_protected_debug_or_disabled(overrides):
    settings = {"DEBUG": False, "METRICS_TOKEN": "", "METRICS_ALLOWED_IPS": [], **overrides}
    with override_settings(**settings):
        assert checks.check_protected_in_prod() == []


@override_settings(METRICS_ALLOWED_IPS=["10.0.0.0/8", "not-an-ip", "10.0.0.300"])
def test_check_names_invalid_allowed_ips():
    [error] = checks.check_allowed_ips()
    assert error.id == "ops_metrics.E001"
    assert "not-an-ip" in error.msg and "10.0.0.300" in error.msg and "10.0.0.0/8" not in error.msg


def test_check_refuses_a_missing_multiprocess_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path / "missing"))
    assert [m.id for m in checks.check_multiproc_dir()] == ["ops_metrics.E002"]
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    assert checks.check_multiproc_dir() == []
