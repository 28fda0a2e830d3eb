"""Argon2id at no less than OWASP's minimum; PBKDF2 hashes are rehashed on the next login."""
import argon2
import pytest
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.test import override_settings

from papyrus.accounts.models import User
from settings import base
from tests.conftest import PASSWORD

PRODUCTION_HASHERS = override_settings(PASSWORD_HASHERS=base.PASSWORD_HASHERS)


def parameters(encoded: str) -> argon2.Parameters:
    algorithm, rest = encoded.split("$", 1)
    assert algorithm == "argon2"
    return argon2.extract_parameters("$" + rest)


def test_production_settings_hash_with_argon2id_at_owasps_minimum_or_more():
    with PRODUCTION_HASHERS:
        params = parameters(make_password("Str0ng-pass"))
    assert params.type is argon2.Type.ID
    assert params.memory_cost >= 19 * 1024 and params.time_cost >= 2 and params.parallelism >= 1


@pytest.mark.parametrize("old", ["pbkdf2_sha256", "argon2-stock"])
def test_an_older_hash_is_replaced_on_the_next_login(client, db, old):
    with PRODUCTION_HASHERS:
        user = User.objects.create_user(email="old@example.com", name="Old", password="unused")
        if old == "argon2-stock":  # Django's stock parameters (m=100 MiB, p=8): rehashed to ours
            from django.contrib.auth.hashers import Argon2PasswordHasher
            user.password = Argon2PasswordHasher().encode(PASSWORD, Argon2PasswordHasher().salt())
        else:
            user.password = make_password(PASSWORD, hasher=old)
        user.save()
        stored = user.password
        r = client.post("/api/auth/login", {"email": user.email, "password": PASSWORD}, format="json")
        assert r.status_code == 200, r.content
        user.refresh_from_db()
        assert user.password != stored
        assert parameters(user.password).memory_cost == 19 * 1024
        # and the new hash signs in
        r = client.post("/api/auth/login", {"email": user.email, "password": PASSWORD}, format="json")
        assert r.status_code == 200


def test_a_failed_login_keeps_the_old_hash(client, db):
    with PRODUCTION_HASHERS:
        user = User.objects.create_user(email="old@example.com", name="Old", password="unused")
        user.password = make_password(PASSWORD, hasher="pbkdf2_sha256")
        user.save()
        r = client.post("/api/auth/login", {"email": user.email, "password": "wrong-Pass1!"}, format="json")
        assert r.status_code == 401
        user.refresh_from_db()
        assert user.password.startswith("pbkdf2_sha256$")


def test_test_settings_keep_a_fast_hasher():
    assert settings.PASSWORD_HASHERS[0].endswith("MD5PasswordHasher")
