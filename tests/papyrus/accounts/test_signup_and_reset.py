"""Who may sign up (REGISTRATION, allowed domains, staff invitations) and password reset by email through
a real local SMTP server (aiosmtpd) (issue 28.6)."""
import email
import re
import threading
from datetime import datetime, timedelta

import pytest
from aiosmtpd.controller import Controller
from django.contrib.auth.tokens import PasswordResetTokenGenerator, default_token_generator
from django.core.checks import run_checks
from django.test import Client, override_settings
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from rest_framework.test import APIClient

from papyrus.accounts.models import Invitation, User
from scripts.services import free_port
from tests.conftest import PASSWORD
from tests.support.wait import wait_until

NEW_PASSWORD = "n3w-Secret-Pass!"
LINK = re.compile(r"https?://[^/\s]+/reset/(?P<uid>[^/\s]+)/(?P<token>[^/\s]+)/")


class Inbox:
    """aiosmtpd handler: every message the server accepted, parsed."""

    def __init__(self):
        self.messages, self.lock = [], threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        with self.lock:
            self.messages.append((envelope.rcpt_tos, email.message_from_bytes(envelope.content)))
        return "250 Message accepted for delivery"

    def to(self, address):
        with self.lock:
            return [m for rcpts, m in self.messages if address in rcpts]


@pytest.fixture
def smtp():
    """A real SMTP server on loopback; Django's SMTP backend pointed at it."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend", EMAIL_HOST="127.0.0.1",
                           EMAIL_PORT=controller.port, EMAIL_USE_TLS=False, EMAIL_HOST_USER="", EMAIL_TIMEOUT=5):
        yield inbox
    controller.stop()


def register(email_address, invite=None, client=None):
    body = {"name": "New", "email": email_address, "password": PASSWORD}
    if invite is not None:
        body["invite"] = invite
    return (client or APIClient()).post("/api/auth/register", body, format="json")


# --- who may sign up ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_closed_refuses_everyone_without_telling_which_emails_exist(user, settings):
    settings.REGISTRATION = "closed"
    for address in ("someone@example.com", user.email):
        refused = register(address)
        assert refused.status_code == 403 and refused.json() == {"message": "Registration is closed."}
    page = Client().get("/register/")
    assert "Registration is closed." in page.content.decode()


@pytest.mark.django_db
def test_open_sign_up_can_be_limited_to_domains(settings):
    settings.REGISTRATION, settings.REGISTRATION_ALLOWED_DOMAINS = "open", ["example.org"]
    assert register("ann@Example.org").status_code == 201
    refused = register("bob@example.com")
    assert refused.status_code == 403 and "example.org" in refused.json()["message"]


@pytest.mark.django_db
def test_invite_mode_needs_a_staff_members_one_time_link_for_that_address(settings, make_user, login):
    settings.REGISTRATION = "invite"
    assert register("carol@example.com").status_code == 403
    assert APIClient().post("/api/auth/invitations", {"email": "carol@example.com"}, format="json").status_code == 401
    member = login(make_user())
    assert member.post("/api/auth/invitations", {"email": "carol@example.com"}, format="json").status_code == 403
    staff = login(make_user(is_staff=True))
    made = staff.post("/api/auth/invitations", {"email": "Carol@example.com"}, format="json")
    assert made.status_code == 201 and made.json()["email"] == "carol@example.com"
    token = made.json()["url"].split("invite=")[1]
    assert token not in str(list(Invitation.objects.values()))  # only its hash is kept

    assert register("mallory@example.com", token).status_code == 403  # another address
    assert register("carol@example.com", token).status_code == 201
    again = register("carol2@example.com", token)
    assert again.status_code == 403 and "used" in again.json()["message"]
    assert Invitation.objects.get().used_by == User.objects.get(email="carol@example.com")
    assert staff.post("/api/auth/invitations", {"email": "not-an-email"}, format="json").status_code == 400


@pytest.mark.django_db
def test_an_expired_invitation_is_refused_and_the_browser_page_carries_a_link(settings, make_user):
    settings.REGISTRATION = "invite"
    staff = Client()
    staff.force_login(make_user(is_staff=True, is_superuser=True))
    added = staff.post("/admin/accounts/invitation/add/", {"email": "dan@example.com"}, follow=True)
    url = re.search(r"https?://\S+/register/\?invite=[\w-]+", added.content.decode()).group(0)
    browser = Client()
    form = browser.get(url[url.index("/register/"):])
    assert form.status_code == 200 and 'name="invite"' in form.content.decode()
    token = url.split("invite=")[1]
    done = browser.post("/register/", {"name": "Dan", "email": "dan@example.com", "password": PASSWORD,
                                       "invite": token})
    assert done.status_code == 302 and User.objects.filter(email="dan@example.com").exists()

    settings.INVITATION_MAX_AGE_DAYS = -1  # made already expired
    expired = make_user(is_staff=True)
    staff_api = APIClient()
    staff_api.force_authenticate(expired)
    old = staff_api.post("/api/auth/invitations", {"email": "eve@example.com"}, format="json").json()["url"]
    assert register("eve@example.com", old.split("invite=")[1]).status_code == 403


def test_an_unknown_registration_mode_is_a_system_error(settings):
    settings.REGISTRATION = "sometimes"
    assert "accounts.E001" in [e.id for e in run_checks()]


# --- password reset ------------------------------------------------------------------------------------


class MadeEarlier(PasswordResetTokenGenerator):
    """Django's generator with its clock set back: a link made `seconds` ago."""

    def __init__(self, seconds=61):
        super().__init__()
        self.seconds = seconds

    def _now(self):
        return datetime.now() - timedelta(seconds=self.seconds)


