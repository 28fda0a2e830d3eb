"""The pre-deploy items: error tracking, Redis, migrations, a signing secret, the log directory,
collected static files, Django's deploy checks. A project adds its own items in OPS_CHECKLIST_PRE_DEPLOY."""
from __future__ import annotations

import shutil
import time
import urllib.error

from django.conf import STATICFILES_STORAGE_ALIAS, settings
from django.core.files.storage import storages
from django.core import checks as django_checks
from django.db.migrations.executor import MigrationExecutor

from ops.errors import conf as errors_conf
from ops.health.base import CheckFailed, HealthCheck, first_line
from ops.health.probes import Database, Redis, probe_directory
from ops.logging import conf as logging_conf

from . import conf
from .masking import mask_dsn
from .secrets import weakness
from .sentry import BadDsn, parse_dsn, send_test_event


class SentryDsn(HealthCheck):
    """SENTRY_DSN set and well-formed; with `send_test_event`, one event accepted."""

    name = "sentry_dsn"
    send_test_event = False

    def run(self):
        value = errors_conf.dsn()
        try:
            parse_dsn(value)
        except BadDsn as exc:
            raise CheckFailed(f"SENTRY_DSN is not usable: {exc}") from None
        if not self.send_test_event:
            return mask_dsn(value)
        try:
            event_id, status = send_test_event(value)
        except urllib.error.HTTPError as exc:
            raise CheckFailed(f"test event refused by {mask_dsn(value)}: HTTP {exc.code}") from None
        except (urllib.error.URLError, OSError) as exc:
            raise CheckFailed(f"test event not delivered to {mask_dsn(value)}: {exc}") from None
        return f"{mask_dsn(value)}; test event {event_id} accepted (HTTP {status})"


class RedisReachable(Redis):
    """PING answered; the round trip is shown."""

    def run(self):
        where = self.where()
        started = time.perf_counter()
        try:
            self.client().ping()
        except Exception as exc:  # noqa: BLE001 - redis-py raises several kinds
            raise CheckFailed(f"no PING answer from {where}: {first_line(exc)}") from None
        return f"PONG in {(time.perf_counter() - started) * 1000:.1f} ms from {where}"


class DatabaseMigrated(Database):
    """The database answers and has no unapplied migration."""

    def run(self):
        with self.connection() as connection:
            where = f"{connection.vendor} {connection.settings_dict.get('HOST') or 'local'}" \
                    f":{connection.settings_dict.get('PORT') or ''}/{connection.settings_dict.get('NAME')}"
            try:
                connection.ensure_connection()
            except Exception as exc:  # noqa: BLE001 - driver errors vary
                raise CheckFailed(f"cannot connect to {where}: {first_line(exc)}") from None
            executor = MigrationExecutor(connection)
            plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
            if plan:
                names = ", ".join(f"{m.app_label}.{m.name}" for m, _ in plan[:5]) + (" ..." if len(plan) > 5 else "")
                raise CheckFailed(f"{len(plan)} unapplied migrations on {where}: {names} (run manage.py migrate)")
            return f"{where}, {len(executor.loader.applied_migrations)} migrations applied, none pending"


class SecretStrong(HealthCheck):
    """The signing secret in setting `setting` is strong (ops.checklist.secrets.weakness):
    at least 32 bytes, not a known default or placeholder, not one repeated pattern."""

    def __init__(self, setting: str = "SECRET_KEY", name: str = "secret_key"):
        self.setting, self.name = setting, name

    def run(self):
        secret = str(getattr(settings, self.setting, "") or "")
        why = weakness(secret, name=self.setting, also_weak=conf.weak_secrets())
        if why:
            raise CheckFailed(why)
        return f"{len(secret.encode())} bytes, {len(set(secret))} distinct characters"


class LogDirWritable(HealthCheck):
    """LOG_DIR exists (created if missing) and a probe file can be created and deleted there."""

    name = "log_dir"

    def run(self):
        if not logging_conf.log_files():
            return "LOG_FILES=false: JSON lines on stdout, no directory needed"
        path = logging_conf.log_dir() or "logs"
        try:
            path = probe_directory(path, prefix=".ops-check-")
        except OSError as exc:
            raise CheckFailed(f"{path} is not writable: {exc.strerror or exc}") from None
        return f"{path}, {shutil.disk_usage(path).free / 2**30:.1f} GiB free"


class StaticFilesCollected(HealthCheck):
    """`collectstatic` has run for this release: with a manifest storage (hashed names, e.g. WhiteNoise's),
    its manifest is readable and names files that are there. Without it, every page that links a static
    file answers 500 ("Missing staticfiles manifest entry"); JSON APIs keep working, so nothing else shows it."""

    name = "static_files"
    most_checked = 2000  # files looked up (one stat each on a local disk, a request each on a bucket)

    def run(self):
        try:
            storage = storages[STATICFILES_STORAGE_ALIAS]  # a manifest storage reads its manifest here
        except ValueError as exc:
            raise CheckFailed(f"the static files' manifest is unreadable: {first_line(exc)}") from None
        kind = type(storage).__name__
        if not hasattr(storage, "read_manifest"):
            return f"{kind} keeps no manifest (static names are not hashed)"
        where = str(getattr(storage, "location", "") or storage.base_url or kind)
        if storage.read_manifest() is None:
            raise CheckFailed(f"no {storage.manifest_name} in {where}: run manage.py collectstatic for this release")
        hashed, _ = storage.load_manifest()
        names = sorted(set(hashed.values()))[:self.most_checked]
        missing = [name for name in names if not storage.exists(name)]
        if not names or missing:
            shown = ", ".join(missing[:3]) + (" ..." if len(missing) > 3 else "")
            raise CheckFailed(f"{storage.manifest_name} in {where} names {len(hashed)} files, "
                              + (f"{len(missing)} missing: {shown}" if missing else "none")
                              + " (run manage.py collectstatic)")
        return f"{where}: {len(hashed)} files in {storage.manifest_name}, {len(names)} present"


class DeployChecks(HealthCheck):
    """`manage.py check --deploy` is clean: no warning or error that is not silenced."""

    name = "deploy_checks"

    def run(self):
        messages = django_checks.run_checks(include_deployment_checks=True)
        serious = [m for m in messages if m.level >= django_checks.WARNING and not m.is_silenced()]
        if serious:
            listed = "; ".join(f"{m.id}: {first_line(m.msg)[:90]}" for m in serious[:6])
            raise CheckFailed(f"{len(serious)} issue(s): {listed}" + (" ..." if len(serious) > 6 else ""))
        return f"{len(messages)} silenced/info messages, no warnings" if messages else "no issues"
