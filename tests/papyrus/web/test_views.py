"""Server-rendered pages through Django's test client: permissions, error pages, conflicts,
history, search, CSRF and the API's JWT cookies (refresh rotation) in the browser."""
import re
import uuid
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.test import Client, override_settings
from rest_framework.test import APIClient

from ops.ratelimit import rules

from papyrus.accounts import services as accounts
from papyrus.accounts.models import User
from papyrus.wiki import services
from papyrus.wiki.models import Page, PageRevision

from tests.conftest import PASSWORD


def _csrf(client, path):
    page = client.get(path)
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)


def test_register_sets_the_apis_jwt_cookies_and_needs_csrf(browser_client):
    form = {"name": "Carol", "email": "carol@example.com", "password": PASSWORD}
    refused = browser_client.post("/register/", form)
    assert refused.status_code == 403 and not User.objects.filter(email="carol@example.com").exists()
    r = browser_client.post("/register/", {**form, "csrfmiddlewaretoken": _csrf(browser_client, "/register/")})
    assert r.status_code == 302 and r["Location"] == "/"
    assert r.cookies["accessToken"]["httponly"] and r.cookies["refreshToken"]["httponly"]
    home = browser_client.get("/")
    assert "Carol" in home.content.decode() and "Sign out" in home.content.decode()


def test_wrong_password_is_a_form_error_not_a_sign_in(client, user):
    r = client.post("/login/", {"email": user.email, "password": "wrong-Pass1!"})
    assert r.status_code == 400 and "Invalid email or password" in r.content.decode()
    assert "accessToken" not in r.cookies


def test_an_expired_access_cookie_is_refreshed_with_rotation(web_login, user):
    c = web_login(user)
    old_refresh = c.cookies["refreshToken"].value
    c.cookies["accessToken"] = "expired-or-garbage"
    r = c.get("/")
    assert "Sign out" in r.content.decode()  # still signed in
    assert r.cookies["refreshToken"].value not in ("", old_refresh) and r.cookies["accessToken"].value
    with pytest.raises(accounts.BadRefreshToken):  # rotated: the old one is spent
        accounts.tokens_rotate(refresh=old_refresh)


def test_two_tabs_refreshing_at_once_both_stay_signed_in(web_login, user):
    c = web_login(user)
    old_refresh = c.cookies["refreshToken"].value
    c.cookies["accessToken"] = "expired-or-garbage"
    first = c.get("/")  # rotates
    from django.test import Client

    second = Client()
    second.cookies["accessToken"], second.cookies["refreshToken"] = "expired-or-garbage", old_refresh
    r = second.get("/")  # raced: same old cookie
    assert "Sign out" in first.content.decode() and "Sign out" in r.content.decode()
    assert "refreshToken" not in r.cookies and r.cookies["accessToken"].value
    assert "Sign out" in c.get("/").content.decode()  # the first tab's new pair still works


def test_a_stale_tab_after_the_grace_is_reuse_and_signs_every_tab_out(web_login, user, settings):
    from django.test import Client

    settings.REFRESH_REUSE_GRACE_SECONDS = 0
    c = web_login(user)
    old_refresh = c.cookies["refreshToken"].value
    c.cookies["accessToken"] = "expired-or-garbage"
    assert "Sign out" in c.get("/").content.decode()  # rotates
    late = Client()
    late.cookies["accessToken"], late.cookies["refreshToken"] = "expired-or-garbage", old_refresh
    assert "Sign in" in late.get("/").content.decode()
    c.cookies["accessToken"] = "expired-or-garbage"
    assert "Sign in" in c.get("/").content.decode()  # the family was revoked


def test_sign_out_revokes_the_refresh_token_and_clears_cookies(web_login, user):
    c = web_login(user)
    refresh, access = c.cookies["refreshToken"].value, c.cookies["accessToken"].value
    r = c.post("/signout/")
    assert r.status_code == 302 and r.cookies["accessToken"].value == "" and r.cookies["refreshToken"].value == ""
    with pytest.raises(accounts.BadRefreshToken):
        accounts.tokens_rotate(refresh=refresh)
    assert APIClient().get("/api/auth/me", HTTP_AUTHORIZATION=f"Bearer {access}").status_code == 401
    assert "Sign in" in c.get("/").content.decode()


def test_anonymous_reads_public_pages_and_cannot_edit_or_see_team_pages(client, user, team_of):
    public = services.page_create(author=user, title="Public page", content="hello **world**")
    secret = services.page_create(author=user, title="Team secret", content="x", team=team_of(user))
    listing = client.get("/").content.decode()
    assert "Public page" in listing and "Team secret" not in listing
    read = client.get(f"/pages/{public.pk}/")
    assert read.status_code == 200 and "<strong>world</strong>" in read.content.decode()
    assert ">Edit<" not in read.content.decode()
    assert client.get(f"/pages/{public.pk}/edit/")["Location"].startswith("/login/?next=")
    forbidden = client.get(f"/pages/{secret.pk}/")
    assert forbidden.status_code == 403 and forbidden["Content-Type"].startswith("text/html")
    assert "Sign in" in forbidden.content.decode() and "Team secret" not in forbidden.content.decode()
    assert client.get(f"/pages/{secret.pk}/history/").status_code == 403
    assert "Team secret" not in client.get("/search/?q=team").content.decode()


