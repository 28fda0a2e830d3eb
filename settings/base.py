"""Everything Papyrus needs, driven by the environment.

dev/prod/test modules state only what differs. `.env` in the project root is read
when present; `.env.example` lists every variable. An empty variable means "not set"
(settings.environment), in `.env` and in the environment alike.
"""
from datetime import timedelta
from pathlib import Path

from settings.environment import Env

BASE_DIR = Path(__file__).resolve().parent.parent

env = Env()
Env.read_env(BASE_DIR / ".env", overwrite=False)

VERSION = "0.1.0"

SECRET_KEY = env("DJANGO_SECRET_KEY", default="dev-only-django-secret-key-not-for-production-use")
DEBUG = False
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served from here, pinned (no CDN)
    "channels",
    "ops.logging",
    "ops.errors",
    "ops.health",
    "ops.checklist",
    "ops.reports",
    "ops.realtime",
    "ops.metrics",
    "ops.cache",
    "ops.ratelimit",
    "papyrus.accounts",
    "papyrus.wiki",
    "papyrus.web",  # the wiki in the browser (issue 16)
    "django_htmx",  # vendors htmx (static) and request.htmx
    "backups_app",
]

MIDDLEWARE = [
    "ops.metrics.middleware.MetricsMiddleware",  # first: times and counts everything below
    "ops.logging.middleware.RequestLogMiddleware",  # request id + one `http` line per request
    "ops.errors.middleware.SentryMiddleware",  # Sentry scope per request; transactions for sampled ones
    "papyrus.core.errors.DrainBodyMiddleware",  # an early answer must not leave nginx a half-sent body (502)
    "papyrus.core.errors.JSONErrorMiddleware",  # no HTML error page under /api/, /health, /metrics
    "ops.errors.unavailable.DatabaseUnavailableMiddleware",  # database down/failing over → 503 + Retry-After
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",  # /static/: hashed, compressed, cached forever
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "backups_app.middleware.MaintenanceMiddleware",  # during a restore: writes → 503 + Retry-After
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "ops.ratelimit.middleware.RateLimitMiddleware",  # after auth: counts signed-in users by id
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",  # request.htmx
    "papyrus.web.auth.WebAuthMiddleware",  # the wiki's request.user from the JWT cookies, refresh rotation
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "papyrus.urls"
WSGI_APPLICATION = "papyrus.wsgi.application"
ASGI_APPLICATION = "papyrus.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
            "builtins": ["papyrus.web.templatetags.links"],  # {% link %} / {% asset %}: remembered url / static
        },
    },
]

# --- Database -------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default="postgres://papyrus@127.0.0.1:54329/papyrus"),
}
# Persistent connections: one per WSGI worker thread, checked before reuse — by ops.postgres, whose
# check looks at the socket instead of sending SELECT 1 (one round trip less per request).
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["ENGINE"] = "ops.postgres"
    # A server that vanished (a failover, a stopped container) fails a connect within this many seconds
    # instead of the kernel's minutes, so the request gets its 503 (ops.errors.unavailable) promptly.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=5))
# The database down or failing over: every request answers 503 with a Retry-After (s), not 500 (ops.errors).
globals().update(env.given(DATABASE_UNAVAILABLE_RETRY_AFTER=int))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis ----------------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:63790/0")
REDIS_PASSWORD = env("REDIS_PASSWORD", default="")
REDIS_DB = env("REDIS_DB", default="")
REDIS_SENTINEL_MASTER = env("REDIS_SENTINEL_MASTER", default="")
REDIS_SENTINEL_NODES = env("REDIS_SENTINEL_NODES", default="")
REDIS_CLUSTER_NODES = env("REDIS_CLUSTER_NODES", default="")
# Cache, sessions, Celery broker and channel layer, through Sentinel or Cluster when configured.
from ops.redis_settings import redis_settings  # noqa: E402

_redis = redis_settings(url=REDIS_URL, password=REDIS_PASSWORD, db=REDIS_DB,
                        sentinel_master=REDIS_SENTINEL_MASTER, sentinel_nodes=REDIS_SENTINEL_NODES,
                        cluster_nodes=REDIS_CLUSTER_NODES, key_prefix="papyrus")
