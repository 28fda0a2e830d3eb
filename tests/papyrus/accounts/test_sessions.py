"""Issue 19 items 4-6: logout ends the session at once, rotated refresh tokens cannot be reused,
cookie-authenticated unsafe requests from another site are refused. Real Redis, real PostgreSQL."""
import uuid

import pytest
from rest_framework.test import APIClient

from backups_app.models import Backup
from papyrus.wiki.models import Page

from .test_tokens import cookie


def bearer(access):
    c = APIClient()
    c.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return c


def test_after_logout_the_access_token_no_longer_works_writes_included(signed_in):
    access = cookie(signed_in, "accessToken")
    assert bearer(access).get("/api/auth/me").status_code == 200
    assert signed_in.post("/api/auth/logout").status_code == 204
    assert bearer(access).get("/api/auth/me").status_code == 401
    assert bearer(access).post("/api/pages", {"title": "After logout"}, format="json").status_code == 401
    stolen_cookie = APIClient()
    stolen_cookie.cookies["accessToken"] = access
    assert stolen_cookie.get("/api/auth/me").status_code == 401
    assert stolen_cookie.post("/api/pages", {"title": "After logout"}, format="json").status_code == 401
    assert not Page.objects.filter(title="After logout").exists()


def test_logout_revokes_a_refresh_token_sent_in_the_body(signed_in):
    access, refresh = cookie(signed_in, "accessToken"), cookie(signed_in, "refreshToken")
    r = APIClient().post("/api/auth/logout", {"refreshToken": refresh}, format="json")  # no cookies
    assert r.status_code == 204
    assert APIClient().post("/api/auth/refresh", {"refreshToken": refresh}, format="json").status_code == 401
    assert bearer(access).get("/api/auth/me").status_code == 401  # the same session's access token


def test_a_bearer_logout_ends_the_session_of_its_refresh_token(signed_in):
    access, refresh = cookie(signed_in, "accessToken"), cookie(signed_in, "refreshToken")
    assert bearer(access).post("/api/auth/logout").status_code == 204
    assert APIClient().post("/api/auth/refresh", {"refreshToken": refresh}, format="json").status_code == 401


def test_logout_ends_only_its_own_session(login, user):
    laptop, phone = login(user), login(user)
    assert laptop.post("/api/auth/logout").status_code == 204
    assert bearer(cookie(phone, "accessToken")).get("/api/auth/me").status_code == 200
    assert phone.post("/api/auth/refresh").status_code == 200


def test_reusing_a_rotated_refresh_token_revokes_the_whole_family(signed_in):
    stolen = cookie(signed_in, "refreshToken")
    assert signed_in.post("/api/auth/refresh").status_code == 200  # the owner rotates
    newest_access, newest_refresh = cookie(signed_in, "accessToken"), cookie(signed_in, "refreshToken")
    # The thief replays the old token: refused, and the family it belongs to is burnt.
    assert APIClient().post("/api/auth/refresh", {"refreshToken": stolen}, format="json").status_code == 401
    assert APIClient().post("/api/auth/refresh", {"refreshToken": newest_refresh},
                            format="json").status_code == 401
    assert bearer(newest_access).get("/api/auth/me").status_code == 401
    from papyrus.accounts.models import TokenFamily

    family = TokenFamily.objects.get()
    assert family.revoked_reason == "reuse" and family.revoked_at is not None


def test_refresh_tokens_are_not_stored_in_the_database(signed_in):
    """A backup file must not hold usable refresh tokens: only their jti is kept."""
    from papyrus.accounts.models import TokenFamily

    assert cookie(signed_in, "refreshToken") not in str(list(TokenFamily.objects.values()))


def test_expired_sign_ins_are_pruned_daily_and_live_ones_kept(login, user, settings):
    from datetime import timedelta

    from django.utils import timezone

    from papyrus.accounts.models import TokenFamily
    from papyrus.accounts.tasks import PRUNE_TASK, prune_token_families

    entry = settings.CELERY_BEAT_SCHEDULE["accounts-prune-token-families"]
    assert entry["task"] == PRUNE_TASK and entry["schedule"].minute == {23} and entry["schedule"].hour == {4}
    login(user)  # the sign-in that will have expired
    live = login(user)
    old_sid = TokenFamily.objects.order_by("created_at").first().pk
    TokenFamily.objects.filter(pk=old_sid).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert prune_token_families.apply().get() == 1
    assert not TokenFamily.objects.filter(pk=old_sid).exists() and TokenFamily.objects.count() == 1
    assert live.post("/api/auth/refresh").status_code == 200  # the live sign-in still rotates
    assert prune_token_families.apply().get() == 0


