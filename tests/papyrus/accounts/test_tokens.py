"""Bearer header, refresh rotation, logout revocation, /api/auth/me."""
from datetime import timedelta

import pytest
from django.test import Client
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from papyrus.accounts import services


def cookie(client, name):
    return client.cookies[name].value


def test_me_is_401_anonymous_and_the_user_signed_in(client, signed_in, user):
    assert APIClient().get("/api/auth/me").status_code == 401
    r = signed_in.get("/api/auth/me", content_type="application/json")
    assert r.status_code == 200
    assert r.json() == {"user": {"id": user.id, "name": "Alice", "email": "alice@example.com", "role": "user"}}


def test_staff_have_the_admin_role(login, make_user):
    staff = make_user(is_staff=True)
    assert login(staff).get("/api/auth/me").json()["user"]["role"] == "admin"


def test_bearer_header_is_accepted(signed_in, user):
    access = cookie(signed_in, "accessToken")
    bearer = APIClient()
    bearer.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    assert bearer.get("/api/auth/me").json()["user"]["id"] == user.id
    r = bearer.post("/api/pages", {"title": "Via bearer"}, format="json")
    assert r.status_code == 201 and r.json()["author"] == "Alice"


def test_a_bad_bearer_token_is_401(db):
    c = APIClient()
    c.credentials(HTTP_AUTHORIZATION="Bearer not.a.jwt")
    assert c.get("/api/auth/me").status_code == 401
    assert c.post("/api/pages", {"title": "x"}, format="json").status_code == 401


def test_the_access_cookie_alone_is_enough(signed_in, user):
    c = Client()
    c.cookies["accessToken"] = cookie(signed_in, "accessToken")
    assert c.get("/api/auth/me").json()["user"]["id"] == user.id
    assert c.post("/api/pages", {"title": "Cookie only"}, content_type="application/json").status_code == 201


def test_an_expired_access_token_reads_as_anonymous(client, user, page_of):
    token = AccessToken.for_user(user)
    token.set_exp(lifetime=-timedelta(minutes=1))
    client.cookies["accessToken"] = str(token)
    page = page_of(user)
    assert client.get(f"/api/pages/{page.id}").status_code == 200
    assert client.get("/api/auth/me").status_code == 401
    bearer = APIClient()
    bearer.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert bearer.get("/api/auth/me").status_code == 401


def test_a_refresh_token_is_not_an_access_token(signed_in):
    c = APIClient()
    c.credentials(HTTP_AUTHORIZATION=f"Bearer {cookie(signed_in, 'refreshToken')}")
    assert c.get("/api/auth/me").status_code == 401


def test_refresh_rotates_both_cookies_and_the_old_refresh_token_stops_working(signed_in, user):
    old_access, old_refresh = cookie(signed_in, "accessToken"), cookie(signed_in, "refreshToken")
    r = signed_in.post("/api/auth/refresh", content_type="application/json")
    assert r.status_code == 200 and r.json()["user"]["id"] == user.id
    assert list(r.cookies) == ["accessToken", "refreshToken"]
    new_refresh = cookie(signed_in, "refreshToken")
    assert new_refresh != old_refresh and cookie(signed_in, "accessToken") != old_access

    replay = APIClient()
    replay.cookies["refreshToken"] = old_refresh
    assert replay.post("/api/auth/refresh").status_code == 401
    assert APIClient().post("/api/auth/refresh", {"refreshToken": old_refresh}, format="json").status_code == 401
    # Replaying a rotated token is reuse (OAuth 2.0 Security BCP): the whole family is revoked,
    # the newest token included (issue 19 item 4; was: the new one keeps working).
    assert signed_in.post("/api/auth/refresh").status_code == 401


def test_refresh_token_in_the_body_is_accepted(signed_in):
    raw = cookie(signed_in, "refreshToken")
    r = APIClient().post("/api/auth/refresh", {"refreshToken": raw}, format="json")
    assert r.status_code == 200 and "accessToken" in r.cookies


@pytest.mark.parametrize("body", [{}, {"refreshToken": ""}, {"refreshToken": "garbage"}, {"refreshToken": 12},
                                  {"refreshToken": "a.b.c"}, {"refreshToken": None}])
def test_refresh_without_a_valid_token_is_4xx(db, body):
    r = APIClient().post("/api/auth/refresh", body, format="json")
    assert r.status_code in (400, 401) and r.json()["message"]
    assert "accessToken" not in r.cookies


def test_an_access_token_cannot_refresh(signed_in):
    r = APIClient().post("/api/auth/refresh", {"refreshToken": cookie(signed_in, "accessToken")}, format="json")
    assert r.status_code == 401


def test_refresh_for_a_deactivated_user_is_401(signed_in, user):
    user.is_active = False
    user.save()
    assert signed_in.post("/api/auth/refresh").status_code == 401


def test_logout_clears_cookies_and_revokes_the_refresh_token(signed_in):
    refresh = cookie(signed_in, "refreshToken")
    r = signed_in.post("/api/auth/logout", content_type="application/json")
    assert r.status_code == 204
    assert r.cookies["accessToken"].value == "" and r.cookies["refreshToken"].value == ""
    assert r.cookies["refreshToken"]["max-age"] == 0 and r.cookies["refreshToken"]["path"] == "/"
    assert APIClient().post("/api/auth/refresh", {"refreshToken": refresh}, format="json").status_code == 401
    assert signed_in.get("/api/auth/me").status_code == 401


def test_logout_without_cookies_is_still_204(client, db):
    assert client.post("/api/auth/logout").status_code == 204
    client.cookies["refreshToken"] = "garbage"
    assert client.post("/api/auth/logout").status_code == 204


def test_services_rotate_and_revoke(user):
    access, refresh = services.tokens_issue(user=user)
    got, _, new_refresh = services.tokens_rotate(refresh=refresh)
    assert got == user
    with pytest.raises(services.BadRefreshToken):
        services.tokens_rotate(refresh=refresh)
    services.tokens_revoke(refresh=new_refresh)
    with pytest.raises(services.BadRefreshToken):
        services.tokens_rotate(refresh=new_refresh)
    assert RefreshToken.for_user(user)  # issuing still works after revocation
