# shellcheck shell=bash
# Sourced by ./microchat. `up`, `down`, `status`, `logs`: the suite on this machine.

cmd_up() {
  local monitoring=0
  # BUILD (--release) is read by build, in scripts/lib/services.sh.
  # shellcheck disable=SC2034
  while [ $# -gt 0 ]; do
    case "$1" in
      --monitoring) monitoring=1; shift ;;
      --chat-replicas) CHAT_REPLICAS=${2:?}; shift 2 ;;
      --chat-replicas=*) CHAT_REPLICAS=${1#*=}; shift ;;
      --data) DATA=${2:?}; shift 2 ;;
      --release) BUILD=release; shift ;;
      *) die "unknown option for up: $1" ;;
    esac
  done
  [[ "$CHAT_REPLICAS" =~ ^[1-9][0-9]*$ ]] || die "--chat-replicas must be a positive number"
  ensure_packages
  if [ $monitoring -eq 1 ]; then ensure_python_packages; ensure_kubectl; ensure_prometheus; fi
  build
  local bindir
  bindir=$(bin_dir)
  start_infrastructure "$DATA"
  printf 'CHAT_REPLICAS=%s\nPG_PORT=%s\nREDIS_PORT=%s\nUI_PORT=%s\nUSER_PORT=%s\nCHAT_PORT=%s\nPROMETHEUS_PORT=%s\n' \
    "$CHAT_REPLICAS" "$PG_PORT" "$REDIS_PORT" "$UI_PORT" "$USER_PORT" "$CHAT_PORT" "$PROMETHEUS_PORT" >"$DATA/run/settings"
  start_suite "$DATA" "$bindir"
  # The cluster's rules over the local processes, labelled as the cluster labels its pods.
  [ $monitoring -eq 0 ] || prometheus_start "$DATA" "$PROMETHEUS_PORT" 5s
  echo
  if [ -x "$bindir/ui-service" ]; then
    say "MicroChat is running: open http://localhost:$UI_PORT"
  else
    say "MicroChat is running: user-service at http://localhost:$USER_PORT (the web front is not built yet)"
  fi
  [ $monitoring -eq 0 ] || say "Prometheus (the cluster's alert and recording rules): http://localhost:$PROMETHEUS_PORT"
  say "stop it with ./microchat down; logs with ./microchat logs"
}

cmd_down() {
  [ -d "$DATA" ] || { say "nothing is running"; return 0; }
  stop_suite "$DATA"
  redis_stop "$DATA"
  pg_stop "$DATA"
  say "stopped"
}

cmd_status() {
  # Written by `up` (ports and replicas of the running suite); not there to follow when linting.
  # shellcheck source=/dev/null
  [ -f "$DATA/run/settings" ] && source "$DATA/run/settings"
  local pidfile name pid state
  printf '%-16s %-8s %s\n' COMPONENT PID STATE
  if [ -f "$DATA/postgres/data/postmaster.pid" ] && alive "$(head -n 1 "$DATA/postgres/data/postmaster.pid")"; then
    printf '%-16s %-8s %s\n' postgres "$(head -n 1 "$DATA/postgres/data/postmaster.pid")" "running on 127.0.0.1:$PG_PORT (TLS)"
  else
    printf '%-16s %-8s %s\n' postgres - stopped
  fi
  for pidfile in "$DATA"/run/*.pid; do
    [ -f "$pidfile" ] || continue
    name=$(basename "$pidfile" .pid)
    pid=$(cat "$pidfile")
    if ! alive "$pid"; then state=stopped
    elif [ "$name" = redis ]; then state="running on 127.0.0.1:$REDIS_PORT"
    elif [ "$name" = prometheus ]; then
      if curl -fsS -o /dev/null "http://127.0.0.1:$PROMETHEUS_PORT/-/ready" 2>/dev/null; then state="ready on http://127.0.0.1:$PROMETHEUS_PORT"
      else state="running on port $PROMETHEUS_PORT, NOT ready"; fi
    else
      local port
      port=$(tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | sed -n 's/^PORT=//p')
      if curl -fsS -o /dev/null "http://127.0.0.1:$port/readyz" 2>/dev/null; then state="ready on http://127.0.0.1:$port"
      else state="running on port $port, NOT ready"; fi
    fi
    printf '%-16s %-8s %s\n' "$name" "$pid" "$state"
  done
}

cmd_logs() {
  local follow=() names=()
  for arg in "$@"; do
    case "$arg" in -f|--follow) follow=(-F) ;; *) names+=("$arg") ;; esac
  done
  [ -d "$DATA/logs" ] || die "no logs yet in $DATA/logs"
  if [ ${#names[@]} -eq 0 ]; then
    tail -n 50 "${follow[@]}" "$DATA"/logs/*.log
  else
    local files=() name
    for name in "${names[@]}"; do
      compgen -G "$DATA/logs/$name*.log" >/dev/null || die "no log for $name (have: $(cd "$DATA/logs" && echo *))"
      files+=("$DATA"/logs/"$name"*.log)
    done
    tail -n 100 "${follow[@]}" "${files[@]}"
  fi
}
