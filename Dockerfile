# Papyrus application image: one image for web (granian WSGI), asgi (uvicorn, WebSockets),
# worker and beat (Celery), pitr-base (Celery, PITR base backups) and the one-shot migrate job.
# See docker-compose.yml.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
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
RUN groupadd --system --gid 999 postgres \
 && useradd --system --uid 999 --gid 999 --home-dir /var/lib/postgresql --no-create-home --shell /bin/sh postgres \
 && apt-get update \
 && apt-get install -y --no-install-recommends postgresql-common \
 && sed -ri 's/^#?\s*create_main_cluster\s*=.*$/create_main_cluster = false/' /etc/postgresql-common/createcluster.conf \
 && apt-get install -y --no-install-recommends postgresql-client-15 postgresql-15 barman-cli-cloud pigz \
 && install -d -o postgres -g postgres -m 0755 /var/lib/postgresql \
 && rm -rf /var/lib/apt/lists/*
# pg_ctl & co. on PATH for operators too (`docker-compose run worker pg_ctl ...`)
ENV PATH=/usr/lib/postgresql/15/bin:$PATH

RUN useradd --system --uid 10001 --user-group --home-dir /app --no-create-home papyrus
WORKDIR /app

COPY requirements.txt ./
RUN pip install -r requirements.txt

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
EXPOSE 8000 8001
CMD ["granian", "--interface", "wsgi", "--host", "0.0.0.0", "--port", "8000", "--workers", "2", \
     "--blocking-threads", "4", "--no-ws", "--respawn-failed-workers", "papyrus.wsgi:application"]