# --- item 6: cross-site forms --------------------------------------------------------------

CROSS_SITE = [{"HTTP_SEC_FETCH_SITE": "cross-site"}, {"HTTP_SEC_FETCH_SITE": "same-site"},
              {"HTTP_ORIGIN": "https://evil.example"}, {"HTTP_ORIGIN": "null"}]
SAME_SITE = [{}, {"HTTP_SEC_FETCH_SITE": "same-origin"}, {"HTTP_SEC_FETCH_SITE": "none"},
             {"HTTP_ORIGIN": "http://testserver"}]


@pytest.fixture
def staff_client(login, make_user):
    return login(make_user(is_staff=True))


@pytest.mark.parametrize("headers", CROSS_SITE)
def test_a_cross_site_bodiless_post_with_cookies_is_refused(staff_client, headers):
    r = staff_client.post("/api/admin/backup", **headers)  # what a cross-site <form method=post> sends
    assert r.status_code == 403 and "Cross-site" in r.json()["message"]
    assert not Backup.objects.exists()
    r = staff_client.post("/api/pages", {"title": "Forged"}, format="json", **headers)
    assert r.status_code == 403 and not Page.objects.filter(title="Forged").exists()
    assert staff_client.post("/api/auth/logout", **headers).status_code == 403
    assert staff_client.post("/api/auth/refresh", **headers).status_code == 403
    assert staff_client.get("/api/auth/me", **headers).status_code == 200  # reads are not state changes


@pytest.mark.parametrize("headers", SAME_SITE)
def test_same_origin_and_header_less_clients_keep_working(staff_client, headers, settings):
    settings.BACKUP_REDIS_PREFIX = f"test-{uuid.uuid4().hex[:8]}:"  # an accepted backup holds the lock (no worker here)
    assert staff_client.post("/api/admin/backup", **headers).status_code == 202
    assert staff_client.post("/api/pages", {"title": "Mine"}, format="json", **headers).status_code == 201
    assert staff_client.post("/api/auth/refresh", **headers).status_code == 200


def test_bearer_clients_are_not_checked(staff_client):
    c = bearer(cookie(staff_client, "accessToken"))
    assert c.post("/api/pages", {"title": "From a SPA elsewhere"}, format="json",
                  HTTP_ORIGIN="https://other.example", HTTP_SEC_FETCH_SITE="cross-site").status_code == 201


# --- item 5: the hot path's budget and the Redis-down direction --------------------------------

def test_an_authenticated_request_costs_no_database_query_and_one_redis_round_trip(signed_in, user, monkeypatch,
                                                                                 django_assert_num_queries):
    """The revocation check and the user with their teams (papyrus.accounts.principal) share one
    round trip; only the first request after a change reads the database."""
    import redis.connection

    sent = []
    real = redis.connection.AbstractConnection.send_packed_command
    monkeypatch.setattr(redis.connection.AbstractConnection, "send_packed_command",
                        lambda self, *a, **k: sent.append(a) or real(self, *a, **k))
    c = bearer(cookie(signed_in, "accessToken"))
    with django_assert_num_queries(2):  # the user row and their teams, then cached
        assert c.get("/api/auth/me").status_code == 200
    sent.clear()
    with django_assert_num_queries(0):
        me = c.get("/api/auth/me")
    assert me.status_code == 200 and me.json()["user"]["email"] == user.email
    assert len(sent) == 1, f"{len(sent)} Redis round trips"


def test_with_redis_unreachable_the_revocation_check_fails_open(signed_in, settings):
    access = cookie(signed_in, "accessToken")
    assert signed_in.post("/api/auth/logout").status_code == 204
    assert bearer(access).get("/api/auth/me").status_code == 401
    settings.CACHES = {**settings.CACHES, "dead": {
        "BACKEND": "django_redis.cache.RedisCache", "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5}}}
    settings.AUTH_REVOCATION_CACHE_ALIAS = "dead"
    # Documented direction: signature and expiry still apply, the denylist cannot be read.
    assert bearer(access).get("/api/auth/me").status_code == 200
    assert bearer("not.a.token").get("/api/auth/me").status_code == 401


def test_a_logout_with_a_malformed_body_still_ends_the_cookie_session(signed_in):
    access = cookie(signed_in, "accessToken")
    r = signed_in.generic("POST", "/api/auth/logout", b"{garbage", content_type="application/json")
    assert r.status_code == 204
    assert bearer(access).get("/api/auth/me").status_code == 401