def test_missing_page_is_an_html_404(client, db):
    r = client.get("/pages/999999/")
    assert r.status_code == 404 and "Page not found" in r.content.decode()


def test_non_writer_cannot_edit_delete_or_restore(web_login, user, other):
    page = services.page_create(author=user, title="Alice's", content="v1")
    services.page_update(page=page, editor=user, content="v2")
    bob = web_login(other)
    assert bob.get(f"/pages/{page.pk}/edit/").status_code == 403
    assert bob.post(f"/pages/{page.pk}/edit/", {"title": "x", "content": "x"}).status_code == 403
    assert bob.post(f"/pages/{page.pk}/delete/").status_code == 403
    assert bob.post(f"/pages/{page.pk}/history/1/restore/").status_code == 403
    page.refresh_from_db()
    assert (page.content, page.deleted_at) == ("v2", None)


def test_create_edit_and_a_stale_save_is_refused_showing_both_versions(web_login, user):
    c = web_login(user)
    r = c.post("/pages/new/", {"title": "Plan", "content": "first", "tags": "a, b, a", "folder": ""})
    page = Page.objects.get(title="Plan")
    assert r["Location"] == f"/pages/{page.pk}/" and page.tags == ["a", "b"] and page.folder == "docs"
    version = re.search(r'name="version" value="([^"]+)"', c.get(f"/pages/{page.pk}/edit/").content.decode()).group(1)
    services.page_update(page=page, editor=user, content="someone else's text")  # saved meanwhile
    r = c.post(f"/pages/{page.pk}/edit/", {"title": "Plan", "content": "my text", "tags": "", "version": version})
    body = r.content.decode()
    assert r.status_code == 409 and "changed while you were editing" in body
    assert "someone else&#x27;s text" in body and "my text" in body
    page.refresh_from_db()
    assert page.content == "someone else's text"
    merged_version = re.search(r'name="version" value="([^"]+)"', body).group(1)
    assert merged_version != version
    r = c.post(f"/pages/{page.pk}/edit/", {"title": "Plan", "content": "merged", "version": merged_version})
    assert r.status_code == 302
    page.refresh_from_db()
    assert page.content == "merged"


def test_history_diff_and_restore_as_a_new_revision(web_login, user, other):
    page = services.page_create(author=user, title="Doc", content="line one")
    services.page_update(page=page, editor=other, content="line two")
    c = web_login(user)
    history = c.get(f"/pages/{page.pk}/history/").content.decode()
    assert "Alice" in history and "Bob" in history and "Restore version 1" in history
    diff = c.get(f"/pages/{page.pk}/diff/?from=1&to=2").content.decode()
    assert '<span class="del">-line one</span>' in diff and '<span class="add">+line two</span>' in diff
    assert c.get(f"/pages/{page.pk}/diff/?from=1&to=9").status_code == 404
    assert c.post(f"/pages/{page.pk}/history/1/restore/").status_code == 302
    page.refresh_from_db()
    assert page.content == "line one"
    assert list(PageRevision.objects.filter(page=page).values_list("number", "content")) == [
        (2, "line two"), (1, "line one")]


def test_search_fragment_escapes_page_text_and_marks_matches(client, user):
    services.page_create(author=user, title="Deploy <i>now</i>",
                         content="deployment <b>bold</b> and <script>x</script> for R&D, 1 < 2")
    r = client.get("/search/?q=deploym", HTTP_HX_REQUEST="true")
    body = r.content.decode()
    assert "<html" not in body and "<mark>deployment</mark>" in body
    assert "<script>" not in body and "<b>" not in body and "Deploy &lt;i&gt;now&lt;/i&gt;" in body
    assert "R&amp;D" in body


def test_preview_uses_the_page_renderer(web_login, user):
    c = web_login(user)
    r = c.post("/pages/preview/", {"content": "# Hi <script>x()</script>"})
    assert "<h1>Hi </h1>" in r.content.decode() and "<script" not in r.content.decode()


def test_teams_create_and_list_their_pages(web_login, user, other):
    c = web_login(user)
    r = c.post("/teams/", {"name": "Platform"})
    team_url = r["Location"]
    team_id = int(team_url.strip("/").split("/")[-1])
    c.post("/pages/new/", {"title": "Runbook", "content": "x", "team": str(team_id)})
    assert Page.objects.get(title="Runbook").team_id == team_id
    assert "Runbook" in c.get(team_url).content.decode()
    assert web_login(other).get(team_url).status_code == 403
    r = web_login(other).post("/pages/new/", {"title": "Sneak", "team": str(team_id)})
    assert r.status_code == 400 and not Page.objects.filter(title="Sneak").exists()


