"""The user and teams a token names come from a cache (papyrus.accounts.principal): every change a
user or an admin makes is seen by the very next request, in autocommit as in production."""
import pytest
from django.db import connection

from backups_app.signals import restore_committed
from papyrus.wiki.models import Membership

pytestmark = pytest.mark.django_db(transaction=True)

PAGE = {"title": "Team page", "content": "words"}


def _cached(client, url="/api/auth/me"):
    assert client.get(url).status_code == 200  # fills the principal cache
    assert client.get(url).status_code == 200  # served from it


def test_a_user_added_to_a_team_may_post_to_it_at_once(user, other, login, team_of):
    team = team_of(other)
    alice = login(user)
    _cached(alice)
    assert alice.post("/api/pages", {**PAGE, "teamId": team.id}, format="json").status_code == 403
    Membership.objects.create(team=team, user=user, role=Membership.Role.MEMBER)
    assert alice.post("/api/pages", {**PAGE, "teamId": team.id}, format="json").status_code == 201


def test_a_user_removed_from_a_team_can_no_longer_read_its_pages(user, other, login, team_of, page_of, settings):
    settings.OPS_CACHE_RESPONSES = True  # a cached page: the permission check reads the cached teams
    team = team_of(other, user)
    page = page_of(other, "Secret", team=team)
    alice = login(user)
    _cached(alice, f"/api/pages/{page.id}")
    Membership.objects.filter(team=team, user=user).delete()
    assert alice.get(f"/api/pages/{page.id}").status_code == 403


def test_a_deleted_team_takes_its_memberships_along(user, other, login, team_of, page_of):
    team = team_of(other, user)
    alice = login(user)
    _cached(alice)
    assert [t["id"] for t in alice.get("/api/teams").json()] == [team.id]
    team_id = team.id
    team.delete()
    assert alice.post("/api/pages", {**PAGE, "teamId": team_id}, format="json").status_code == 400


def test_a_deactivated_user_is_refused_at_once(user, login):
    alice = login(user)
    _cached(alice)
    user.is_active = False
    user.save()
    assert alice.get("/api/auth/me").status_code == 401


def test_a_renamed_user_and_a_promotion_show_at_once(user, login):
    alice = login(user)
    _cached(alice)
    user.name, user.is_staff = "Alice B.", True
    user.save()
    me = alice.get("/api/auth/me").json()["user"]
    assert me["name"] == "Alice B." and me["role"] == "admin"


def test_a_restore_makes_every_cached_principal_stale(user, login):
    alice = login(user)
    _cached(alice)
    with connection.cursor() as cursor:  # what a restore does: rows replaced without the ORM
        cursor.execute("UPDATE accounts_user SET name = 'Restored Alice' WHERE id = %s", [user.id])
    assert alice.get("/api/auth/me").json()["user"]["name"] == "Alice"  # cached: no signal was sent
    restore_committed.send(sender="backups_app", name="backup_2026-11-30_120000.sql.gz")
    assert alice.get("/api/auth/me").json()["user"]["name"] == "Restored Alice"


def test_the_password_hash_is_not_cached(user, login):
    from django.core.cache import caches

    alice = login(user)
    _cached(alice)
    client = caches["default"].client.get_client(write=True)
    values = [client.get(k) or b"" for k in client.scan_iter(match="*auth*entry*", count=1000)]
    assert values and any(b"alice@example.com" in v for v in values)
    assert not any(user.password.encode() in v or b"pbkdf2" in v or b"argon2" in v for v in values)


def test_a_verified_token_still_expires(user):
    """Signatures are verified once per process (authentication._verified); expiry every time."""
    import time
    from datetime import timedelta

    from rest_framework.test import APIClient
    from rest_framework_simplejwt.tokens import AccessToken

    token = AccessToken.for_user(user)
    token.set_exp(lifetime=timedelta(seconds=2))
    c = APIClient()
    c.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert c.get("/api/auth/me").status_code == 200
    assert c.get("/api/auth/me").status_code == 200  # the verified token, from the process' cache
    time.sleep(max(0.0, token["exp"] - time.time()) + 0.2)
    assert c.get("/api/auth/me").status_code == 401
    forged = str(token)[:-2] + ("AA" if not str(token).endswith("AA") else "BB")
    c.credentials(HTTP_AUTHORIZATION=f"Bearer {forged}")
    assert c.get("/api/auth/me").status_code == 401
