#!/bin/sh
# archive_command of the docker-compose postgres service: `papyrus-archive-wal %p`.
# Ships one WAL segment with barman-cloud-wal-archive to s3://$BACKUP_S3_BUCKET/$BACKUP_PITR_PREFIX;
# a non-zero exit makes PostgreSQL keep the segment and retry. Until BACKUP_PITR_ENABLED=true (and a
# bucket is set) it does nothing and exits 0: the segment is recycled as without archiving.
set -eu
if [ "${BACKUP_PITR_ENABLED:-false}" != "true" ] || [ -z "${BACKUP_S3_BUCKET:-}" ]; then
  exit 0
fi
prefix="${BACKUP_PITR_PREFIX:-wal/}"
prefix="${prefix%/}"
if [ -n "${AWS_S3_ENDPOINT_URL:-}" ]; then
  exec barman-cloud-wal-archive --gzip --cloud-provider aws-s3 --endpoint-url "$AWS_S3_ENDPOINT_URL" \
    "s3://$BACKUP_S3_BUCKET/$prefix" "${BACKUP_PITR_SERVER_NAME:-papyrus}" "$1"
fi
exec barman-cloud-wal-archive --gzip --cloud-provider aws-s3 \
  "s3://$BACKUP_S3_BUCKET/$prefix" "${BACKUP_PITR_SERVER_NAME:-papyrus}" "$1"
