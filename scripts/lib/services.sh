# shellcheck shell=bash
# Sourced by ./microchat. Building the services and supervising their processes; the stacks `up`, `test` and `bench` start.

build() { # extra swift build args
  local config=()
  [ "$BUILD" = "release" ] && config=(-c release)
  say "building the Swift services ($BUILD) — the first build takes several minutes"
  local tty=0 count=0
  [ -t 1 ] && tty=1
  swift build "${config[@]}" "$@" 2>&1 | while IFS= read -r line; do
    case "$line" in
      *error:*) printf '%s\n' "$line" ;;
      \[*/*\]*|*Build\ complete*)
        count=$((count + 1))
        if [ $tty -eq 1 ]; then printf '\r\033[K  %s' "${line:0:100}"
        elif [ $((count % 200)) -eq 1 ] || [[ "$line" == *Build\ complete* ]]; then printf '  %s\n' "${line:0:100}"; fi ;;
    esac
  done
  local status=${PIPESTATUS[0]}
  printf '\n'
  [ "$status" -eq 0 ] || die "swift build failed (run 'swift build' to see every message)"
}

bin_dir() {
  if [ "$BUILD" = release ]; then swift build -c release --show-bin-path; else swift build --show-bin-path; fi
}

start_service() { # data-dir name binary port env...
  local data=$1 name=$2 binary=$3 port=$4; shift 4
  mkdir -p "$data/logs" "$data/run"
  local pidfile="$data/run/$name.pid" log="$data/logs/$name.log"
  if [ -f "$pidfile" ] && alive "$(cat "$pidfile")"; then
    say "$name is already running (pid $(cat "$pidfile"))"
    return 0
  fi
  port_free "$port" || die "port $port for $name is in use (set MICROCHAT_*_PORT to move it)"
  env HOST=127.0.0.1 PORT="$port" "$@" nohup "$binary" >>"$log" 2>&1 </dev/null &
  echo $! >"$pidfile"
  wait_http "http://127.0.0.1:$port/readyz" 60 "$name" "$log"
  say "$name ready on http://127.0.0.1:$port"
}

start_suite() { # data-dir bindir
  local data=$1 bindir=$2
  local issuer="http://127.0.0.1:$USER_PORT"
  start_service "$data" user-service "$bindir/user-service" "$USER_PORT" \
    DATABASE_URL_FILE="$data/secrets/user_service.database-url" ISSUER_URL="$issuer" LOG_LEVEL="${LOG_LEVEL:-info}" \
    REDIS_URL_FILE="$data/secrets/redis.url" CHAT_SERVICE_URL="http://127.0.0.1:$CHAT_PORT" STORAGE_PATH="$data/storage"
  local i
  if [ -x "$bindir/chat-service" ]; then
    for ((i = 0; i < CHAT_REPLICAS; i++)); do
      start_service "$data" "chat-service-$((i + 1))" "$bindir/chat-service" "$((CHAT_PORT + i))" \
        DATABASE_URL_FILE="$data/secrets/chat_service.database-url" REDIS_URL_FILE="$data/secrets/redis.url" \
        AUTH_ISSUER="$issuer" USER_SERVICE_URL="$issuer" REPLICA_ID="chat-$((i + 1))" LOG_LEVEL="${LOG_LEVEL:-info}" \
        STORAGE_PATH="$data/storage" LINK_PREVIEW_ALLOWED_TARGETS="${LINK_PREVIEW_ALLOWED_TARGETS:-}" \
        LINK_PREVIEW_CA_FILE="${LINK_PREVIEW_CA_FILE:-}"
    done
  fi
  if [ -x "$bindir/ui-service" ]; then
    local chats=() 
    for ((i = 0; i < CHAT_REPLICAS; i++)); do chats+=("http://127.0.0.1:$((CHAT_PORT + i))"); done
    start_service "$data" ui-service "$bindir/ui-service" "$UI_PORT" \
      USER_SERVICE_URL="$issuer" CHAT_SERVICE_URLS="$(IFS=,; echo "${chats[*]}")" LOG_LEVEL="${LOG_LEVEL:-info}"
  fi
}

stop_suite() { # data-dir
  local data=$1 pidfile
  for pidfile in "$data"/run/*.pid; do
    [ -f "$pidfile" ] || continue
    case "$pidfile" in */redis.pid) continue ;; esac
    stop_pid "$(cat "$pidfile")" "$(basename "$pidfile" .pid)"
    rm -f "$pidfile"
  done
}

start_infrastructure() { # data-dir [extra-role...]
  local data=$1
  shift
  mkdir -p "$data"
  chmod 755 "$data"
  if [ "$(id -u)" -eq 0 ] && ! runuser -u postgres -- test -x "$data"; then
    die "the PostgreSQL account cannot reach $data (a parent folder is private); set MICROCHAT_DATA to a folder under /tmp"
  fi
  say "starting PostgreSQL (TLS) on 127.0.0.1:$PG_PORT"
  pg_start "$data" "$PG_PORT"
  pg_provision "$data" "$PG_PORT" "${SERVICES_WITH_SCHEMA[@]}" "$@"
  say "starting Redis on 127.0.0.1:$REDIS_PORT"
  redis_start "$data" "$REDIS_PORT"
}

# Copies a throwaway stack's service logs to where they outlive it.
keep_logs() { # data-dir destination
  rm -rf "$2"
  mkdir -p "$(dirname "$2")"
  cp -r "$1/logs" "$2" 2>/dev/null || true
}

# The throwaway stack `test`, `bench` and `lint --image` run against: a private
# data folder under /tmp, free ports (the chat replicas on consecutive ones),
# and at exit everything stopped, the service logs kept in LOGS (if given) and
# the folder removed — whatever the exit status, which is kept.
throwaway_stack() { # name [logs-destination]
  TEST_DATA=$(mktemp -d "/tmp/microchat-$1.XXXXXX")
  TEST_LOGS=${2:-}
  chmod 755 "$TEST_DATA"
  PG_PORT=$(free_port); REDIS_PORT=$(free_port); USER_PORT=$(free_port); UI_PORT=$(free_port); CHAT_PORT=$(free_port)
  while ! port_free $((CHAT_PORT + 1)); do CHAT_PORT=$(free_port); done
  trap end_throwaway_stack EXIT
}

end_throwaway_stack() {
  local status=$?
  stop_suite "$TEST_DATA"; redis_stop "$TEST_DATA"; pg_stop "$TEST_DATA"
  [ -z "$TEST_LOGS" ] || keep_logs "$TEST_DATA" "$TEST_LOGS"
  rm -rf "$TEST_DATA"
  exit $status
}
