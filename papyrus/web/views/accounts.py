"""Sign in, register and sign out with the API's JWT cookies (papyrus.accounts.services)."""
from django.contrib.auth.forms import SetPasswordForm
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from papyrus.accounts import conf, registration
from papyrus.accounts import password_reset as password_reset_service
from papyrus.accounts import services as accounts

from ..auth import sign_in, sign_out
from ..forms import PasswordResetRequestForm, RegisterForm, SignInForm


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    ok = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                         require_https=request.is_secure())
    return target if ok else "/"


@require_http_methods(["GET", "POST"])
def signin(request):
    form = SignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = accounts.user_authenticate(**form.cleaned_data)
        except accounts.BadCredentials:
            form.add_error(None, "Invalid email or password.")
        else:
            response = redirect(_next(request))
            sign_in(response, user)
            return response
    return render(request, "web/signin.html", {"form": form, "next": _next(request)},
                  status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def register(request):
    form = RegisterForm(request.POST or None, initial={"invite": request.GET.get("invite", "")})
    refused = None
    if request.method == "POST" and form.is_valid():
        try:
            user = accounts.user_register(**form.cleaned_data)
        except registration.RegistrationRefused as exc:
            refused = str(exc)
            form.add_error(None, refused)
        except accounts.EmailTaken:
            form.add_error("email", "This email is already registered.")
        else:
            response = redirect(_next(request))
            sign_in(response, user)
            return response
    status = 403 if refused else 400 if form.errors else 200
    return render(request, "web/register.html", {"form": form, "next": _next(request), "mode": conf.registration()},
                  status=status)


@require_http_methods(["GET", "POST"])
def password_reset(request):
    """Ask for a reset link by email: the same page whether or not the address has an account."""
    form = PasswordResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        password_reset_service.password_reset_request(email=form.cleaned_data["email"], request=request)
        return render(request, "web/password_reset_sent.html", {"message": password_reset_service.RESET_SENT})
    return render(request, "web/password_reset.html", {"form": form}, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def password_reset_confirm(request, uidb64, token):
    """Choose a new password through an emailed link ("New password"); every sign-in ends."""
    try:
        user = password_reset_service.reset_link_user(uid=uidb64, token=token)
    except password_reset_service.BadResetLink as exc:
        return render(request, "web/password_reset_confirm.html", {"invalid": str(exc)}, status=400)
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        password_reset_service.password_reset_confirm(uid=uidb64, token=token,
                                                      password=form.cleaned_data["new_password1"])
        response = redirect(reverse("web:signin") + "?reset=1")
        sign_out(request, response)  # this browser's own sign-in, if any, ended with the others
        return response
    return render(request, "web/password_reset_confirm.html", {"form": form}, status=400 if form.errors else 200)


@require_POST
def signout(request):
    response = redirect("web:pages")
    sign_out(request, response)
    return response
