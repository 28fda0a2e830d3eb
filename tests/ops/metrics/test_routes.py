import pytest
from django.urls import resolve

from ops.metrics.routes import UNMATCHED, pattern_to_label, route_label


@pytest.mark.parametrize("route, label", [
    ("api/pages/<int:page_id>", "/api/pages/{page_id}"),
    ("api/teams/<slug>/members/<int:user_id>", "/api/teams/{slug}/members/{user_id}"),
    ("health", "/health"),
    ("", "/"),
    ("admin/^(?P<app_label>auth|wiki)/$", "/admin/{app_label}/"),
    ("^media/(?P<path>.*)$", "/media/{path}"),
])
def test_pattern_to_label(route, label):
    assert pattern_to_label(route) == label


def test_route_label_of_a_real_match_and_of_no_match():
    assert route_label(resolve("/api/pages/42", urlconf="papyrus.urls")) == "/api/pages/{page_id}"
    assert route_label(None) == UNMATCHED
