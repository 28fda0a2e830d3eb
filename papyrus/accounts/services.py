"""Sign-up and token lifecycle. Views call these; they never touch tokens directly.

Every sign-in starts a TokenFamily; its id travels in both tokens as `sid`. Rotation is one
conditional UPDATE on the family's current jti, so of two requests racing with one refresh
token exactly one wins; the other — like any later use of a rotated token — is reuse, and
revokes the whole family and its access tokens (OAuth 2.0 Security BCP, refresh token rotation).
"""
import logging
import uuid
from datetime import timedelta

from django.contrib.auth import authenticate
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken
from rest_framework_simplejwt.utils import datetime_from_epoch

from . import conf, registration, revocation
from .authentication import SESSION_CLAIM
from .models import TokenFamily, User

log = logging.getLogger(__name__)


class EmailTaken(Exception):
    pass


class BadCredentials(Exception):
    pass


class BadRefreshToken(Exception):
    pass


def user_register(*, name: str, email: str, password: str, invite: str | None = None) -> User:
    """A new user, if REGISTRATION lets this address in (registration.RegistrationRefused otherwise,
    asked first: a closed site does not tell which emails exist); `invite` is spent with it."""
    email = email.strip().lower()
    with transaction.atomic():
        invitation = registration.check_allowed(email=email, invite=invite)
        if User.objects.filter(email__iexact=email).exists():
            raise EmailTaken(email)
        try:
            with transaction.atomic():
                user = User.objects.create_user(email=email, password=password, name=name.strip())
        except IntegrityError as exc:  # a concurrent sign-up with the same email won
            raise EmailTaken(email) from exc
        registration.invitation_spend(invitation, user)
        return user


def tokens_revoke_all(*, user: User, reason: str) -> int:
    """End every sign-in of `user` (refresh families and their access tokens); how many were live."""
    sids = [str(sid) for sid in TokenFamily.objects.filter(user=user, revoked_at=None).values_list("pk", flat=True)]
    for sid in sids:
        _revoke_family(sid, reason=reason)
    return len(sids)


def user_authenticate(*, email: str, password: str) -> User:
    user = authenticate(username=email.strip().lower(), password=password)
    if user is None:
        raise BadCredentials()
    return user


def _refresh_for(user: User, sid: str) -> RefreshToken:
    """A new refresh token (no OutstandingToken row: the database keeps no usable token)."""
    token = RefreshToken()
    token[api_settings.USER_ID_CLAIM] = getattr(user, api_settings.USER_ID_FIELD)
    token[SESSION_CLAIM] = sid
    return token


def tokens_issue(*, user: User) -> tuple[str, str]:
    """Return (access, refresh) for a freshly signed-in user: a new token family."""
    family = TokenFamily(user=user)
    refresh = _refresh_for(user, str(family.id))
    family.current_jti, family.expires_at = refresh[api_settings.JTI_CLAIM], datetime_from_epoch(refresh["exp"])
    family.save()
    return str(refresh.access_token), str(refresh)


PRUNE_BATCH = 5000


def token_families_prune(*, now=None) -> int:
    """Delete the token families whose newest refresh token has expired; the number deleted.

    Every sign-in adds a family and nothing else removes one. An expired family is of no use: its
    refresh tokens are refused by their own `exp` before the family is looked up (so reuse
    detection loses nothing), and its access tokens expired long before. In batches, so no
    statement holds many rows' locks.
    """
    cutoff, total = now or timezone.now(), 0
    while True:
        batch = list(TokenFamily.objects.filter(expires_at__lt=cutoff).values_list("pk", flat=True)[:PRUNE_BATCH])
        if not batch:
            return total
        total += TokenFamily.objects.filter(pk__in=batch).delete()[0]


def tokens_rotate(*, refresh: str, grace: bool = False) -> tuple[User, str, str | None]:
    """Exchange the newest refresh token of a family for a new pair; an older one is reuse and revokes
    the family (the API: OAuth 2.0 Security BCP reuse detection).

    With `grace` (the browser wiki, whose tabs share one cookie and refresh at the same moment), the
    token rotated away less than REFRESH_REUSE_GRACE_SECONDS ago gets an access token for its request
    and no refresh token (None): the tab that won the race holds the one live chain."""
    try:
        old = RefreshToken(refresh)
        user_id, jti = old[api_settings.USER_ID_CLAIM], old[api_settings.JTI_CLAIM]
    except (TokenError, KeyError) as exc:
        raise BadRefreshToken() from exc
    sid = _uuid(old.get(SESSION_CLAIM))
    if not sid:
        raise BadRefreshToken()  # issued before token families existed: sign in again
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise BadRefreshToken()
    new, now = _refresh_for(user, sid), timezone.now()
    claimed = TokenFamily.objects.filter(pk=sid, user=user, current_jti=jti, revoked_at=None).update(
        current_jti=new[api_settings.JTI_CLAIM], previous_jti=jti, rotated_at=now,
        expires_at=datetime_from_epoch(new["exp"]))
    if claimed:
        return user, str(new.access_token), str(new)
    if grace and TokenFamily.objects.filter(pk=sid, user=user, previous_jti=jti, revoked_at=None,
                                            rotated_at__gte=now - timedelta(seconds=conf.refresh_reuse_grace())).exists():
        # The token this one was just rotated into is on its way to the same client (two requests
        # raced with one cookie): an access token for this request, no second refresh token.
        return user, str(new.access_token), None
    _revoke_family(sid, reason="reuse")
    raise BadRefreshToken()


def tokens_revoke(*, refresh: str | None = None, access: str | None = None) -> None:
    """Log out: end the session of the refresh token and of the access token, when valid.

    An invalid, expired or missing token is already unusable; nothing to do for it.
    """
    for raw, token_class in ((refresh, RefreshToken), (access, AccessToken)):
        sid = _session_of(raw, token_class)
        if sid:
            _revoke_family(sid, reason="logout")


def _session_of(raw: str | None, token_class) -> str | None:
    if not raw:
        return None
    try:
        token = token_class(raw)
    except TokenError:
        return None
    return _uuid(token.get(SESSION_CLAIM))


def _uuid(value) -> str | None:
    try:
        return str(uuid.UUID(str(value))) if value else None
    except ValueError:
        return None


def _revoke_family(sid: str, *, reason: str) -> None:
    """Refuse the family's refresh tokens (database) and its access tokens (Redis denylist)."""
    revoked = TokenFamily.objects.filter(pk=sid, revoked_at=None).update(revoked_at=timezone.now(),
                                                                         revoked_reason=reason)
    if revoked and reason == "reuse":
        log.warning("auth: refresh reuse detected, session %s revoked", sid)
    revocation.revoke_session(sid)

