from django.urls import path, re_path

from . import api

app_name = "backups"

urlpatterns = [
    path("api/admin/backup", api.BackupCreateView.as_view(), name="create"),
    path("api/admin/backup/restore", api.BackupRestoreView.as_view(), name="restore"),
    path("api/admin/backups", api.BackupListView.as_view(), name="list"),
    re_path(r"^api/admin/backups/(?P<name>[^/]+)/preflight$", api.BackupPreflightView.as_view(), name="preflight"),
    # Any segment reaches the view, which validates it strictly (400) instead of a bare 404.
    re_path(r"^api/admin/backups/(?P<name>[^/]+)$", api.BackupDetailView.as_view(), name="detail"),
]
