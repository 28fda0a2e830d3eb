"""Admin API (staff only): thin callers of services and selectors."""
from django.urls import reverse
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import APIException, NotFound, ValidationError
from rest_framework.permissions import IsAdminUser
from rest_framework.response import Response
from rest_framework.views import APIView

from ops.openapi import error_responses

from . import names, preflight, queue, selectors
from .errors import BackupNotFound, Busy
from .models import Backup


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "Another backup or restore is running"


class BackupSerializer(serializers.ModelSerializer):
    createdAt = serializers.DateTimeField(source="created_at")
    startedAt = serializers.DateTimeField(source="started_at", allow_null=True)
    finishedAt = serializers.DateTimeField(source="finished_at", allow_null=True)
    durationSeconds = serializers.FloatField(source="duration_seconds", allow_null=True)
    location = serializers.CharField()
    verifiedAt = serializers.DateTimeField(source="verified_at", allow_null=True)
    drillDurationSeconds = serializers.FloatField(source="drill_duration_seconds", allow_null=True)
    restore = serializers.SerializerMethodField()
    statusUrl = serializers.SerializerMethodField()

    class Meta:
        model = Backup
        fields = ["name", "kind", "status", "error", "size", "sha256", "createdAt", "startedAt", "finishedAt",
                  "durationSeconds", "location", "verifiedAt", "drillDurationSeconds", "restore", "statusUrl"]

    def get_restore(self, row) -> dict:
        return {"status": row.restore_status or None, "error": row.restore_error or None,
                "restoredAt": row.restored_at, "durationSeconds": row.restore_duration_seconds}

    def get_statusUrl(self, row) -> str:  # noqa: N802 - the JSON field is camelCase
        return _status_url(self.context.get("request"), row.name)


class RestoreRequest(serializers.Serializer):
    file = serializers.CharField(trim_whitespace=False, max_length=200)
    confirm = serializers.BooleanField()

    def validate_file(self, value):
        try:
            return names.validate(value)
        except names.InvalidName as exc:
            raise serializers.ValidationError(str(exc)) from None

    def validate_confirm(self, value):
        if value is not True:
            raise serializers.ValidationError('set "confirm": true to replace all live data')
        return value


QUEUED = inline_serializer("BackupQueued", {"name": serializers.CharField(), "status": serializers.CharField(),
                                            "statusUrl": serializers.CharField()})
RESTORE_QUEUED = inline_serializer("RestoreQueued", {"file": serializers.CharField(),
                                                     "status": serializers.CharField(),
                                                     "statusUrl": serializers.CharField()})


def _status_url(request, name):
    url = reverse("backups:detail", kwargs={"name": name})
    return request.build_absolute_uri(url) if request else url


class StaffOnly(APIView):
    permission_classes = [IsAdminUser]


class BackupCreateView(StaffOnly):
    @extend_schema(operation_id="admin_backup_create", request=None, responses={202: QUEUED, **error_responses(409)})
    def post(self, request):
        try:
            row = queue.backup_enqueue()
        except Busy as exc:
            raise Conflict(str(exc)) from None
        return Response({"name": row.name, "status": row.status, "statusUrl": _status_url(request, row.name)},
                        status=status.HTTP_202_ACCEPTED)


class BackupListView(StaffOnly):
    @extend_schema(operation_id="admin_backups_list", responses={200: BackupSerializer(many=True)})
    def get(self, request):
        rows = selectors.backup_list(include_failed=request.query_params.get("all") in ("1", "true"))
        return Response(BackupSerializer(rows, many=True, context={"request": request}).data)


class BackupDetailView(StaffOnly):
    @extend_schema(operation_id="admin_backups_retrieve", responses={200: BackupSerializer, **error_responses(400)})
    def get(self, request, name):
        try:
            row = selectors.backup_get(name=name)
        except names.InvalidName as exc:
            raise ValidationError({"name": [str(exc)]}) from None
        if row is None:
            raise NotFound("No backup with that name")
        return Response(BackupSerializer(row, context={"request": request}).data)


PREFLIGHT = inline_serializer("RestorePreflight", {
    "name": serializers.CharField(), "ok": serializers.BooleanField(),
    "checks": serializers.ListField(child=serializers.DictField())})


class BackupPreflightView(StaffOnly):
    @extend_schema(operation_id="admin_backups_preflight", responses={200: PREFLIGHT, **error_responses(400)})
    def get(self, request, name):
        """What restoring this backup would meet: each check ok / warn / block, with its numbers."""
        try:
            checks = preflight.backup_preflight(name=name)
        except names.InvalidName as exc:
            raise ValidationError({"name": [str(exc)]}) from None
        except BackupNotFound:
            raise NotFound("No backup with that name") from None
        return Response({"name": name, "ok": all(c.status != preflight.BLOCK for c in checks),
                         "checks": [c.as_dict() for c in checks]})


class BackupRestoreView(StaffOnly):
    @extend_schema(operation_id="admin_backup_restore", request=RestoreRequest,
                   responses={202: RESTORE_QUEUED, **error_responses(404, 409)})
    def post(self, request):
        data = RestoreRequest(data=request.data)
        data.is_valid(raise_exception=True)
        name = data.validated_data["file"]
        try:
            queue.restore_enqueue(name=name)
        except BackupNotFound:
            raise NotFound("No backup with that name") from None
        except Busy as exc:
            raise Conflict(str(exc)) from None
        return Response({"file": name, "status": "queued", "statusUrl": _status_url(request, name)},
                        status=status.HTTP_202_ACCEPTED)
