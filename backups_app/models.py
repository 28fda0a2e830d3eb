from django.db import models


class Backup(models.Model):
    """One backup file and its manifest (also written beside the file as `<name>.json`)."""

    class Status(models.TextChoices):
        PENDING = "pending"      # queued (API / admin), not started yet
        RUNNING = "running"
        SUCCESS = "success"
        FAILED = "failed"

    class Kind(models.TextChoices):
        MANUAL = "manual"
        SCHEDULED = "scheduled"
        SAFETY = "safety"        # taken automatically before a restore

    name = models.CharField(max_length=64, unique=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.MANUAL)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    error = models.TextField(blank=True, default="")
    sha256 = models.CharField(max_length=64, blank=True, default="")
    size = models.BigIntegerField(null=True, blank=True)
    sql_size = models.BigIntegerField(null=True, blank=True)  # uncompressed SQL: the schema a restore loads
    secrets_fingerprint = models.JSONField(default=dict, blank=True)  # HMACs of the signing secrets, never them
    plaintext_sha256 = models.CharField(max_length=64, blank=True, default="")  # of the .sql.gz inside an .age file
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_seconds = models.FloatField(null=True, blank=True)
    postgres_version = models.CharField(max_length=100, blank=True, default="")
    app_version = models.CharField(max_length=50, blank=True, default="")
    migrations = models.JSONField(default=list, blank=True)
    row_counts = models.JSONField(default=dict, blank=True)
    local = models.BooleanField(default=False)
    in_s3 = models.BooleanField(default=False)
    verified_at = models.DateTimeField(null=True, blank=True)
    drill_duration_seconds = models.FloatField(null=True, blank=True)
    drill_error = models.TextField(blank=True, default="")
    restored_at = models.DateTimeField(null=True, blank=True)
    restore_status = models.CharField(max_length=10, blank=True, default="")
    restore_error = models.TextField(blank=True, default="")
    restore_duration_seconds = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-name"]
        indexes = [models.Index(fields=["status", "-finished_at"], name="backup_status_finished")]

    def __str__(self):
        return self.name

    @property
    def location(self) -> str:
        places = [p for p, there in (("local", self.local), ("S3", self.in_s3)) if there]
        return "+".join(places) or "—"
