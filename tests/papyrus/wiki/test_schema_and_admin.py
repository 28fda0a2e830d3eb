"""OpenAPI schema and docs; Django admin for teams and pages (writes go through services.py)."""
import pytest
import yaml
from django.test import Client

from papyrus.wiki.models import Page, PageRevision, Team
from papyrus.wiki.signals import page_changed


@pytest.fixture
def admin_client(make_user):
    c = Client()
    c.force_login(make_user(name="Root", email="root@example.com", is_staff=True, is_superuser=True))
    return c


def test_openapi_schema_describes_the_wiki_api(client, db):
    r = client.get("/api/schema/")
    assert r.status_code == 200
    schema = yaml.safe_load(r.content)
    assert schema["openapi"].startswith("3.")
    for path in ("/api/pages", "/api/pages/{page_id}", "/api/search", "/api/teams", "/api/auth/login",
                 "/api/auth/register", "/api/auth/refresh", "/api/auth/logout", "/api/auth/me"):
        assert path in schema["paths"], path


def test_openapi_schema_as_json(client, db):
    r = client.get("/api/schema/?format=json")
    assert r.status_code == 200 and r.json()["info"]["title"] == "Papyrus API"


def test_interactive_docs_load(client, db):
    r = client.get("/api/docs/")
    assert r.status_code == 200
    assert b"swagger" in r.content.lower() and b"/api/schema/" in r.content


@pytest.mark.parametrize("path", ["/admin/wiki/team/", "/admin/wiki/page/", "/admin/wiki/page/add/",
                                  "/admin/wiki/team/add/", "/admin/wiki/page/?q=hello", "/admin/"])
def test_admin_pages_load_for_a_superuser(admin_client, user, team_of, page_of, path):
    page_of(user, "Hello", team=team_of(user))
    assert admin_client.get(path).status_code == 200


def test_admin_change_forms_load(admin_client, user, team_of, page_of):
    team = team_of(user)
    page = page_of(user, "Hello", team=team)
    assert admin_client.get(f"/admin/wiki/page/{page.id}/change/").status_code == 200
    assert admin_client.get(f"/admin/wiki/team/{team.id}/change/").status_code == 200


def test_admin_is_closed_to_anonymous_and_non_staff(user):
    c = Client()
    assert c.get("/admin/wiki/page/").status_code == 302
    c.force_login(user)
    assert c.get("/admin/wiki/page/").status_code == 302


def page_form(page, **changes):
    data = {"title": page.title, "content": page.content, "tags": ",".join(page.tags), "folder": page.folder,
            "author": page.author_id, "team": page.team_id or "",
            "revisions-TOTAL_FORMS": 0, "revisions-INITIAL_FORMS": 0,
            "revisions-MIN_NUM_FORMS": 0, "revisions-MAX_NUM_FORMS": 1000}
    return data | changes


def test_admin_edit_goes_through_services_and_keeps_a_revision(admin_client, user, page_of,
                                                               django_capture_on_commit_callbacks):
    page = page_of(user, "Old title", content="old body", tags=["a"])
    events = []
    page_changed.connect(lambda **kw: events.append(kw["event"]), weak=False, dispatch_uid="t-admin")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            r = admin_client.post(f"/admin/wiki/page/{page.id}/change/",
                                  page_form(page, title="New title", content="new body", tags="a,b"))
    finally:
        page_changed.disconnect(dispatch_uid="t-admin")
    assert r.status_code == 302, r.content[:2000]
    page.refresh_from_db()
    assert (page.title, page.slug, page.content, page.tags) == ("New title", "new-title", "new body", ["a", "b"])
    [rev] = PageRevision.objects.filter(page=page)
    assert (rev.number, rev.title, rev.content) == (1, "Old title", "old body")
    assert events == ["page.updated"]


def test_admin_add_creates_a_page_with_a_unique_slug(admin_client, user, page_of):
    page_of(user, "Taken")
    data = page_form(Page(title="Taken", content="x", folder="docs", author=user), tags="")
    r = admin_client.post("/admin/wiki/page/add/", data)
    assert r.status_code == 302, r.content[:2000]
    assert Page.objects.filter(slug="taken-2", author=user).exists()


def test_admin_delete_is_a_soft_delete(admin_client, user, page_of):
    page = page_of(user, "Doomed")
    r = admin_client.post(f"/admin/wiki/page/{page.id}/delete/", {"post": "yes"})
    assert r.status_code == 302
    page.refresh_from_db()
    assert page.deleted_at is not None


def test_admin_team_add(admin_client, db):
    r = admin_client.post("/admin/wiki/team/add/", {
        "name": "Made in admin", "memberships-TOTAL_FORMS": 0, "memberships-INITIAL_FORMS": 0,
        "memberships-MIN_NUM_FORMS": 0, "memberships-MAX_NUM_FORMS": 1000})
    assert r.status_code == 302
    assert Team.objects.filter(name="Made in admin").exists()


def test_openapi_schema_documents_the_envelope_the_errors_and_unicode_slugs(client, db):
    schema = client.get("/api/schema/?format=json").json()
    me = schema["paths"]["/api/auth/me"]["get"]["responses"]
    assert set(me) == {"200", "401", "429", "503"}
    signed_in = me["200"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert schema["components"]["schemas"][signed_in]["properties"]["user"]["$ref"].endswith("/User")
    write = schema["paths"]["/api/pages/{page_id}"]["patch"]["responses"]
    assert {"400", "401", "403", "404", "412", "413", "415"} <= set(write)
    assert write["412"]["content"]["application/json"]["schema"]["$ref"].endswith("/Error")
    assert "pattern" not in schema["components"]["schemas"]["Page"]["properties"]["slug"]
