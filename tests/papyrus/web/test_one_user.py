"""One user per request: the wiki's pages read `request.user` from the JWT cookies; the admin and
the API keep Django's session user (papyrus/web/auth.py). A wiki sign-in never opens the admin."""
import pytest

from papyrus.accounts import services as accounts


@pytest.fixture
def staff(make_user):
    return make_user(name="Root", email="root@example.com", is_staff=True, is_superuser=True)


def test_a_staff_member_signed_in_to_the_wiki_only_gets_the_admins_login_page(web_login, staff):
    c = web_login(staff)
    assert '<span class="who">Root</span>' in c.get("/").content.decode()  # the wiki knows them

    r = c.get("/admin/")
    assert r.status_code == 302 and r["Location"] == "/admin/login/?next=/admin/"
    login = c.get(r["Location"])
    assert login.status_code == 200 and 'name="password"' in login.content.decode()  # not sent on to the index
    assert c.get("/admin/accounts/user/").status_code == 302


def test_the_admin_and_the_wiki_each_name_their_own_user(web_login, staff, user):
    c = web_login(user)  # Alice in the wiki
    c.force_login(staff)  # Root in the admin
    admin = c.get("/admin/")
    assert admin.status_code == 200 and "root@example.com" in admin.content.decode()
    page = c.get("/").content.decode()
    assert '<span class="who">Alice</span>' in page and "Root" not in page


def test_an_admin_session_alone_is_anonymous_in_the_wiki(client, staff):
    client.force_login(staff)
    assert client.get("/admin/").status_code == 200
    page = client.get("/").content.decode()
    assert "Sign in" in page and "Sign out" not in page


def test_a_404_page_names_the_wikis_user(web_login, user):
    r = web_login(user).get("/no-such-place/")
    assert r.status_code == 404 and '<span class="who">Alice</span>' in r.content.decode()


def test_the_api_does_not_rotate_the_wikis_refresh_cookie(web_login, user):
    """DRF's SessionAuthentication reads the session user; the wiki's would rotate the refresh
    cookie on an API request and sign the caller in through it."""
    c = web_login(user)
    refresh = c.cookies["refreshToken"].value
    c.cookies["accessToken"] = "expired-or-garbage"
    r = c.get("/api/auth/me")
    assert r.status_code == 401 and "refreshToken" not in r.cookies
    accounts.tokens_rotate(refresh=refresh)  # not spent
