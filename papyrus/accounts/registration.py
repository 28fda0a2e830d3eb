"""Who may sign up (REGISTRATION = open | invite | closed, REGISTRATION_ALLOWED_DOMAINS) and staff invitations.

An invitation is a one-time link for one email address: a random token whose SHA-256 is kept, valid
INVITATION_MAX_AGE_DAYS. Signing up with it spends it in the same transaction that creates the user.
An invitation also lets its address in when open sign-up is limited to other domains.
"""
import hashlib
import secrets
from datetime import timedelta

from django.utils import timezone

from . import conf
from .models import Invitation, User


class RegistrationRefused(Exception):
    """Sign-up is not allowed for this request; the message says why (shown to the user)."""


def invitation_create(*, email: str, created_by: User | None) -> tuple[Invitation, str]:
    """A new invitation for `email` and its token (the only time the token exists in clear)."""
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        email=email.strip().lower(), token_hash=_digest(token), created_by=created_by,
        expires_at=timezone.now() + timedelta(days=conf.invitation_max_age_days()))
    return invitation, token


def invitation_link(*, request, token: str) -> str:
    """The browser's sign-up page carrying the invitation."""
    return request.build_absolute_uri(f"/register/?invite={token}")


def check_allowed(*, email: str, invite: str | None) -> Invitation | None:
    """The invitation this sign-up spends (locked until the transaction ends), None when open sign-up
    lets it in; RegistrationRefused otherwise. Call inside the transaction that creates the user."""
    mode = conf.registration()
    if invite:
        return _usable_invitation(invite, email)
    if mode == "closed":
        raise RegistrationRefused("Registration is closed.")
    if mode != "open":  # "invite", and anything misconfigured: the safe side
        raise RegistrationRefused("Registration needs an invitation: ask an administrator for a link.")
    domains = conf.allowed_domains()
    if domains and email.rpartition("@")[2].lower() not in domains:
        raise RegistrationRefused(f"Registration is open to addresses at {', '.join(domains)} only.")
    return None


def invitation_spend(invitation: Invitation | None, user: User) -> None:
    if invitation is not None:
        invitation.used_at, invitation.used_by = timezone.now(), user
        invitation.save(update_fields=["used_at", "used_by"])


def _usable_invitation(token: str, email: str) -> Invitation:
    if conf.registration() == "closed":
        raise RegistrationRefused("Registration is closed.")
    invitation = (Invitation.objects.select_for_update()
                  .filter(token_hash=_digest(token), used_at=None, expires_at__gt=timezone.now()).first())
    if invitation is None or invitation.email != email.strip().lower():
        raise RegistrationRefused("This invitation link is invalid, used or expired, or is for another address.")
    return invitation


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