CACHES = _redis["CACHES"]
SESSION_ENGINE = _redis["SESSION_ENGINE"]
SESSION_CACHE_ALIAS = _redis["SESSION_CACHE_ALIAS"]
globals().update(env.given(OPS_CACHE_RESPONSES=(bool, "RESPONSE_CACHE_ENABLED")))  # ops.cache: on by default
# Anonymous list, page and search reads answered from cached bytes before Django's stack (papyrus.wiki.fastreads).
FAST_READS = env.bool("FAST_READS", default=True)

CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=_redis["CELERY_BROKER_URL"])
CELERY_BROKER_TRANSPORT_OPTIONS = _redis["CELERY_BROKER_TRANSPORT_OPTIONS"]
CELERY_RESULT_BACKEND = None
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE = {}
# Beat's scheduler: Celery's file-based one by default; settings.prod uses celery-redbeat, whose lock in
# Redis keeps a second beat (another node, one started by mistake) waiting instead of doubling every
# task. The lock outlives a dead beat by CELERY_REDBEAT_LOCK_TIMEOUT s, then a waiting beat takes over.
CELERY_BEAT_SCHEDULER = env("CELERY_BEAT_SCHEDULER", default="celery.beat:PersistentScheduler")
CELERY_REDBEAT_REDIS_URL = _redis["CELERY_REDBEAT_REDIS_URL"]
CELERY_REDBEAT_REDIS_OPTIONS = _redis["CELERY_REDBEAT_REDIS_OPTIONS"]
CELERY_REDBEAT_KEY_PREFIX = "papyrus:redbeat"
CELERY_REDBEAT_LOCK_TIMEOUT = env.int("CELERY_REDBEAT_LOCK_TIMEOUT", default=30)
CELERY_BEAT_MAX_LOOP_INTERVAL = 5  # s: the lock is renewed at least this often

# Sign-ins whose refresh token expired are deleted daily (papyrus.accounts.tasks).
ACCOUNTS_PRUNE_SCHEDULE = env("ACCOUNTS_PRUNE_SCHEDULE", default="23 4 * * *")
from ops.cron import parse_cron  # noqa: E402

CELERY_BEAT_SCHEDULE["accounts-prune-token-families"] = {
    "task": "papyrus.accounts.tasks.prune_token_families", "schedule": parse_cron(ACCOUNTS_PRUNE_SCHEDULE)}

# Realtime (issue 7): the channel layer from the Redis settings builder (ops.redis_settings).
CHANNEL_LAYERS = _redis["CHANNEL_LAYERS"]  # RedisPubSubChannelLayer; a Sentinel host when Sentinel
REALTIME_AUTHENTICATOR = "papyrus.accounts.websocket.authenticate_scope"

# --- Auth -----------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
# Argon2id first (papyrus/accounts/hashers.py); PBKDF2 hashes still verify, and are rehashed
# with Argon2id on the user's next login.
PASSWORD_HASHERS = [
    "papyrus.accounts.hashers.Argon2idHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "papyrus.accounts.validators.LetterDigitSymbolValidator"},
]

# Who may sign up (papyrus.accounts.registration): open | invite (a staff member's one-time link) | closed;
# open sign-up limited to these email domains when set. settings.prod defaults to invite.
globals().update(env.given(REGISTRATION=str, REGISTRATION_ALLOWED_DOMAINS=list, INVITATION_MAX_AGE_DAYS=float))
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=3600)  # s a reset link works (once)

# Mail (password reset): Django's email backends; SMTP unless a settings module says otherwise.
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Papyrus <papyrus@localhost>")

JWT_SECRET = env("JWT_SECRET", default="dev-only-jwt-secret-change-me-in-production-0000")
JWT_COOKIE_SECURE = False
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(hours=1),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=30),
    "ROTATE_REFRESH_TOKENS": True,
    "UPDATE_LAST_LOGIN": False,
    "SIGNING_KEY": JWT_SECRET,
    "ALGORITHM": "HS256",
    "USER_ID_CLAIM": "user_id",
}
# Browser wiki: a tab that lost a refresh-rotation race to another tab gets an access cookie (papyrus.accounts.conf).
globals().update(env.given(REFRESH_REUSE_GRACE_SECONDS=float))

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "papyrus.accounts.authentication.CookieJWTAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_PARSER_CLASSES": ["papyrus.core.parsers.StrictJSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "EXCEPTION_HANDLER": "papyrus.core.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "ops.openapi.AutoSchema",  # the error answers documented too
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Papyrus API",
    "DESCRIPTION": "Team wiki: pages, teams, search, sign-in.",
    "VERSION": VERSION,
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from the pinned drf-spectacular-sidecar package, through /static/ (no CDN).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}
# Nesting accepted in a JSON body (papyrus.core.parsers); the size limit is DATA_UPLOAD_MAX_MEMORY_SIZE.
API_JSON_MAX_DEPTH = env.int("API_JSON_MAX_DEPTH", default=32)

