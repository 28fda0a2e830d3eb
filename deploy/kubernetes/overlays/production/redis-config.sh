#!/bin/sh
# Writes this pod's redis.conf and sentinel.conf into /data/conf (init container of papyrus-redis;
# REDIS_DATA_DIR moves /data, for tests/deploy/test_kubernetes_redis.py).
# The master is whoever the Sentinels say it is; when none answers (the first start, or every pod
# restarted at once), pod 0 is. Hosts are the pods' stable DNS names, so a restarted pod with a new
# IP is still the same member. REDIS_PASSWORD comes from the Secret papyrus-secrets.
set -eu
SERVICE=papyrus-redis
MASTER_NAME=papyrus
DATA="${REDIS_DATA_DIR:-/data}"
SELF="$(hostname -f)"
DOMAIN="${SELF#*.}"
mkdir -p "$DATA/conf"

master=""
for i in 0 1 2; do
  peer="$SERVICE-$i.$DOMAIN"
  [ "$peer" = "$SELF" ] && continue
  reply="$(timeout 3 redis-cli -h "$peer" -p 26379 sentinel get-master-addr-by-name "$MASTER_NAME" 2>/dev/null | head -n 1 || true)"
  if [ -n "$reply" ]; then master="$reply"; break; fi
done
if [ -z "$master" ]; then master="$SERVICE-0.$DOMAIN"; fi
echo "papyrus-redis: $SELF starts with master $master"

cat > "$DATA/conf/redis.conf" <<CONF
port 6379
dir $DATA
appendonly yes
requirepass $REDIS_PASSWORD
masterauth $REDIS_PASSWORD
replica-announce-ip $SELF
CONF
if [ "$master" != "$SELF" ]; then echo "replicaof $master 6379" >> "$DATA/conf/redis.conf"; fi

# Sentinels take no password (ops/redis_settings.py: the password is the Redis servers').
cat > "$DATA/conf/sentinel.conf" <<CONF
port 26379
dir /tmp
sentinel resolve-hostnames yes
sentinel announce-hostnames yes
sentinel announce-ip $SELF
sentinel monitor $MASTER_NAME $master 6379 2
sentinel auth-pass $MASTER_NAME $REDIS_PASSWORD
sentinel down-after-milliseconds $MASTER_NAME 5000
sentinel failover-timeout $MASTER_NAME 60000
sentinel parallel-syncs $MASTER_NAME 1
CONF
chmod 0600 "$DATA/conf/redis.conf" "$DATA/conf/sentinel.conf"
