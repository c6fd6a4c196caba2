# shellcheck shell=bash
# Sourced by ./microchat. The local Prometheus that `up --monitoring` and `lint --monitoring`
# start: the cluster's rules, the cluster's target labels, the running suite's processes.

# Starts Prometheus for the suite in DATA (the ports in USER_PORT, CHAT_PORT ×
# CHAT_REPLICAS, UI_PORT) on 127.0.0.1:PORT, scraping and evaluating every
# INTERVAL, and waits until it is ready. Its configuration and rule file
# (scripts/prometheus-config.py) go to DATA/prometheus, its storage to
# DATA/prometheus/data, its log to DATA/logs/prometheus.log; its pid file sits
# with the services' (DATA/run), so stop_suite (`down`, a throwaway stack's
# end) stops it with them. Needs ensure_python_packages, ensure_kubectl and
# ensure_prometheus first.
prometheus_start() { # data-dir port interval
  local data=$1 port=$2 interval=$3
  local pidfile="$data/run/prometheus.pid" log="$data/logs/prometheus.log" config="$data/prometheus"
  mkdir -p "$data/run" "$data/logs"
  if [ -f "$pidfile" ] && alive "$(cat "$pidfile")"; then
    say "prometheus is already running (pid $(cat "$pidfile"))"
    return 0
  fi
  port_free "$port" || die "port $port for Prometheus is in use (set MICROCHAT_PROMETHEUS_PORT to move it)"
  local chats=() i
  for ((i = 0; i < CHAT_REPLICAS; i++)); do chats+=("$((CHAT_PORT + i))"); done
  PATH="$TOOLS/bin:$PATH" "$PYTHON" "$ROOT/scripts/prometheus-config.py" "$config" --interval "$interval" \
    "user-service=$USER_PORT" "chat-service=$(IFS=,; echo "${chats[*]}")" "ui-service=$UI_PORT" ||
    die "could not write the Prometheus configuration"
  promtool check config "$config/prometheus.yml" >"$data/logs/promtool-check.log" 2>&1 ||
    { cat "$data/logs/promtool-check.log" >&2; die "promtool rejects the local Prometheus configuration"; }
  nohup prometheus --config.file="$config/prometheus.yml" --storage.tsdb.path="$config/data" \
    --web.listen-address="127.0.0.1:$port" --storage.tsdb.retention.time=15d >>"$log" 2>&1 </dev/null &
  echo $! >"$pidfile"
  wait_http "http://127.0.0.1:$port/-/ready" 60 prometheus "$log"
  say "prometheus ready on http://127.0.0.1:$port (scrapes and evaluates every $interval)"
}
