"""ETag on GET /api/pages/{id}; If-Match on PATCH/PUT/DELETE: a stale version → 412 JSON."""
from django.test import override_settings

from papyrus.wiki import selectors, services
from papyrus.wiki.models import Page, PageRevision


def _page(signed_in, **data):
    r = signed_in.post("/api/pages", {"title": "Etag page", "content": "v1", **data}, format="json")
    assert r.status_code == 201, r.content
    return r.json()["id"]


def _etag(client, page_id):
    r = client.get(f"/api/pages/{page_id}")
    assert r.status_code == 200
    return r["ETag"]


def test_get_returns_a_quoted_etag_that_changes_with_every_write(signed_in):
    page_id = _page(signed_in)
    first = _etag(signed_in, page_id)
    assert first.startswith('"') and first.endswith('"') and len(first) > 2
    assert _etag(signed_in, page_id) == first  # stable while nothing changes
    assert signed_in.patch(f"/api/pages/{page_id}", {"content": "v2"}, format="json").status_code == 200
    assert _etag(signed_in, page_id) != first


def test_patch_with_the_current_etag_succeeds_and_returns_the_new_one(signed_in):
    page_id = _page(signed_in)
    r = signed_in.patch(f"/api/pages/{page_id}", {"content": "v2"}, format="json",
                        HTTP_IF_MATCH=_etag(signed_in, page_id))
    assert r.status_code == 200, r.content
    assert r["ETag"] == _etag(signed_in, page_id)
    assert Page.objects.get(pk=page_id).content == "v2"


def test_stale_if_match_is_refused_with_412_json_and_changes_nothing(signed_in):
    page_id = _page(signed_in)
    stale = _etag(signed_in, page_id)
    assert signed_in.patch(f"/api/pages/{page_id}", {"content": "theirs"}, format="json").status_code == 200
    for method in ("patch", "put"):
        r = getattr(signed_in, method)(f"/api/pages/{page_id}", {"title": "Mine", "content": "mine"},
                                       format="json", HTTP_IF_MATCH=stale)
        assert r.status_code == 412, r.content
        assert "changed" in r.json()["message"]
    r = signed_in.delete(f"/api/pages/{page_id}", HTTP_IF_MATCH=stale)
    assert r.status_code == 412 and r.json()["message"]
    page = Page.objects.get(pk=page_id)
    assert (page.content, page.deleted_at) == ("theirs", None)
    assert PageRevision.objects.filter(page=page).count() == 1  # only the unconditional write


def test_delete_with_the_current_etag_deletes(signed_in):
    page_id = _page(signed_in)
    assert signed_in.delete(f"/api/pages/{page_id}", HTTP_IF_MATCH=_etag(signed_in, page_id)).status_code == 204
    assert signed_in.get(f"/api/pages/{page_id}").status_code == 404


def test_star_weak_and_listed_etags(signed_in):
    page_id = _page(signed_in)
    current = _etag(signed_in, page_id)
    r = signed_in.patch(f"/api/pages/{page_id}", {"content": "weak"}, format="json", HTTP_IF_MATCH=f"W/{current}")
    assert r.status_code == 412  # If-Match compares strongly
    r = signed_in.patch(f"/api/pages/{page_id}", {"content": "listed"}, format="json",
                        HTTP_IF_MATCH=f'"nope", {current}')
    assert r.status_code == 200
    r = signed_in.patch(f"/api/pages/{page_id}", {"content": "star"}, format="json", HTTP_IF_MATCH="*")
    assert r.status_code == 200
    r = signed_in.patch(f"/api/pages/{page_id}", {"content": "garbage"}, format="json", HTTP_IF_MATCH="garbage")
    assert r.status_code == 412


def test_writes_without_if_match_keep_todays_behaviour(signed_in):
    page_id = _page(signed_in)
    assert signed_in.patch(f"/api/pages/{page_id}", {"content": "a"}, format="json").status_code == 200
    assert signed_in.put(f"/api/pages/{page_id}", {"title": "T", "content": "b"}, format="json").status_code == 200
    assert signed_in.delete(f"/api/pages/{page_id}").status_code == 204


@override_settings(OPS_CACHE_RESPONSES=True)
def test_a_cached_get_still_carries_the_etag(signed_in):
    page_id = _page(signed_in)
    first, cached = signed_in.get(f"/api/pages/{page_id}"), signed_in.get(f"/api/pages/{page_id}")
    assert first["ETag"] == cached["ETag"]
    page = Page.objects.get(pk=page_id)
    assert cached["ETag"] == f'"{selectors.page_version(page_id=page.pk, updated_at=page.updated_at)}"'


def test_services_check_the_version_under_the_row_lock(user):
    page = services.page_create(author=user, title="Locked", content="v1")
    old = selectors.page_version(page_id=page.pk, updated_at=page.updated_at)
    services.page_update(page=page, editor=user, expected_version=old, content="v2")
    try:
        services.page_update(page=page, editor=user, expected_version=old, content="v3")
    except services.StaleVersion as exc:
        assert exc.page.content == "v2"  # the current state, for the writer to merge with
    else:
        raise AssertionError("a stale version was accepted")
    page.refresh_from_db()
    assert page.content == "v2"
