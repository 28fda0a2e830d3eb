"""ops.checklist settings: defaults declared once in DEFAULTS, read at call time (ops.appsettings).

Sibling apps' settings are read through their own conf modules (ops.errors, ops.logging,
ops.metrics, ops.health); the project's own checks are listed in the two lists above.
"""
from django.conf import settings

from ops.appsettings import AppSettings

PRE_DEPLOY = [
    "ops.checklist.predeploy.SentryDsn",
    "ops.checklist.predeploy.RedisReachable",
    "ops.checklist.predeploy.DatabaseMigrated",
    "ops.checklist.predeploy.LogDirWritable",
    "ops.checklist.predeploy.StaticFilesCollected",
    "ops.checklist.predeploy.DeployChecks",
]
POST_DEPLOY = [
    "ops.checklist.postdeploy.HealthEndpoint",
    "ops.checklist.postdeploy.MetricsEndpoint",
    "ops.checklist.postdeploy.LogFilesWritten",
    "ops.checklist.postdeploy.RedisStatus",
]
DEFAULTS = {
    "OPS_CHECKLIST_PRE_DEPLOY": PRE_DEPLOY,  # the pre-deploy items (PRE_DEPLOY above); each a dotted path to an
                                          # ops.health HealthCheck class, or (dotted path, keyword arguments)
    "OPS_CHECKLIST_POST_DEPLOY": POST_DEPLOY,  # the post-deploy items, the same way (POST_DEPLOY above)
    "OPS_CHECKLIST_TIMEOUT": 10,          # seconds one item may take before it FAILs as hung
    "OPS_CHECKLIST_WEAK_SECRETS": [],     # more known-default secrets the secret items refuse
    "OPS_CHECKLIST_SECRET_SETTINGS": [],  # names of more settings whose values never appear in the output
                                          # (SECRET_KEY, REDIS_PASSWORD, METRICS_TOKEN and the database
                                          # password always are)
    "OPS_CHECKLIST_LOG_FILES": ["combined.log"],  # files LOG_DIR must hold after a deploy
    "OPS_CHECKLIST_LOG_MAX_AGE": 3600,    # seconds: the newest log file must be younger
}
app_settings = AppSettings(DEFAULTS)


def pre_deploy_checks() -> list:
    return list(app_settings.OPS_CHECKLIST_PRE_DEPLOY)


def post_deploy_checks() -> list:
    return list(app_settings.OPS_CHECKLIST_POST_DEPLOY)


def timeout() -> float:
    return float(app_settings.OPS_CHECKLIST_TIMEOUT)


def weak_secrets() -> list[str]:
    return list(app_settings.OPS_CHECKLIST_WEAK_SECRETS)


def expected_log_files() -> list[str]:
    return list(app_settings.OPS_CHECKLIST_LOG_FILES)


def log_max_age() -> float:
    return float(app_settings.OPS_CHECKLIST_LOG_MAX_AGE)


def secret_values() -> list[str]:
    """Every configured secret value, so output can be scrubbed of them whatever a library prints."""
    names = ["SECRET_KEY", "REDIS_PASSWORD", "METRICS_TOKEN", *app_settings.OPS_CHECKLIST_SECRET_SETTINGS]
    values = [str(getattr(settings, name, "") or "") for name in names]
    values.append(str(getattr(settings, "DATABASES", {}).get("default", {}).get("PASSWORD", "") or ""))
    # Short values would scrub ordinary words; the checks refuse such secrets anyway.
    return [v for v in values if len(v) >= 6]
