# Papyrus application image: one image for web (granian WSGI), asgi (uvicorn, WebSockets),
# worker and beat (Celery), pitr-base (Celery, PITR base backups) and the one-shot migrate job.
# See docker-compose.yml and docs/deploy.md.
#
# PYTHON_IMAGE: the official python:3.11-slim-bookworm by default; where no registry is reachable,
# scripts/compose.py (make compose-up) passes a Debian 12 image it built from debootstrap.
# Production packages only: requirements.txt, locked with hashes (make lock); the test tools are in
# requirements-test.txt, never here. A CA bundle for PyPI, when the network needs one, is a build
# secret (`--secret id=ca_bundle,src=...`): used by pip in the build stage, never stored in a layer.
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
COPY requirements.txt /tmp/requirements.txt
RUN --mount=type=secret,id=ca_bundle \
    if [ -s /run/secrets/ca_bundle ]; then export PIP_CERT=/run/secrets/ca_bundle; fi \
 && python -m venv /opt/venv \
 && /opt/venv/bin/pip install -q --require-hashes --only-binary=:all: -r /tmp/requirements.txt \
 && /opt/venv/bin/pip uninstall -q -y pip \
 && find /opt/venv -name __pycache__ -prune -exec rm -rf {} +

FROM ${PYTHON_IMAGE}
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:/usr/lib/postgresql/15/bin:$PATH \
    DJANGO_SETTINGS_MODULE=settings.prod \
    LOG_DIR=/app/logs \
    BACKUP_DIR=/app/backups \
    PROMETHEUS_MULTIPROC_DIR=/tmp/prometheus

# pg_dump/psql for backups and restores must match the server's major version (postgres:15).
# Point-in-time recovery (docs/pitr.md): barman-cloud (barman-cli-cloud: barman-cloud-restore,
# barman-cloud-wal-restore, barman-cloud-backup) and PostgreSQL 15's server binaries (postgresql-15:
# postgres, pg_ctl, initdb, pg_controldata in /usr/lib/postgresql/15/bin, where backups_app.pg.binary
# looks for the server's major version) for `backup pitr`, the drill and base backups.
# The postgres user/group first, with the uid/gid of the postgres:15 image (999:999), which owns the
# pgdata volume's files: the pitr-base service runs as it and reads them. No cluster is created here.
# The JIT provider goes (LLVM and z3: 130 MB of the image's 700 MB budget): a recovery or drill server
# started here runs without JIT, which PostgreSQL does silently when llvmjit.so is absent.
RUN groupadd --system --gid 999 postgres \
 && useradd --system --uid 999 --gid 999 --home-dir /var/lib/postgresql --no-create-home --shell /bin/sh postgres \
 && apt-get update \
 && apt-get install -y --no-install-recommends postgresql-common \
 && sed -ri 's/^#?\s*create_main_cluster\s*=.*$/create_main_cluster = false/' /etc/postgresql-common/createcluster.conf \
 && apt-get install -y --no-install-recommends postgresql-client-15 postgresql-15 barman-cli-cloud pigz \
 && install -d -o postgres -g postgres -m 0755 /var/lib/postgresql \
 && dpkg --purge --force-depends libllvm14 libz3-4 \
 && rm -rf /usr/lib/postgresql/15/lib/llvmjit* /usr/lib/postgresql/15/lib/bitcode \
 && apt-get clean && rm -rf /var/lib/apt/lists/* /usr/share/doc/* /usr/share/man/* /usr/share/locale/*

RUN useradd --system --uid 10001 --user-group --home-dir /app --no-create-home papyrus
WORKDIR /app
COPY --from=build /opt/venv /opt/venv
COPY --chown=papyrus:papyrus . .
# Named volumes start as a copy of these directories, so they are owned by the app user.
RUN mkdir -p /app/logs /app/backups /app/var/static /app/var/beat /tmp/prometheus \
 && chown -R papyrus:papyrus /app/logs /app/backups /app/var /tmp/prometheus

# Static files (admin, DRF, the pinned Swagger UI of drf-spectacular-sidecar) collected at build
# time: hashed names and gzip/brotli variants that WhiteNoise serves from the image. settings.base
# needs no secret for this; the running containers use settings.prod.
RUN DJANGO_SETTINGS_MODULE=settings.base LOG_DIR=/tmp/build-logs python manage.py collectstatic --noinput -v0 \
 && chown -R papyrus:papyrus /app/var/static && rm -rf /tmp/build-logs

USER papyrus
EXPOSE 8000 8001 9100
# 2 single-threaded processes per core (bench.capacity, docs/load-tests.md); WEB_WORKERS / WEB_THREADS override
CMD ["sh", "-c", "exec granian --interface wsgi --host 0.0.0.0 --port 8000 --workers ${WEB_WORKERS:-$((2 * $(nproc)))} --blocking-threads ${WEB_THREADS:-1} --no-ws --respawn-failed-workers papyrus.wsgi:application"]