# --- i18n / static ----------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"
STATIC_ROOT = env("STATIC_ROOT", default="") or str(BASE_DIR / "var" / "static")  # empty in .env = default
# WhiteNoise serves what `collectstatic` put in STATIC_ROOT: content-hashed names (cached for a
# year) and gzip variants (brotli too where the Brotli package is installed). `make run` and the
# image run collectstatic first.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- Operations -------------------------------------------------------------
from ops.logging.conf import DEFAULTS as _LOGGING  # noqa: E402

LOG_LEVEL = env("LOG_LEVEL", default=_LOGGING["LOG_LEVEL"])
LOG_DIR = env("LOG_DIR", default=str(BASE_DIR / "logs"))
LOG_MAX_SIZE = env("LOG_MAX_SIZE", default=_LOGGING["LOG_MAX_SIZE"])
LOG_MAX_FILES = env("LOG_MAX_FILES", default=_LOGGING["LOG_MAX_FILES"])
LOG_CONSOLE = env.bool("LOG_CONSOLE", default=False)  # the same JSON lines on stdout too (a container's log)
LOG_FILES = env.bool("LOG_FILES", default=_LOGGING["LOG_FILES"])  # false: stdout only (containers)
LOG_REQUESTS = env.bool("LOG_REQUESTS", default=False)  # every request's line whatever LOG_LEVEL says
from ops.logging.config import build_logging  # noqa: E402

# JSON lines in LOG_DIR (error.log, combined.log, YYYY-MM-DD.log); Celery workers use it too.
LOGGING = build_logging(level=LOG_LEVEL, directory=LOG_DIR, max_size=LOG_MAX_SIZE, max_files=LOG_MAX_FILES,
                        service="papyrus", console=LOG_CONSOLE or not LOG_FILES, files=LOG_FILES,
                        requests=LOG_REQUESTS)

globals().update(env.given(SENTRY_DSN=str, SENTRY_ENVIRONMENT=str, SENTRY_RELEASE=str,
                           SENTRY_TRACES_SAMPLE_RATE=float))  # ops.errors: Sentry off without a DSN
# Per-route shares of SENTRY_TRACES_SAMPLE_RATE (first match wins; docs/errors.md): probes never, the hot
# cached page reads at a tenth, the slow and the writing routes at five and two times the default.
SENTRY_TRACES_RULES = env.json("SENTRY_TRACES_RULES", default={
    "probes": {"paths": [r"^/(health|metrics|static/)"], "rate": 0},
    "page_reads": {"methods": ["GET", "HEAD"], "paths": [r"^/api/pages/?$", r"^/api/pages/\d+/?$"], "weight": 0.1},
    "slow": {"paths": [r"^/api/(search|admin/)", r"^/api/auth/(login|register)"], "weight": 5},
    "writes": {"methods": ["POST", "PUT", "PATCH", "DELETE"], "paths": [r"^/"], "weight": 2},
})

ENABLE_PROMETHEUS = env.bool("ENABLE_PROMETHEUS", default=True)
PROMETHEUS_PREFIX = env("PROMETHEUS_PREFIX", default="papyrus_")
METRICS_TOKEN = env("METRICS_TOKEN", default="")
METRICS_ALLOWED_IPS = env.list("METRICS_ALLOWED_IPS", default=[])
METRICS_EXPORTER_PORT = env.int("METRICS_EXPORTER_PORT", default=0)  # Celery worker/beat: their own /metrics
# The client IP, one policy for logs, /metrics access and rate limiting (ops.requestfacts): the number of
# proxies in front that append to CLIENT_IP_HEADER (`make run`'s nginx is one); 0 trusts none.
# RATE_LIMIT_TRUSTED_PROXIES and METRICS_CLIENT_IP_HEADER (one hop) are the older names, still read.
CLIENT_IP_HEADER = env("CLIENT_IP_HEADER", default="") or env("METRICS_CLIENT_IP_HEADER", default="") \
    or "HTTP_X_FORWARDED_FOR"
