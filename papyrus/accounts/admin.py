from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from . import registration
from .models import Invitation, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "name", "is_staff", "is_active", "date_joined"]
    search_fields = ["email", "name"]
    fieldsets = [
        (None, {"fields": ["email", "name", "password"]}),
        ("Permissions", {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "name", "password1", "password2"]})]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Staff invite by email: saving one shows its one-time sign-up link, once (only its hash is kept)."""

    list_display = ["email", "created_by", "created_at", "expires_at", "used_at"]
    search_fields = ["email"]
    fields = ["email"]
    readonly_fields = []

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        invitation, token = registration.invitation_create(email=obj.email, created_by=request.user)
        obj.pk = invitation.pk
        self.message_user(request, f"Invitation for {invitation.email}: send this link (it works once, until "
                                   f"{invitation.expires_at:%Y-%m-%d %H:%M} UTC): "
                                   f"{registration.invitation_link(request=request, token=token)}", messages.WARNING)
