"""HTTP series in-process (single-process registry): labels, sizes, in-flight gauge, disable, prefix."""
import pytest
from django.core.exceptions import MiddlewareNotUsed
from django.test import Client, override_settings

from ops.metrics.middleware import MetricsMiddleware
from ops.metrics.routes import UNMATCHED
from papyrus.wiki import services

from .support import parse, series, value

pytestmark = pytest.mark.urls("tests.ops.metrics.urls")
REQUESTS = "papyrus_http_requests_total"


def scrape(client=None):
    response = (client or Client()).get("/metrics")
    assert response.status_code == 200, response.content[:200]
    assert response["Content-Type"].startswith("text/plain")
    return parse(response.content.decode())


@pytest.fixture
def pages(db, user):
    return [services.page_create(author=user, title=f"Metrics page {i}", content="x" * 100) for i in range(2)]


def test_route_label_is_the_pattern_two_page_ids_one_series(pages):
    client = Client()
    before = scrape()
    for page in pages:
        assert client.get(f"/api/pages/{page.id}").status_code == 200
    after = scrape()
    labels = dict(method="GET", route="/api/pages/{page_id}", status="200")
    assert value(after, REQUESTS, **labels) - value(before, REQUESTS, **labels) == 2
    routes = {s["route"] for s in series(after, REQUESTS)}
    assert not any(str(p.id) in r for p in pages for r in routes)


def test_unmatched_paths_collapse_into_one_series(db):
    client = Client()
    client.get("/no/such/path/0")
    before = scrape()
    for i in range(1, 40):
        assert client.get(f"/no/such/path/{i}?q={i}").status_code == 404
    after = scrape()
    assert len(series(after, REQUESTS)) == len(series(before, REQUESTS))
    assert value(after, REQUESTS, route=UNMATCHED, status="404") - value(before, REQUESTS, route=UNMATCHED,
                                                                           status="404") == 39


def test_request_and_response_sizes_are_recorded(signed_in):
    body = {"title": "Sized page", "content": "y" * 3000}
    before = scrape()
    response = signed_in.post("/api/pages", body, format="json")
    assert response.status_code == 201
    after = scrape()
    labels = dict(method="POST", route="/api/pages", status="201")
    sent = len(response.wsgi_request.body) if hasattr(response, "wsgi_request") else 3000
    req_sum = value(after, "papyrus_http_request_size_bytes_sum", **labels) - value(
        before, "papyrus_http_request_size_bytes_sum", **labels)
    resp_sum = value(after, "papyrus_http_response_size_bytes_sum", **labels) - value(
        before, "papyrus_http_response_size_bytes_sum", **labels)
    assert req_sum == sent and req_sum > 3000
    assert resp_sum == len(response.content)
    assert value(after, "papyrus_http_request_duration_seconds_count", **labels) - value(
        before, "papyrus_http_request_duration_seconds_count", **labels) == 1


def test_a_raising_view_is_a_500_and_leaves_no_connection_in_flight(db):
    client = Client(raise_request_exception=False)
    before = scrape()
    assert client.get("/test/boom").status_code == 500
    after = scrape()
    assert value(after, REQUESTS, route="/test/boom", status="500") - value(before, REQUESTS, route="/test/boom",
                                                                             status="500") == 1
    assert value(after, "papyrus_active_connections") == 0


def test_active_connections_counts_requests_in_flight(rf):
    from ops.metrics import metrics

    seen = []
    gauge = metrics.get().active_connections

    def view_chain(request):
        seen.append(gauge._value.get())
        raise ConnectionResetError("client went away")  # what a dropped client looks like mid-request

    middleware = MetricsMiddleware(view_chain)
    start = gauge._value.get()
    with pytest.raises(ConnectionResetError):
        middleware(rf.get("/api/pages"))
    assert seen == [start + 1]
    assert gauge._value.get() == start


def test_metrics_scrapes_are_not_counted(db):
    client = Client()
    scrape(client)
    before = scrape(client)
    after = scrape(client)
    assert value(after, REQUESTS) == value(before, REQUESTS)
    assert not [s for s in series(after, REQUESTS) if s["route"] == "/metrics"]


def test_process_and_python_collectors_are_exposed_unprefixed(db):
    """process_* and python_* keep the names standard dashboards and alerts expect (issue 28)."""
    samples = scrape()
    assert value(samples, "process_resident_memory_bytes") > 0
    assert value(samples, "python_info") == 1
    assert value(samples, "python_gc_collections_total") > 0
    assert not [n for n, _ in samples if n.startswith(("papyrus_process_", "papyrus_python_"))]


@override_settings(ENABLE_PROMETHEUS=False)
def test_disabled_removes_the_endpoint_and_the_middleware(db):
    with pytest.raises(MiddlewareNotUsed):
        MetricsMiddleware(lambda request: None)
    response = Client().get("/metrics")
    assert response.status_code == 404
    assert response.json() == {"message": "Not found"}


@override_settings(PROMETHEUS_PREFIX="wiki_")
def test_prefix_renames_the_series(db):
    client = Client()
    client.get("/health/live")
    samples = scrape(client)
    assert value(samples, "wiki_http_requests_total", route="/health/live") >= 1
    assert value(samples, "process_resident_memory_bytes") > 0  # not renamed


def test_responses_made_before_url_resolution_still_get_their_route(rf, db):
    """A middleware answering early (rate limit 429, maintenance 503) is labelled by pattern too."""
    from django.http import JsonResponse

    from ops.metrics import metrics

    middleware = MetricsMiddleware(lambda request: JsonResponse({"message": "slow down"}, status=429))
    counter = metrics.get().http_requests
    before = counter.labels("GET", "/api/pages/{page_id}", "429")._value.get()
    middleware(rf.get("/api/pages/12345"))
    middleware(rf.get("/api/pages/67890"))
    assert counter.labels("GET", "/api/pages/{page_id}", "429")._value.get() == before + 2
