"""POST /api/auth/register and /api/auth/login."""
from datetime import timedelta

import pytest
from django.test import override_settings

from papyrus.accounts.models import User
from tests.conftest import PASSWORD

GOOD = {"name": "Carol", "email": "carol@example.com", "password": "Str0ng-pass"}


def register(client, **data):
    return client.post("/api/auth/register", GOOD | data, format="json")


def assert_auth_cookies(response):
    """accessToken first, then refreshToken: HttpOnly, SameSite=Lax, Path=/, 1 h and 30 d."""
    assert list(response.cookies) == ["accessToken", "refreshToken"]
    access, refresh = response.cookies["accessToken"], response.cookies["refreshToken"]
    for cookie in (access, refresh):
        assert cookie.value.count(".") == 2  # a JWT
        assert cookie["httponly"] is True and cookie["samesite"] == "Lax" and cookie["path"] == "/"
    assert access["max-age"] == int(timedelta(hours=1).total_seconds())
    assert refresh["max-age"] == int(timedelta(days=30).total_seconds())


def test_register_is_201_with_the_user_and_signs_in(client, db):
    r = register(client)
    assert r.status_code == 201, r.content
    user = r.json()["user"]
    assert set(user) == {"id", "name", "email", "role"}
    assert (user["name"], user["email"], user["role"]) == ("Carol", "carol@example.com", "user")
    assert "password" not in r.content.decode()
    assert_auth_cookies(r)
    assert client.get("/api/auth/me").json()["user"]["id"] == user["id"]


def test_register_stores_a_lowercase_email_and_a_hashed_password(client, db):
    register(client, email="Carol@Example.COM")
    user = User.objects.get()
    assert user.email == "carol@example.com"
    assert user.password != GOOD["password"] and user.check_password(GOOD["password"])


@pytest.mark.parametrize("email", ["carol@example.com", "CAROL@example.com", "Carol@EXAMPLE.com", " carol@example.com "])
def test_a_known_email_is_409_whatever_its_case(client, db, email):
    assert register(client).status_code == 201
    r = register(client, email=email, name="Other")
    assert r.status_code == 409, r.content
    assert r.json()["message"] and "email" in r.json()["errors"]
    assert User.objects.count() == 1


@pytest.mark.parametrize("password", ["Sh0rt!", "abcdefgh1", "abcdefgh!", "12345678!", "ABCDEFGH", "        ",
                                      "한국어비밀번호123!"[:7]])
def test_weak_passwords_are_400(client, db, password):
    r = register(client, password=password)
    assert r.status_code == 400, r.content
    assert r.json()["errors"]["password"]
    assert not User.objects.exists()


@pytest.mark.parametrize("password", ["Str0ng-pass", "a1!aaaaa", "pass word 9", "비밀번호Ab1!"])
def test_passwords_with_letter_digit_symbol_and_8_chars_pass(client, db, password):
    assert register(client, password=password).status_code == 201


@pytest.mark.parametrize("data, field", [
    ({"name": ""}, "name"), ({"name": "n" * 101}, "name"), ({"name": ["x"]}, "name"), ({"name": None}, "name"),
    ({"email": "not-an-email"}, "email"), ({"email": ""}, "email"), ({"email": 5}, "email"),
    ({"email": "a" * 250 + "@x.io"}, "email"), ({"email": {"x": 1}}, "email"),
    ({"password": "A1!" + "a" * 200}, "password"), ({"password": 12345678}, "password"),
    ({"password": ["Str0ng-pass"]}, "password"), ({"password": "Str0ng\u0000pass"}, "password"),
    ({"name": "nul\u0000"}, "name"),
])
def test_invalid_registration_is_400_with_field_errors(client, db, data, field):
    r = register(client, **data)
    assert r.status_code == 400, r.content
    assert field in r.json()["errors"]
    assert not User.objects.exists()


def test_missing_fields_are_all_reported(client, db):
    r = client.post("/api/auth/register", {}, format="json")
    assert r.status_code == 400
    assert set(r.json()["errors"]) == {"name", "email", "password"}


def test_register_ignores_unknown_and_privileged_fields(client, db):
    r = register(client, role="admin", is_staff=True, is_superuser=True, id=1, extra=[1, 2])
    assert r.status_code == 201 and r.json()["user"]["role"] == "user"
    user = User.objects.get()
    assert not user.is_staff and not user.is_superuser


def test_login_is_200_with_the_user_and_auth_cookies(client, user):
    r = client.post("/api/auth/login", {"email": user.email, "password": PASSWORD}, format="json")
    assert r.status_code == 200
    assert r.json() == {"user": {"id": user.id, "name": "Alice", "email": "alice@example.com", "role": "user"}}
    assert_auth_cookies(r)
    assert not r.cookies["accessToken"]["secure"]


@override_settings(JWT_COOKIE_SECURE=True)
def test_cookies_are_secure_when_configured(client, user):
    r = client.post("/api/auth/login", {"email": user.email, "password": PASSWORD}, format="json")
    assert r.cookies["accessToken"]["secure"] is True and r.cookies["refreshToken"]["secure"] is True


def test_login_email_is_case_insensitive(client, user):
    r = client.post("/api/auth/login", {"email": " ALICE@Example.com", "password": PASSWORD}, format="json")
    assert r.status_code == 200


@pytest.mark.parametrize("email, password", [
    ("alice@example.com", "wrong-Pass1!"), ("nobody@example.com", PASSWORD), ("alice@example.com", PASSWORD.upper()),
    ("alice@example.com", PASSWORD + " "),
])
def test_bad_credentials_are_401_without_cookies(client, user, email, password):
    r = client.post("/api/auth/login", {"email": email, "password": password}, format="json")
    assert r.status_code == 401
    assert r.json()["message"] == "Invalid email or password"
    assert "accessToken" not in r.cookies


def test_inactive_users_cannot_sign_in(client, user):
    user.is_active = False
    user.save()
    assert client.post("/api/auth/login", {"email": user.email, "password": PASSWORD},
                       format="json").status_code == 401


@pytest.mark.parametrize("data, field", [
    ({"password": PASSWORD}, "email"), ({"email": "alice@example.com"}, "password"),
    ({"email": ["alice@example.com"], "password": PASSWORD}, "email"),
    ({"email": "alice@example.com", "password": None}, "password"),
    ({"email": "a" * 300, "password": PASSWORD}, "email"),
    ({"email": "alice@example.com\u0000", "password": PASSWORD}, "email"),
])
def test_invalid_login_body_is_400(client, user, data, field):
    r = client.post("/api/auth/login", data, format="json")
    assert r.status_code == 400 and field in r.json()["errors"]


def test_secrets_never_come_back_in_error_bodies(client, user):
    secret = "Sup3r-secret-value!"
    for path in ("/api/auth/login", "/api/auth/register"):
        r = client.post(path, {"email": "bad", "password": secret, "name": ""}, format="json")
        assert secret not in r.content.decode()
