"""The backup checks /health and `ops_check` list (backups_app.probes), without a live server."""
from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from backups_app.models import Backup
from backups_app.probes import BackupBucket, Backups, BackupSchedule, Storage
from ops.health.base import CheckFailed


def test_storage_needs_a_writable_backup_dir(tmp_path):
    with override_settings(BACKUP_DIR=str(tmp_path / "backups"), BACKUP_S3_BUCKET=""):
        assert Storage().result()["status"] == "up"
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    with override_settings(BACKUP_DIR=str(blocker / "backups")):
        result = Storage().result()
        assert result["status"] == "down" and result["error"] == "backup directory not writable"


@pytest.mark.django_db
def test_backups_must_be_fresh_only_when_enabled():
    with override_settings(BACKUP_ENABLED=False):
        assert Backups().result()["detail"] == "disabled"
    with override_settings(BACKUP_ENABLED=True, BACKUP_MAX_AGE_HOURS=1):
        assert Backups().result()["error"] == "no successful backup yet"
        row = Backup.objects.create(name="backup_2026-01-01_020000.sql.gz", status="success",
                                    finished_at=timezone.now() - timedelta(hours=2))
        assert Backups().result()["error"] == "last backup 2.0 h ago (limit 1 h)"
        Backup.objects.filter(pk=row.pk).update(finished_at=timezone.now())
        assert Backups().result()["status"] == "up"


def test_backup_schedule_names_the_setting_and_says_whether_backups_run():
    with override_settings(BACKUP_SCHEDULE="0 3 * * *", BACKUP_ENABLED=False):
        fine = BackupSchedule().run()
    with override_settings(BACKUP_SCHEDULE="61 3 * * *"):
        with pytest.raises(CheckFailed, match="^BACKUP_SCHEDULE is not a valid cron: .*bad minute field '61'"):
            BackupSchedule().run()

    assert fine.startswith("'0 3 * * *', next run in ") and fine.endswith("BACKUP_ENABLED is false: nothing scheduled")


def test_backup_bucket_without_a_bucket_says_backups_stay_local():
    with override_settings(BACKUP_S3_BUCKET=""):
        assert BackupBucket().run() == "BACKUP_S3_BUCKET not set: backups stay local only"


def test_storage_writes_a_probe_to_the_storages_alias_and_fails_when_it_cannot(tmp_path, moto_s3):
    import boto3

    creds = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing-secret", "region_name": "us-east-1"}
    boto3.client("s3", endpoint_url=moto_s3, **creds).create_bucket(Bucket="health-probe")
    s3 = {"BACKEND": "storages.backends.s3.S3Storage",
          "OPTIONS": {"bucket_name": "health-probe", "endpoint_url": moto_s3, "access_key": "testing",
                      "secret_key": "testing-secret", "region_name": "us-east-1"}}
    with override_settings(BACKUP_DIR=str(tmp_path), BACKUP_STORAGE="offsite", STORAGES={"offsite": s3}):
        assert Storage().result()["detail"] == "directory and bucket writable"
    missing = {**s3, "OPTIONS": {**s3["OPTIONS"], "bucket_name": "no-such-bucket"}}
    with override_settings(BACKUP_DIR=str(tmp_path), BACKUP_STORAGE="offsite", STORAGES={"offsite": missing}):
        result = Storage().result()
        assert result["status"] == "down" and result["error"] == "backup bucket not writable"
