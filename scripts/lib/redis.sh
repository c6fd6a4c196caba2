# shellcheck shell=bash
# Sourced by ./microchat.

# Redis speaks only TLS (the same private CA and certificate as PostgreSQL)
# and asks every client for a password (requirepass), made once into
# secrets/redis.password; the services get rediss://:password@…?sslrootcert=…
# from a file (REDIS_URL_FILE), as in a cluster. The whole configuration sits
# in one file (mode 600) so a restart — by a test, say — starts the same server.
redis_start() { # data-dir port
  local data=$1 port=$2 password
  mkdir -p "$data/redis" "$data/logs" "$data/run"
  make_certificates "$data/tls"
  password=$(secret "$data/secrets/redis.password")
  (umask 077; printf 'rediss://:%s@127.0.0.1:%s?sslrootcert=%s\n' "$password" "$port" "$data/tls/ca.crt" >"$data/secrets/redis.url")
  if [ -f "$data/run/redis.pid" ] && alive "$(cat "$data/run/redis.pid")"; then return 0; fi
  (umask 077; cat >"$data/redis/redis.conf" <<EOF
port 0
tls-port $port
tls-cert-file $data/tls/server.crt
tls-key-file $data/tls/server.key
tls-ca-cert-file $data/tls/ca.crt
tls-auth-clients no
bind 127.0.0.1
protected-mode yes
requirepass $password
dir $data/redis
save ""
appendonly no
daemonize yes
pidfile $data/run/redis.pid
logfile $data/logs/redis.log
EOF
  )
  redis-server "$data/redis/redis.conf" >/dev/null
  local deadline=$((SECONDS + 20))
  until REDISCLI_AUTH="$password" redis-cli --tls --cacert "$data/tls/ca.crt" -p "$port" ping 2>/dev/null | grep -q PONG; do
    [ $SECONDS -ge $deadline ] && { tail -n 20 "$data/logs/redis.log" >&2; die "Redis did not start"; }
    sleep 0.1
  done
}

redis_stop() { # data-dir
  local pidfile="$1/run/redis.pid"
  [ -f "$pidfile" ] || return 0
  stop_pid "$(cat "$pidfile")" redis
  rm -f "$pidfile"
}
