from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import AuthenticationFailed, NotAuthenticated, ParseError, UnsupportedMediaType
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from papyrus.wiki.errors import Conflict

from . import services
from .authentication import ACCESS_COOKIE, REFRESH_COOKIE
from .cookies import clear_auth_cookies, set_auth_cookies
from .origin import refuse_cross_site_with_cookies
from .serializers import LoginSerializer, RefreshSerializer, RegisterSerializer, UserSerializer


class TokenEndpoint(APIView):
    """Sign-in endpoints read no credentials, yet failures must stay 401 (DRF turns 401 into 403
    when a view has no authenticator to name in WWW-Authenticate)."""

    authentication_classes = []

    def get_authenticate_header(self, request):
        return 'Bearer realm="api"'

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        refuse_cross_site_with_cookies(request)  # refresh and logout read the cookies themselves


def _signed_in(user, status_code=status.HTTP_200_OK):
    access, refresh = services.tokens_issue(user=user)
    response = Response({"user": UserSerializer(user).data}, status=status_code)
    set_auth_cookies(response, access, refresh)
    return response


class RegisterView(TokenEndpoint):
    @extend_schema(request=RegisterSerializer, responses={201: UserSerializer})
    def post(self, request):
        data = RegisterSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            user = services.user_register(**data.validated_data)
        except services.EmailTaken:
            raise Conflict("Email is already registered", field="email") from None
        return _signed_in(user, status.HTTP_201_CREATED)


class LoginView(TokenEndpoint):
    @extend_schema(request=LoginSerializer, responses={200: UserSerializer})
    def post(self, request):
        data = LoginSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            user = services.user_authenticate(**data.validated_data)
        except services.BadCredentials:
            raise AuthenticationFailed("Invalid email or password") from None
        return _signed_in(user)


class RefreshView(TokenEndpoint):
    @extend_schema(request=RefreshSerializer, responses={200: UserSerializer})
    def post(self, request):
        data = RefreshSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        raw = data.validated_data.get("refreshToken") or request.COOKIES.get(REFRESH_COOKIE)
        if not raw:
            raise NotAuthenticated("Refresh token missing")
        try:
            user, access, refresh = services.tokens_rotate(refresh=raw)
        except services.BadRefreshToken:
            raise AuthenticationFailed("Refresh token is invalid or revoked") from None
        response = Response({"user": UserSerializer(user).data})
        set_auth_cookies(response, access, refresh)
        return response


class LogoutView(TokenEndpoint):
    @extend_schema(request=RefreshSerializer, responses={204: None})
    def post(self, request):
        """End the session of the refresh token (body or cookie) and of the access token (Bearer or
        cookie): both stop working at once, every token rotated from the same sign-in too."""
        services.tokens_revoke(refresh=_body_refresh_token(request) or request.COOKIES.get(REFRESH_COOKIE),
                               access=_bearer(request) or request.COOKIES.get(ACCESS_COOKIE))
        response = Response(status=status.HTTP_204_NO_CONTENT)
        clear_auth_cookies(response)
        return response


def _body_refresh_token(request) -> str | None:
    """`refreshToken` from a JSON body; logout never fails because of its body (it only signs out)."""
    try:
        data = request.data
    except (ParseError, UnsupportedMediaType):
        return None
    value = data.get("refreshToken") if isinstance(data, dict) else None
    return value if isinstance(value, str) and value else None


def _bearer(request) -> str | None:
    scheme, _, raw = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    return raw.strip() if scheme.lower() == "bearer" and raw.strip() else None


class MeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: UserSerializer})
    def get(self, request):
        return Response({"user": UserSerializer(request.user).data})
