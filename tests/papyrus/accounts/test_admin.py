"""Django admin for users."""
import pytest
from django.test import Client

from papyrus.accounts.models import User


@pytest.fixture
def admin_client(make_user):
    c = Client()
    c.force_login(make_user(name="Root", email="root@example.com", is_staff=True, is_superuser=True))
    return c


@pytest.mark.parametrize("path", ["/admin/accounts/user/", "/admin/accounts/user/add/",
                                  "/admin/accounts/user/?q=alice"])
def test_user_admin_pages_load(admin_client, user, path):
    r = admin_client.get(path)
    assert r.status_code == 200
    if "q=" in path:
        assert b"alice@example.com" in r.content


def test_user_change_form_loads(admin_client, user):
    assert admin_client.get(f"/admin/accounts/user/{user.id}/change/").status_code == 200


def test_admin_adds_a_user_with_a_hashed_password(admin_client, db):
    r = admin_client.post("/admin/accounts/user/add/", {
        "email": "dora@example.com", "name": "Dora", "password1": "Str0ng-pass!", "password2": "Str0ng-pass!",
        "usable_password": "true"})
    assert r.status_code == 302, r.content[:3000]
    assert User.objects.get(email="dora@example.com").check_password("Str0ng-pass!")


def test_superuser_can_sign_in_to_the_admin(user, make_user):
    make_user(email="boss@example.com", is_staff=True, is_superuser=True)
    c = Client()
    from tests.conftest import PASSWORD
    r = c.post("/admin/login/?next=/admin/", {"username": "BOSS@example.com", "password": PASSWORD})
    assert r.status_code == 302 and r["Location"] == "/admin/"
    assert c.get("/admin/accounts/user/").status_code == 200