TRUSTED_PROXIES = env.int("TRUSTED_PROXIES", default=env.int(
    "RATE_LIMIT_TRUSTED_PROXIES", default=1 if env("METRICS_CLIENT_IP_HEADER", default="") else 0))

# ops.ratelimit: RATE_LIMIT_RULES overrides per class its DEFAULT_RULES, e.g. '{"auth": {"limit": 5}}';
# RATE_LIMIT_LEASE_MAX: tokens a web process leases per Redis call, for rules of >= 50 requests
# (docs/redis.md); 1 = exact.
globals().update(env.given(RATE_LIMIT_ENABLED=bool, RATELIMIT_RULES=(dict, "RATE_LIMIT_RULES"),
                           RATELIMIT_LEASE_MAX=(int, "RATE_LIMIT_LEASE_MAX")))
RATELIMIT_USER_RESOLVERS = ["papyrus.accounts.ratelimit.jwt_user_id"]

# Backups (backups_app; its defaults in backups_app/conf.py): each BACKUP_* variable of .env.example
# overrides the app's default when set.
globals().update(env.given(
    BACKUP_ENABLED=bool, BACKUP_SCHEDULE=str, BACKUP_DRILL_SCHEDULE=str, BACKUP_RETENTION_DAYS=int,
    BACKUP_S3_PREFIX=str, BACKUP_S3_OBJECT_LOCK_DAYS=int, BACKUP_S3_OBJECT_LOCK_MODE=str,
    BACKUP_COMPRESSION_LEVEL=int, BACKUP_COMPRESS_THREADS=int, BACKUP_SAFETY_COMPRESSION_LEVEL=int,
    BACKUP_LOCK_TIMEOUT=int, BACKUP_QUEUE_TIMEOUT=int, BACKUP_MAX_AGE_HOURS=float, BACKUP_AGE_RECIPIENTS=list,
    BACKUP_AGE_IDENTITY_FILE=str, BACKUP_SETTLE_INTERVAL=float,
    BACKUP_PITR_ENABLED=bool, BACKUP_PITR_PREFIX=str, BACKUP_PITR_ARCHIVE_TIMEOUT=int, BACKUP_BASE_SCHEDULE=str,
    BACKUP_PITR_RETENTION_DAYS=int, BACKUP_PITR_DRILL_SCHEDULE=str, BACKUP_PITR_PG_DSN=str, BACKUP_PITR_OS_USER=str,
    BACKUP_PITR_BASE_QUEUE=str))
BACKUP_DIR = env("BACKUP_DIR", default=str(BASE_DIR / "backups"))
BACKUP_S3_BUCKET = env("BACKUP_S3_BUCKET", default="")
AWS_ACCESS_KEY_ID = env("AWS_ACCESS_KEY_ID", default="")
AWS_SECRET_ACCESS_KEY = env("AWS_SECRET_ACCESS_KEY", default="")
AWS_REGION = env("AWS_REGION", default="")
AWS_S3_ENDPOINT_URL = env("AWS_S3_ENDPOINT_URL", default="")
# The one S3 configuration: backup copies, PITR's barman-cloud and the /health bucket probe all read
# STORAGES["backups"] (django-storages' S3Storage); no alias, no off-site store.
from backups_app.conf import s3_storage  # noqa: E402

if BACKUP_S3_BUCKET:
    STORAGES["backups"] = s3_storage(bucket=BACKUP_S3_BUCKET, access_key=AWS_ACCESS_KEY_ID,
                                     secret_key=AWS_SECRET_ACCESS_KEY, region=AWS_REGION,
                                     endpoint_url=AWS_S3_ENDPOINT_URL)
