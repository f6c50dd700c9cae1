#!/bin/sh
# Redis for the compose HA layout (docker-compose.ha.yml): `redis-ha.sh node` runs a data node,
# `redis-ha.sh sentinel` a Sentinel. Settings come from the environment (passwords never on a
# command line): REDIS_NAME (this server's compose host name), REDIS_PORT, REDIS_PASSWORD,
# REDIS_FIRST_PRIMARY (host:port: the primary of a fresh cluster), KJOBS_REDIS_SENTINELS
# (host:port, comma-separated) and KJOBS_REDIS_MASTER_NAME (default kjobs).
#
# A node asks the Sentinels whom they name primary before it starts, as a supervisor restarting a
# killed server should (docs/reliability.md, "Redis failover"): another server → it starts as that
# one's replica (a killed primary comes back as a replica of the one promoted meanwhile, instead
# of as a second primary with only its own writes); itself → primary; no Sentinel answers (a fresh
# cluster) → REDIS_FIRST_PRIMARY decides. The Sentinels name servers by host name
# (resolve-hostnames, announce-hostnames; each node announces REDIS_NAME), which stays true when a
# container comes back with another address.
set -eu
master=${KJOBS_REDIS_MASTER_NAME:-kjobs}
: "${REDIS_NAME:?}" "${REDIS_PORT:?}" "${REDIS_PASSWORD:?}" "${KJOBS_REDIS_SENTINELS:?}" "${REDIS_FIRST_PRIMARY:?}"
mkdir -p /data

case "${1:-}" in
node)
  primary=""
  for s in $(echo "$KJOBS_REDIS_SENTINELS" | tr ',' ' '); do
    # The Sentinels have no password (they are reachable only on the compose network).
    named=$(env -u REDISCLI_AUTH redis-cli -h "${s%:*}" -p "${s##*:}" --raw SENTINEL get-master-addr-by-name "$master" 2>/dev/null | tr '\n' ':' || true)
    case "$named" in *:*[0-9]:) primary=${named%:}; break ;; esac
  done
  [ -n "$primary" ] || primary=$REDIS_FIRST_PRIMARY
  conf=/tmp/redis.conf
  umask 077
  {
    echo "port $REDIS_PORT"
    echo "dir /data"
    echo "appendonly yes"
    echo "appendfsync everysec"
    echo "maxmemory-policy noeviction"
    echo "requirepass \"$REDIS_PASSWORD\""
    echo "masterauth \"$REDIS_PASSWORD\""
    echo "replica-announce-ip $REDIS_NAME"
    echo "replica-announce-port $REDIS_PORT"
    if [ "$primary" != "$REDIS_NAME:$REDIS_PORT" ]; then echo "replicaof ${primary%:*} ${primary##*:}"; fi
  } >"$conf"
  echo "redis-ha: $REDIS_NAME:$REDIS_PORT starts as $([ "$primary" = "$REDIS_NAME:$REDIS_PORT" ] && echo primary || echo "replica of $primary")"
  exec redis-server "$conf"
  ;;
sentinel)
  # Sentinel rewrites its file (what it learns of replicas, Sentinels, failovers): kept in /data,
  # written only on a first start.
  conf=/data/sentinel.conf
  if [ ! -s "$conf" ]; then
    umask 077
    {
      echo "port $REDIS_PORT"
      echo "dir /data"
      echo "sentinel resolve-hostnames yes"
      echo "sentinel announce-hostnames yes"
      echo "sentinel monitor $master ${REDIS_FIRST_PRIMARY%:*} ${REDIS_FIRST_PRIMARY##*:} 2"
      echo "sentinel auth-pass $master \"$REDIS_PASSWORD\""
      # As `npm start -- --ha` (chaos/redis-sentinel.ts): a primary is down after 1 s; a
      # Sentinel retries an election after twice the failover-timeout.
      echo "sentinel down-after-milliseconds $master 1000"
      echo "sentinel failover-timeout $master 1000"
      echo "sentinel parallel-syncs $master 1"
    } >"$conf"
  fi
  exec redis-server "$conf" --sentinel
  ;;
*)
  echo "usage: redis-ha.sh node|sentinel" >&2
  exit 2
  ;;
esac
