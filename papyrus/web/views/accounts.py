"""Sign in, register and sign out with the API's JWT cookies (papyrus.accounts.services)."""
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from papyrus.accounts import services as accounts

from ..auth import sign_in, sign_out
from ..forms import RegisterForm, SignInForm


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
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = accounts.user_register(**form.cleaned_data)
        except accounts.EmailTaken:
            form.add_error("email", "This email is already registered.")
        else:
            response = redirect(_next(request))
            sign_in(response, user)
            return response
    return render(request, "web/register.html", {"form": form, "next": _next(request)},
                  status=400 if form.errors else 200)


@require_POST
def signout(request):
    response = redirect("web:pages")
    sign_out(request, response)
    return response
