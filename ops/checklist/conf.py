"""ops.checklist settings, read at call time so `override_settings` works.

Own settings (all optional):

    OPS_CHECKLIST_PRE_DEPLOY = [...]      # dotted paths of the pre-deploy Check classes (predeploy.DEFAULT)
    OPS_CHECKLIST_POST_DEPLOY = [...]     # dotted paths of the post-deploy Check classes (postdeploy.DEFAULT)
    OPS_CHECKLIST_TIMEOUT = 10            # seconds one item may take before it FAILs as hung
    OPS_CHECKLIST_REDIS_ALIAS = "default" # django-redis cache to PING; REDIS_URL when it is not django-redis
    OPS_CHECKLIST_WEAK_SECRETS = []       # more known-default secrets to refuse
    OPS_CHECKLIST_LOG_FILES = ["combined.log"]  # files LOG_DIR must hold after a deploy
    OPS_CHECKLIST_LOG_MAX_AGE = 3600      # seconds: the newest log file must be younger
    OPS_DIGEST_PROMETHEUS_URL = ""        # Prometheus for the performance summary ("" = scrape /metrics)
    OPS_DIGEST_METRICS_URL = "http://127.0.0.1:8000/metrics"
    OPS_DIGEST_TOP = 10                   # rows in each top list
    OPS_DIGEST_SENTRY = True              # scheduled digests also go to Sentry when it is on

Settings of the site it reads (SPEC §3 names): SENTRY_DSN, SENTRY_ENVIRONMENT, SENTRY_RELEASE,
REDIS_URL, REDIS_PASSWORD, REDIS_DB, JWT_SECRET, LOG_DIR, BACKUP_ENABLED, BACKUP_SCHEDULE,
BACKUP_S3_BUCKET, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION, AWS_S3_ENDPOINT_URL,
METRICS_TOKEN, PROMETHEUS_PREFIX.
"""
from django.conf import settings

# Secrets that ship in docs, templates and tutorials; never strong, whatever their length.
KNOWN_WEAK_SECRETS = {
    "secret", "changeme", "change-me", "change_me", "your-secret-key", "your_secret_key", "jwt_secret",
    "your_jwt_secret", "your-jwt-secret", "supersecret", "super-secret", "password", "default",
    "your-super-secret-jwt-key-change-this-in-production", "your-256-bit-secret",
}
# Fragments that mark a placeholder value (the dev default contains "dev-only").
WEAK_SECRET_FRAGMENTS = ("dev-only", "change-me", "changeme", "change-this", "not-for-production", "example")


def setting(name: str, default=None):
    """A site setting by its SPEC name, read now."""
    return getattr(settings, name, default)


def pre_deploy_checks() -> list[str]:
    from .predeploy import DEFAULT

    return list(getattr(settings, "OPS_CHECKLIST_PRE_DEPLOY", DEFAULT))


def post_deploy_checks() -> list[str]:
    from .postdeploy import DEFAULT

    return list(getattr(settings, "OPS_CHECKLIST_POST_DEPLOY", DEFAULT))


def timeout() -> float:
    return float(getattr(settings, "OPS_CHECKLIST_TIMEOUT", 10))


def redis_alias() -> str:
    return getattr(settings, "OPS_CHECKLIST_REDIS_ALIAS", "default")


def weak_secrets() -> set[str]:
    return KNOWN_WEAK_SECRETS | {s.lower() for s in getattr(settings, "OPS_CHECKLIST_WEAK_SECRETS", [])}


def expected_log_files() -> list[str]:
    return list(getattr(settings, "OPS_CHECKLIST_LOG_FILES", ["combined.log"]))


def log_max_age() -> float:
    return float(getattr(settings, "OPS_CHECKLIST_LOG_MAX_AGE", 3600))


def prometheus_url() -> str:
    return getattr(settings, "OPS_DIGEST_PROMETHEUS_URL", "") or ""


def metrics_url() -> str:
    return getattr(settings, "OPS_DIGEST_METRICS_URL", "") or "http://127.0.0.1:8000/metrics"


def digest_top() -> int:
    return int(getattr(settings, "OPS_DIGEST_TOP", 10))


def digest_to_sentry() -> bool:
    return bool(getattr(settings, "OPS_DIGEST_SENTRY", True))


def metric_prefix() -> str:
    from ops.requestfacts import prefix  # the one reader of PROMETHEUS_PREFIX

    return prefix()


def secret_values() -> list[str]:
    """Every configured secret value, so output can be scrubbed of them whatever a library prints."""
    names = ("SECRET_KEY", "JWT_SECRET", "AWS_SECRET_ACCESS_KEY", "REDIS_PASSWORD", "METRICS_TOKEN")
    values = [str(setting(n) or "") for n in names]
    db_password = settings.DATABASES.get("default", {}).get("PASSWORD", "") if hasattr(settings, "DATABASES") else ""
    values.append(str(db_password or ""))
    # Short values would scrub ordinary words; the checks below refuse such secrets anyway.
    return [v for v in values if len(v) >= 6]
