"""ops.checklist settings, read at call time so `override_settings` works.

Own settings (all optional):

    OPS_CHECKLIST_PRE_DEPLOY = [...]      # dotted paths of the pre-deploy Check classes (predeploy.DEFAULT)
    OPS_CHECKLIST_POST_DEPLOY = [...]     # dotted paths of the post-deploy Check classes (postdeploy.DEFAULT)
    OPS_CHECKLIST_TIMEOUT = 10            # seconds one item may take before it FAILs as hung
    OPS_CHECKLIST_REDIS_ALIAS = "default" # django-redis cache to PING; REDIS_URL when it is not django-redis
    OPS_CHECKLIST_WEAK_SECRETS = []       # more known-default secrets to refuse
    OPS_CHECKLIST_LOG_FILES = ["combined.log"]  # files LOG_DIR must hold after a deploy
    OPS_CHECKLIST_LOG_MAX_AGE = 3600      # seconds: the newest log file must be younger
    OPS_CHECKLIST_SITE_SETTINGS = {}      # role → the site's setting holding it (SITE_ROLES); a role
                                          # not mapped is "not configured" and its item says so
    OPS_DIGEST_PROMETHEUS_URL = ""        # Prometheus for the performance summary ("" = scrape /metrics)
    OPS_DIGEST_METRICS_URL = "http://127.0.0.1:8000/metrics"
    OPS_DIGEST_TOP = 10                   # rows in each top list
    OPS_DIGEST_SENTRY = True              # scheduled digests also go to Sentry when it is on

Settings of the sibling ops apps it reads by their own names: SENTRY_DSN, SENTRY_ENVIRONMENT,
SENTRY_RELEASE (ops.errors), REDIS_URL, REDIS_PASSWORD, REDIS_DB (ops.cache), LOG_DIR
(ops.logging), METRICS_TOKEN, PROMETHEUS_PREFIX (ops.metrics). The site's own settings (its
token secret, its backups) it reads only through OPS_CHECKLIST_SITE_SETTINGS.
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


# What the items read of the site's own apps: a signing secret for tokens, a backup schedule
# and an S3 bucket with its client settings.
SITE_ROLES = ("token_secret", "backup_enabled", "backup_schedule", "backup_bucket",
              "s3_endpoint_url", "s3_region", "s3_access_key_id", "s3_secret_access_key")


def setting(name: str, default=None):
    """A setting by its name, read now."""
    return getattr(settings, name, default)


def site_setting_name(role: str) -> str:
    """The name of the site's setting that holds `role` ("" when the site maps none)."""
    return (getattr(settings, "OPS_CHECKLIST_SITE_SETTINGS", None) or {}).get(role, "")


def site_setting(role: str, default=None):
    """The value of the site's setting for `role`, read now; `default` when none is mapped."""
    name = site_setting_name(role)
    return getattr(settings, name, default) if name else default


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
    names = ("SECRET_KEY", "REDIS_PASSWORD", "METRICS_TOKEN")
    values = [str(setting(n) or "") for n in names]
    values += [str(site_setting(role) or "") for role in ("token_secret", "s3_secret_access_key")]
    db_password = settings.DATABASES.get("default", {}).get("PASSWORD", "") if hasattr(settings, "DATABASES") else ""
    values.append(str(db_password or ""))
    # Short values would scrub ordinary words; the checks below refuse such secrets anyway.
    return [v for v in values if len(v) >= 6]