def test_delete_needs_confirmation(web_login, user):
    page = services.page_create(author=user, title="Bye", content="x")
    c = web_login(user)
    confirm = c.get(f"/pages/{page.pk}/delete/")
    assert confirm.status_code == 200 and "Delete “Bye”?" in confirm.content.decode()
    page.refresh_from_db()
    assert page.deleted_at is None
    assert c.post(f"/pages/{page.pk}/delete/")["Location"] == "/"
    page.refresh_from_db()
    assert page.deleted_at is not None


def test_list_filters_and_pages(client, user):
    for n in range(25):
        services.page_create(author=user, title=f"P{n:02d}", folder="ops" if n % 2 else "docs",
                             tags=["even"] if n % 2 == 0 else [])
    first = client.get("/").content.decode()
    assert "P24" in first and "P04" not in first and "Page 1 of 2" in first
    assert first.index("P24") < first.index("P23")  # newest first
    assert "P04" in client.get("/?page=2").content.decode()
    ops = client.get("/?folder=ops").content.decode()
    assert "P23" in ops and "P24" not in ops
    even = client.get("/?tag=even").content.decode()
    assert "P24" in even and "P23" not in even


def test_htmx_posts_need_the_csrf_header(browser_client, user):
    browser_client.post("/login/", {"email": user.email, "password": PASSWORD,
                                     "csrfmiddlewaretoken": _csrf(browser_client, "/login/")})
    assert browser_client.post("/pages/preview/", {"content": "# x"}, HTTP_HX_REQUEST="true").status_code == 403
    token = browser_client.cookies["csrftoken"].value
    r = browser_client.post("/pages/preview/", {"content": "# x"}, HTTP_HX_REQUEST="true", HTTP_X_CSRFTOKEN=token)
    assert r.status_code == 200 and "<h1>x</h1>" in r.content.decode()
    base = browser_client.get("/").content.decode()
    assert 'hx-headers=\'{"X-CSRFToken": "' in base  # every htmx request from the page carries it


def test_cached_pages_follow_writes_and_never_cross_visibility(client, web_login, user, team_of,
                                                             django_capture_on_commit_callbacks, settings):
    from papyrus.wiki import cache

    settings.OPS_CACHE_RESPONSES = True
    cache.pages.invalidate()
    public = services.page_create(author=user, title="Cached", content="old text")
    secret = services.page_create(author=user, title="Cached secret", content="members only", team=team_of(user))
    member = web_login(user)
    for url in (f"/pages/{public.pk}/", "/", f"/pages/{secret.pk}/"):
        member.get(url)  # the member's visibility fills the cache
    assert "old text" in client.get(f"/pages/{public.pk}/").content.decode()
    assert "Cached secret" not in client.get("/").content.decode()
    assert client.get(f"/pages/{secret.pk}/").status_code == 403

    with django_capture_on_commit_callbacks(execute=True):  # a real commit's invalidation
        services.page_update(page=public, editor=user, title="Cached, edited", content="new text")
    assert "new text" in client.get(f"/pages/{public.pk}/").content.decode()
    assert "Cached, edited" in client.get("/").content.decode()
    assert ">Edit<" in member.get(f"/pages/{public.pk}/").content.decode()  # per request, not cached
    assert ">Edit<" not in client.get(f"/pages/{public.pk}/").content.decode()


def test_browser_sign_in_is_guarded_like_the_apis_against_password_guessing(user):
    isolated = {**settings.CACHES["default"], "KEY_PREFIX": f"rl-test-{uuid.uuid4().hex}"}
    with override_settings(RATE_LIMIT_ENABLED=True, CACHES={**settings.CACHES, "rl": isolated},
                           RATELIMIT_CACHE_ALIAS="rl", TRUSTED_PROXIES=0):
        try:
            limit = next(r for r in rules.active_rules() if r.name == "auth").limit_for("ip+body:email")
            form = urlencode({"email": user.email, "password": "x"})  # as a browser posts a form
            codes = [Client(REMOTE_ADDR="10.8.0.1").post(
                "/login/", form, content_type="application/x-www-form-urlencoded").status_code
                for _ in range(limit + 1)]
            elsewhere = Client(REMOTE_ADDR="10.8.0.2").post(
                "/login/", urlencode({"email": user.email, "password": PASSWORD}),
                content_type="application/x-www-form-urlencoded")
        finally:
            rules.forget()
    assert codes == [400] * limit + [429]  # per (address, email), as /api/auth/login
    assert elsewhere.status_code == 302  # the person signs in from another address all the same
