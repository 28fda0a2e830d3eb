#!/usr/bin/env bash
# Install the Debian packages Papyrus runs against, when any is missing.
# PostgreSQL 15 comes with the image; everything else is installed here.
set -euo pipefail

need=()
have() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ]; }
have redis-server   || need+=(redis-server)
have redis-sentinel || need+=(redis-sentinel)
have redis-cli      || need+=(redis-tools)
have prometheus     || need+=(prometheus)
have nginx          || need+=(nginx)
have chromium       || need+=(chromium)
have pigz           || need+=(pigz)
have wrk            || need+=(wrk)
have age            || need+=(age)
have ip             || need+=(iproute2)  # tests/deploy/test_kubernetes_redis.py: lo in its network namespace
have docker-compose || need+=(docker-compose)
have barman-cloud-wal-archive || need+=(barman-cli-cloud)  # PITR: WAL archiving and base backups to S3
[ -x /usr/lib/postgresql/15/bin/initdb ] || need+=(postgresql-15)
# The production shape under podman (make compose-up, the container tests): rootful podman with runc,
# CNI networks with DNS, iptables for published ports; debootstrap builds the images' Debian base.
have podman         || need+=(podman runc containernetworking-plugins golang-github-containernetworking-plugin-dnsname iptables)
have debootstrap    || need+=(debootstrap)

[ ${#need[@]} -eq 0 ] && exit 0
echo "install-system-deps: installing ${need[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
# Debian starts these on install where it can; Papyrus starts its own on loopback.
for svc in redis-server redis-sentinel prometheus nginx; do
  $SUDO service "$svc" stop >/dev/null 2>&1 || true
done
