# Papyrus application image: one image for web (granian WSGI), asgi (uvicorn, WebSockets),
# worker and beat (Celery) and the one-shot migrate job. See docker-compose.yml.
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
RUN apt-get update \
 && apt-get install -y --no-install-recommends postgresql-client-15 pigz \
 && rm -rf /var/lib/apt/lists/*

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