# Restore preflight warns when these signing secrets differ from the host that made the backup.
BACKUP_FINGERPRINT_SETTINGS = ["SECRET_KEY", "JWT_SECRET"]
# `backup restore-page`: how pages come back from a backup (as new revisions of the live pages).
BACKUP_PAGE_RESTORER = "papyrus.wiki.services.page_restore_from_backup"
# What a restore keeps of the live data besides the backups list: sign-in sessions (refresh token
# families and their revocations), of users the restored data has. A backup file holds none of them.
BACKUP_KEPT_MODELS = ["accounts.TokenFamily"]
# Papyrus' names in Redis keys, pg_stat_activity, manifests' secret fingerprints, the restore's 503 and
# the PITR archive's folder (docs/pitr.md: WAL under BACKUP_S3_BUCKET's wal/<server name>/).
BACKUP_REDIS_PREFIX = "papyrus:backups:"
BACKUP_PG_APPLICATION_NAME = "papyrus-backup"
BACKUP_FINGERPRINT_LABEL = "papyrus backup secrets fingerprint v1"
BACKUP_MAINTENANCE_MESSAGE = "Papyrus is restoring a backup; writes are paused. Try again shortly."
BACKUP_PITR_SERVER_NAME = env("BACKUP_PITR_SERVER_NAME", default="papyrus")
# Beat entries: create (+cleanup), the restore drill and the settle check; PITR's base backup and drill
# (the tasks do nothing unless BACKUP_ENABLED / BACKUP_PITR_ENABLED). The base backup goes to
# BACKUP_PITR_BASE_QUEUE when set (compose: "pitr-base", consumed only where PGDATA is readable; the
# multi-node shape: one queue per PostgreSQL member, the primary's worker takes it).
from backups_app.pitr.schedule import beat_schedule as _pitr_beat_schedule  # noqa: E402
from backups_app.pitr.schedule import task_routes as _pitr_task_routes  # noqa: E402
from backups_app.schedule import beat_schedule as _backup_beat_schedule  # noqa: E402

CELERY_BEAT_SCHEDULE.update(_backup_beat_schedule(
    schedule=globals().get("BACKUP_SCHEDULE"), drill_schedule=globals().get("BACKUP_DRILL_SCHEDULE"),
    settle_seconds=globals().get("BACKUP_SETTLE_INTERVAL")))
CELERY_BEAT_SCHEDULE.update(_pitr_beat_schedule(base_schedule=globals().get("BACKUP_BASE_SCHEDULE"),
                                                drill_schedule=globals().get("BACKUP_PITR_DRILL_SCHEDULE"),
                                                base_queue=globals().get("BACKUP_PITR_BASE_QUEUE", "")))
CELERY_TASK_ROUTES = _pitr_task_routes(base_queue=globals().get("BACKUP_PITR_BASE_QUEUE", ""))

# Weekly error digest and performance summary (ops.reports; defaults in ops/reports/conf.py), merged
# into the beat schedule.
globals().update(env.given(OPS_DIGEST_PROMETHEUS_URL=str, OPS_DIGEST_METRICS_URL=str,
                           OPS_DIGEST_ERRORS_SCHEDULE=str, OPS_DIGEST_PERFORMANCE_SCHEDULE=str))
from ops.reports.schedule import beat_schedule as _ops_reports_beat_schedule  # noqa: E402

CELERY_BEAT_SCHEDULE.update(_ops_reports_beat_schedule(
    errors_cron=globals().get("OPS_DIGEST_ERRORS_SCHEDULE"),
    performance_cron=globals().get("OPS_DIGEST_PERFORMANCE_SCHEDULE")))

# The deploy checklist (`manage.py ops_check`): ops.checklist's items plus Papyrus' own, in print order.
# (/health's checks are listed in papyrus/urls.py.)
OPS_CHECKLIST_PRE_DEPLOY = [
    "ops.checklist.predeploy.SentryDsn",
    "ops.checklist.predeploy.RedisReachable",
    "ops.checklist.predeploy.DatabaseMigrated",
    ("ops.checklist.predeploy.SecretStrong", {"setting": "JWT_SECRET", "name": "jwt_secret"}),
    "ops.checklist.predeploy.LogDirWritable",
    "backups_app.probes.BackupSchedule",
    "backups_app.probes.BackupBucket",
    "ops.checklist.predeploy.StaticFilesCollected",
    "ops.checklist.predeploy.DeployChecks",
]
OPS_CHECKLIST_SECRET_SETTINGS = ["JWT_SECRET", "AWS_SECRET_ACCESS_KEY"]  # never printed by ops_check
