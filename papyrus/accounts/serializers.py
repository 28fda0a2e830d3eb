from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from .models import User


class UserSerializer(serializers.ModelSerializer):
    role = serializers.CharField(read_only=True)

    class Meta:
        model = User
        fields = ["id", "name", "email", "role"]


class SignedInSerializer(serializers.Serializer):
    """What register, login, refresh and me answer: the user in an envelope."""
    user = UserSerializer()


def _valid_password(value):
    try:
        password_validation.validate_password(value)
    except DjangoValidationError as exc:
        raise serializers.ValidationError(list(exc.messages)) from exc
    return value


class RegisterSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=128, write_only=True, trim_whitespace=False)
    invite = serializers.CharField(max_length=100, required=False, allow_blank=True, write_only=True,
                                   help_text="The token of a staff member's invitation link (REGISTRATION=invite)")

    def validate_password(self, value):
        return _valid_password(value)


class InvitationSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)


class InvitationCreatedSerializer(serializers.Serializer):
    email = serializers.EmailField()
    url = serializers.URLField(help_text="The one-time sign-up link: shown once, give it to the invitee")
    expiresAt = serializers.DateTimeField()


class PasswordResetSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)


class PasswordResetConfirmSerializer(serializers.Serializer):
    uid = serializers.CharField(max_length=64)
    token = serializers.CharField(max_length=128)
    password = serializers.CharField(max_length=128, write_only=True, trim_whitespace=False)


class MessageSerializer(serializers.Serializer):
    message = serializers.CharField()


class LoginSerializer(serializers.Serializer):
    email = serializers.CharField(max_length=254)
    password = serializers.CharField(max_length=128, write_only=True, trim_whitespace=False)


class RefreshSerializer(serializers.Serializer):
    refreshToken = serializers.CharField(required=False, max_length=2048)
