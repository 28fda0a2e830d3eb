"""Sign-up and token lifecycle. Views call these; they never touch tokens directly."""
from django.contrib.auth import authenticate
from django.db import IntegrityError, transaction
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.tokens import RefreshToken

from .models import User


class EmailTaken(Exception):
    pass


class BadCredentials(Exception):
    pass


class BadRefreshToken(Exception):
    pass


def user_register(*, name: str, email: str, password: str) -> User:
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise EmailTaken(email)
    try:
        with transaction.atomic():
            return User.objects.create_user(email=email, password=password, name=name.strip())
    except IntegrityError as exc:  # a concurrent sign-up with the same email won
        raise EmailTaken(email) from exc


def user_authenticate(*, email: str, password: str) -> User:
    user = authenticate(username=email.strip().lower(), password=password)
    if user is None:
        raise BadCredentials()
    return user


def tokens_issue(*, user: User) -> tuple[str, str]:
    """Return (access, refresh) for a freshly signed-in user."""
    refresh = RefreshToken.for_user(user)
    return str(refresh.access_token), str(refresh)


def tokens_rotate(*, refresh: str) -> tuple[User, str, str]:
    """Exchange a refresh token for a new pair; the old refresh token is blacklisted."""
    try:
        old = RefreshToken(refresh)
        user = User.objects.get(pk=old["user_id"], is_active=True)
        old.blacklist()
    except (TokenError, KeyError, User.DoesNotExist) as exc:
        raise BadRefreshToken() from exc
    access, new_refresh = tokens_issue(user=user)
    return user, access, new_refresh


def tokens_revoke(*, refresh: str | None) -> None:
    """Blacklist a refresh token; an invalid or missing one is already unusable."""
    if not refresh:
        return
    try:
        RefreshToken(refresh).blacklist()
    except TokenError:
        pass
