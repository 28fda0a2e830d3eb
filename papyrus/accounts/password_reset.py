"""Password reset by email, on Django's own machinery (PasswordResetForm, default_token_generator).

- request: the same answer whether or not the address has an account (PasswordResetForm sends only to
  active users with a usable password and says nothing otherwise); the mail goes through EMAIL_BACKEND.
- the link's token (PasswordResetTokenGenerator) expires after PASSWORD_RESET_TIMEOUT and works once:
  it hashes the password, which the reset changes.
- a reset ends every sign-in of the user: each refresh token family and its access tokens (services),
  and Django sessions (their hash covers the password).
"""
from django.contrib.auth import password_validation
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode

from . import services
from .models import User

RESET_SENT = "If that address has an account, a link to reset its password is on its way."
SUBJECT_TEMPLATE = "accounts/password_reset_subject.txt"
EMAIL_TEMPLATE = "accounts/password_reset_email.txt"


class BadResetLink(Exception):
    """The link is malformed, expired, already used, or its user is gone."""


def password_reset_request(*, email: str, request) -> None:
    """Mail a reset link to `email` if it belongs to an active account; nothing tells which."""
    form = PasswordResetForm(data={"email": email})
    if form.is_valid():
        form.save(request=request, use_https=request.is_secure(), subject_template_name=SUBJECT_TEMPLATE,
                  email_template_name=EMAIL_TEMPLATE)


def reset_link_user(*, uid: str, token: str) -> User:
    """The user a reset link (uidb64, token) is for; BadResetLink unless it is valid now."""
    try:
        user = User.objects.filter(pk=int(force_str(urlsafe_base64_decode(uid))), is_active=True).first()
    except (TypeError, ValueError, OverflowError):
        user = None
    if user is None or not default_token_generator.check_token(user, token):
        raise BadResetLink("The reset link is invalid or has expired; ask for a new one.")
    return user


def password_reset_confirm(*, uid: str, token: str, password: str) -> User:
    """Set a new password through a valid link and end every sign-in of the user.

    Django's ValidationError when the password fails the validators (the link stays usable)."""
    user = reset_link_user(uid=uid, token=token)
    password_validation.validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    services.tokens_revoke_all(user=user, reason="password_reset")
    return user
