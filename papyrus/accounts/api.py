from drf_spectacular.utils import extend_schema
from rest_framework import status
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.exceptions import (AuthenticationFailed, NotAuthenticated, ParseError, PermissionDenied,
                                       UnsupportedMediaType, ValidationError)
from rest_framework.permissions import IsAdminUser, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from ops.openapi import error_responses
from papyrus.core.errors import Conflict

from . import password_reset, registration, services
from .cookies import ACCESS_COOKIE, REFRESH_COOKIE, clear_auth_cookies, set_auth_cookies
from .origin import refuse_cross_site_with_cookies
from .serializers import (InvitationCreatedSerializer, InvitationSerializer, LoginSerializer, MessageSerializer,
                          PasswordResetConfirmSerializer, PasswordResetSerializer, RefreshSerializer,
                          RegisterSerializer, SignedInSerializer, UserSerializer)


# A TokenEndpoint refuses a cross-site request that carries the cookies: 403.
CROSS_SITE = error_responses(403)


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
    @extend_schema(request=RegisterSerializer, responses={201: SignedInSerializer, **error_responses(403, 409)})
    def post(self, request):
        data = RegisterSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            user = services.user_register(**data.validated_data)
        except registration.RegistrationRefused as exc:
            raise PermissionDenied(str(exc)) from None
        except services.EmailTaken:
            raise Conflict("Email is already registered", field="email") from None
        return _signed_in(user, status.HTTP_201_CREATED)


class InvitationView(APIView):
    permission_classes = [IsAdminUser]

    @extend_schema(operation_id="auth_invitation_create", request=InvitationSerializer,
                   responses={201: InvitationCreatedSerializer})
    def post(self, request):
        """Staff: a one-time sign-up link for one address (REGISTRATION=invite), valid INVITATION_MAX_AGE_DAYS."""
        data = InvitationSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        invitation, token = registration.invitation_create(email=data.validated_data["email"], created_by=request.user)
        return Response({"email": invitation.email, "url": registration.invitation_link(request=request, token=token),
                         "expiresAt": invitation.expires_at}, status=status.HTTP_201_CREATED)


class PasswordResetView(TokenEndpoint):
    @extend_schema(operation_id="auth_password_reset", request=PasswordResetSerializer,
                   responses={202: MessageSerializer, **CROSS_SITE})
    def post(self, request):
        """Mail a reset link; the same answer whether or not the address has an account."""
        data = PasswordResetSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        password_reset.password_reset_request(email=data.validated_data["email"], request=request)
        return Response({"message": password_reset.RESET_SENT}, status=status.HTTP_202_ACCEPTED)


class PasswordResetConfirmView(TokenEndpoint):
    @extend_schema(operation_id="auth_password_reset_confirm", request=PasswordResetConfirmSerializer,
                   responses={200: MessageSerializer, **CROSS_SITE})
    def post(self, request):
        """Set a new password with the link's uid and token; every sign-in of the account ends."""
        data = PasswordResetConfirmSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            password_reset.password_reset_confirm(**data.validated_data)
        except password_reset.BadResetLink as exc:
            raise ValidationError({"token": [str(exc)]}) from None
        except DjangoValidationError as exc:
            raise ValidationError({"password": list(exc.messages)}) from None
        return Response({"message": "Password changed; sign in with the new one."})


class LoginView(TokenEndpoint):
    @extend_schema(request=LoginSerializer, responses={200: SignedInSerializer, **error_responses(401, 403)})
    def post(self, request):
        data = LoginSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            user = services.user_authenticate(**data.validated_data)
        except services.BadCredentials:
            raise AuthenticationFailed("Invalid email or password") from None
        return _signed_in(user)


class RefreshView(TokenEndpoint):
    @extend_schema(request=RefreshSerializer, responses={200: SignedInSerializer, **error_responses(401, 403)})
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
    @extend_schema(request=RefreshSerializer, responses={204: None, **CROSS_SITE})
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

    @extend_schema(responses={200: SignedInSerializer})
    def get(self, request):
        return Response({"user": UserSerializer(request.user).data})
