# shellcheck shell=bash
# Sourced by ./microchat. Output, waiting, ports and secrets: what every other part uses.

say() { printf '\033[1m==>\033[0m %s\n' "$*"; }

warn() { printf '\033[33mwarning:\033[0m %s\n' "$*" >&2; }

die() { printf '\033[31merror:\033[0m %s\n' "$*" >&2; exit 1; }

# Runs a command as the PostgreSQL owner: the `postgres` account when we are root
# (PostgreSQL refuses to run as root), ourselves otherwise.
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_owner_chown() {
  if [ "$(id -u)" -eq 0 ]; then chown -R postgres:postgres "$@"; fi
}

# Waits until something listens on 127.0.0.1:PORT (false after SECONDS).
wait_port() { # port seconds
  local deadline=$((SECONDS + $2))
  until ! port_free "$1"; do
    [ $SECONDS -ge $deadline ] && return 1
    sleep 0.1
  done
}

# Free = nobody listens there. SO_REUSEADDR as the services set it, so that
# connections still in TIME_WAIT after a restart do not count as "in use".
port_free() {
  python3 - "$1" <<'PY'
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(1)
finally:
    s.close()
PY
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

wait_http() { # url seconds name logfile
  local url=$1 seconds=$2 name=$3 log=${4:-}
  local deadline=$((SECONDS + seconds))
  until curl -fsS -o /dev/null "$url" 2>/dev/null; do
    if [ $SECONDS -ge $deadline ]; then
      [ -n "$log" ] && [ -f "$log" ] && tail -n 30 "$log" >&2
      die "$name did not become ready at $url within ${seconds}s"
    fi
    sleep 0.2
  done
}

secret() { # file — a stable random secret, made once
  local file=$1
  if [ ! -s "$file" ]; then
    mkdir -p "$(dirname "$file")"
    (umask 077; openssl rand -hex 24 >"$file")
  fi
  cat "$file"
}

# A process counts as alive unless it is gone or a zombie (in containers PID 1 may never reap).
alive() {
  local state
  state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
  [ -n "$state" ] && [ "$state" != Z ]
}

stop_pid() { # pid name
  local pid=$1 name=$2
  alive "$pid" || return 0
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + 15))
  while alive "$pid"; do
    if [ $SECONDS -ge $deadline ]; then warn "$name did not stop on SIGTERM; killing"; kill -KILL "$pid" 2>/dev/null || true; break; fi
    sleep 0.1
  done
}