def reset_link(inbox, address):
    (message,) = inbox.to(address)
    return LINK.search(message.get_payload(decode=True).decode()).groupdict()


@pytest.mark.django_db
def test_reset_answers_alike_for_unknown_addresses_and_ends_every_sign_in(smtp, make_user):
    user = make_user(email="reset-me@example.com")
    devices = []
    for _ in range(2):  # two sign-ins: two refresh token families
        device = APIClient()
        assert device.post("/api/auth/login", {"email": user.email, "password": PASSWORD},
                           format="json").status_code == 200
        devices.append(device)

    known = APIClient().post("/api/auth/password/reset", {"email": "Reset-Me@example.com"}, format="json")
    unknown = APIClient().post("/api/auth/password/reset", {"email": "nobody@example.com"}, format="json")
    assert known.status_code == unknown.status_code == 202 and known.json() == unknown.json()
    wait_until(lambda: smtp.to(user.email), "the reset mail at the SMTP server", timeout=20)
    assert not smtp.to("nobody@example.com")
    link = reset_link(smtp, user.email)

    weak = APIClient().post("/api/auth/password/reset/confirm", {**link, "password": "short"}, format="json")
    assert weak.status_code == 400 and "password" in weak.json()["errors"]
    done = APIClient().post("/api/auth/password/reset/confirm", {**link, "password": NEW_PASSWORD}, format="json")
    assert done.status_code == 200
    for device in devices:  # access and refresh tokens of both sign-ins stop working
        assert device.get("/api/auth/me").status_code == 401
        assert device.post("/api/auth/refresh", {}, format="json").status_code == 401
    login = APIClient().post("/api/auth/login", {"email": user.email, "password": PASSWORD}, format="json")
    assert login.status_code == 401
    assert APIClient().post("/api/auth/login", {"email": user.email, "password": NEW_PASSWORD},
                            format="json").status_code == 200
    reused = APIClient().post("/api/auth/password/reset/confirm", {**link, "password": "An0ther-Pass!"},
                              format="json")
    assert reused.status_code == 400 and "token" in reused.json()["errors"]  # one-time
    assert PASSWORD not in str(smtp.messages) and NEW_PASSWORD not in str(smtp.messages)


@pytest.mark.django_db
def test_an_expired_or_forged_link_is_refused(user, settings):
    settings.PASSWORD_RESET_TIMEOUT = 60
    stale = MadeEarlier().make_token(user)
    assert default_token_generator.check_token(user, MadeEarlier(seconds=30).make_token(user))  # within: valid
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    for body in ({"uid": uid, "token": stale}, {"uid": "!!", "token": "x-y"}, {"uid": uid, "token": "1-2"}):
        refused = APIClient().post("/api/auth/password/reset/confirm", {**body, "password": NEW_PASSWORD},
                                   format="json")
        assert refused.status_code == 400 and "token" in refused.json()["errors"]
    assert Client().get(f"/reset/{uid}/{stale}/").status_code == 400


@pytest.mark.django_db
def test_reset_from_the_browser_with_the_labels_email_and_new_password(smtp, make_user):
    user = make_user(email="browser-reset@example.com", is_staff=True)
    admin_session = Client()
    admin_session.force_login(user)  # a Django session (the admin) of the same person
    assert admin_session.get("/admin/").status_code == 200
    browser = Client()
    ask = browser.get("/password-reset/")
    assert re.search(r"<label[^>]*>Email", ask.content.decode())
    sent = browser.post("/password-reset/", {"email": user.email})
    assert sent.status_code == 200 and "on its way" in sent.content.decode()
    wait_until(lambda: smtp.to(user.email), "the reset mail at the SMTP server", timeout=20)
    link = reset_link(smtp, user.email)
    path = f"/reset/{link['uid']}/{link['token']}/"
    form = browser.get(path)
    assert re.search(r"<label[^>]*>New password", form.content.decode())
    done = browser.post(path, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302 and done["Location"] == "/login/?reset=1"
    assert User.objects.get(pk=user.pk).check_password(NEW_PASSWORD)
    assert browser.get(path).status_code == 400  # spent
    assert admin_session.get("/admin/").status_code == 302  # its session ended with the password
