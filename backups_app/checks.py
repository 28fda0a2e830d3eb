"""System checks for backup settings (ids backups_app.E001...)."""
from django.core.checks import Error, Warning

from ops.cron import cron_errors

from . import conf, crypto


def check_schedules(app_configs=None, **kwargs):
    problems = cron_errors([("BACKUP_SCHEDULE", conf.schedule(), "backups_app.E001"),
                            ("BACKUP_DRILL_SCHEDULE", conf.drill_schedule(), "backups_app.E002")])
    if conf.retention_days() < 1:
        problems.append(Error("BACKUP_RETENTION_DAYS must be at least 1", id="backups_app.E003"))
    return problems


def check_storage(app_configs=None, **kwargs):
    problems = []
    if conf.s3_bucket() and not conf.s3_options().get("access_key"):
        problems.append(Warning("BACKUP_S3_BUCKET is set without AWS_ACCESS_KEY_ID",
                                hint="boto3 will look for credentials elsewhere (instance role, ~/.aws).",
                                id="backups_app.W001"))
    if conf.s3_object_lock_mode() not in ("COMPLIANCE", "GOVERNANCE"):
        problems.append(Error("BACKUP_S3_OBJECT_LOCK_MODE must be COMPLIANCE or GOVERNANCE", id="backups_app.E004"))
    if conf.s3_object_lock_days() < 0:
        problems.append(Error("BACKUP_S3_OBJECT_LOCK_DAYS must be 0 (off) or more", id="backups_app.E005"))
    if conf.s3_object_lock_days() and not conf.s3_bucket():
        problems.append(Warning("BACKUP_S3_OBJECT_LOCK_DAYS is set but BACKUP_S3_BUCKET is not: nothing is locked",
                                id="backups_app.W002"))
    return problems


def check_encryption(app_configs=None, **kwargs):
    if not conf.age_recipients():
        return []
    try:
        crypto.recipients()
    except crypto.EncryptionError as exc:
        return [Error(str(exc), id="backups_app.E006")]
    problems = []
    if len(conf.age_recipients()) < 2:
        problems.append(Warning("BACKUP_AGE_RECIPIENTS has one key: losing it loses every backup",
                                hint="Add a second recipient whose identity is kept offline (an escrow key).",
                                id="backups_app.W003"))
    try:
        if not crypto.identity_is_a_recipient():
            problems.append(Warning("BACKUP_AGE_IDENTITY_FILE holds none of BACKUP_AGE_RECIPIENTS' identities",
                                    hint="Restores, drills and verifies on this host will fail.", id="backups_app.W004"))
    except crypto.EncryptionError as exc:
        problems.append(Warning(f"{exc}", hint="Restores, drills and verifies on this host need it.",
                                id="backups_app.W004"))
    return problems
