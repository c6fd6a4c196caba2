# shellcheck shell=bash
# Sourced by ./microchat. The peer `bench --peer ejabberd` measures MicroChat
# against: Debian's ejabberd (23.01) as throwaway instances with their own
# configuration, spool, ports and PostgreSQL cluster — never the system service.

EJABBERD_PASSWORD=bench-password-1
EJABBERD_SENDERS=8
EJABBERD_LISTENERS=20

# Installs ejabberd and its PostgreSQL driver when missing. Debian's package
# registers a system service; where the package's install started it, it is
# stopped and disabled: the bench runs its own instances, on other ports.
ensure_ejabberd() {
  # ejabberdctl runs the node as the package's `ejabberd` user, switching to it from root.
  [ "$(id -u)" -eq 0 ] || die "bench --peer ejabberd needs root: ejabberd runs as its own user (ejabberdctl switches to it)"
  if ! command -v ejabberdctl >/dev/null || ! compgen -G "/usr/lib/*/ejabberd-*/ebin/ejabberd.beam" >/dev/null \
    || ! compgen -G "/usr/lib/erlang/lib/p1_pgsql-*" >/dev/null; then
    install_debian_packages "ejabberd erlang-p1-pgsql"
  fi
  command -v ejabberdctl >/dev/null || die "ejabberdctl is still missing after installing ejabberd"
  if [ -d /run/systemd/system ] && systemctl is-enabled --quiet ejabberd 2>/dev/null; then
    systemctl disable --now ejabberd >/dev/null 2>&1 || warn "could not disable Debian's ejabberd service"
  fi
  if pgrep -u ejabberd -f 'ejabberd@localhost' >/dev/null 2>&1; then
    say "stopping Debian's own ejabberd service (the bench runs private instances)"
    service ejabberd stop >/dev/null 2>&1 || ejabberdctl stop >/dev/null 2>&1 || warn "Debian's ejabberd still runs"
  fi
}

# ejabberdctl against one private instance (its own node name, config and spool).
ejabberd_ctl() { # instance-dir args...
  local dir=$1; shift
  ejabberdctl --config-dir "$dir" --ctl-config "$dir/ejabberdctl.cfg" --spool "$dir/spool" --logs "$dir/logs" "$@"
}

# A PostgreSQL cluster of ejabberd's own (TLS, SCRAM, default durability:
# synchronous_commit and fsync on, as MicroChat's), one database per instance
# with ejabberd's schema (pg.sql, the schema Debian ships) loaded.
ejabberd_pg() { # data-dir port database...
  local data=$1 port=$2; shift 2
  pg_start "$data" "$port"
  local password database
  password=$(secret "$data/secrets/ejabberd.password")
  psql_admin "$data" "$port" -d postgres -v password="$password" <<'SQL'
SELECT 'CREATE ROLE ejabberd LOGIN' WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ejabberd') \gexec
ALTER ROLE ejabberd WITH LOGIN PASSWORD :'password';
SQL
  for database in "$@"; do
    psql_admin "$data" "$port" -d postgres -c "CREATE DATABASE $database OWNER ejabberd" >/dev/null
    psql_admin "$data" "$port" -d "$database" -c "SET ROLE ejabberd" -f /usr/share/ejabberd/sql/pg.sql >/dev/null
  done
}

# Writes an instance's configuration: Debian's sample configuration
# (/etc/ejabberd/ejabberd.yml) cut down to what a chat room needs. Every value
# that differs from ejabberd's own default says why; with `archive`, mod_mam
# is on with SQL storage, as the sample's commented-out block suggests.
ejabberd_config() { # instance-dir c2s-port dist-port pg-port database archive|plain
  local dir=$1 c2s=$2 dist=$3 pg_port=$4 database=$5 variant=$6 password
  password=$(cat "$(dirname "$dir")/secrets/ejabberd.password")
  mkdir -p "$dir/spool" "$dir/logs"
  cat >"$dir/ejabberdctl.cfg" <<EOF
# A node of its own: its own name, and a fixed distribution port instead of
# the machine's epmd, so that it never meets Debian's service or another bench.
ERLANG_NODE=microchat-bench-$variant@localhost
ERL_DIST_PORT=$dist
# Where the node writes its process id (the bench samples its CPU).
EJABBERD_PID_PATH=$dir/ejabberd.pid
# As Debian's ejabberdctl.cfg: no crash dump.
ERL_OPTIONS="-env ERL_CRASH_DUMP_BYTES 0"
EOF
  cat >"$dir/ejabberd.yml" <<EOF
# ejabberd for ./microchat bench --peer ejabberd ($variant). Defaults are
# ejabberd 23.01's own unless a comment says otherwise.
hosts:
  - localhost
# Not default (info): the load would log every connection; warnings are kept.
loglevel: warning
log_rotate_count: 0

# Not default (mnesia): accounts, rooms and the archive in PostgreSQL, the
# storage a production ejabberd runs on and the one MicroChat writes to.
default_db: sql
sql_type: pgsql
sql_server: "127.0.0.1"
sql_port: $pg_port
sql_database: "$database"
sql_username: "ejabberd"
sql_password: "$password"
# Not default: TLS to PostgreSQL, as MicroChat's services connect.
sql_ssl: true
# sql_pool_size stays at its default (10 connections).

listen:
  -
    port: $c2s
    # Not default (all addresses): this machine only.
    ip: "127.0.0.1"
    module: ejabberd_c2s
    max_stanza_size: 262144
    # shaper stays "none" (the listener's default). Debian's sample sets
    # c2s_shaper (3,000 bytes/s per client), which would hold every sender to
    # about 15 messages/s: a benchmark must not be throttled, and MicroChat's
    # own rate limits are lifted in the bench likewise.
    # No STARTTLS (the default without certificates): client and server share
    # the loopback, and MicroChat's load is plain HTTP/WebSocket on it too.

# SASL PLAIN over the loopback (no certificates, so no TLS to offer).
auth_method: sql
# Not default (plain): as Debian's sample, passwords are stored as SCRAM
# hashes, not in clear.
auth_password_format: scram

acl:
  local:
    user_regexp: ""
access_rules:
  local:
    allow: local
  c2s:
    allow: all
  muc_create:
    allow: local
modules:
  mod_disco: {}
  mod_ping: {}
  mod_roster: {}
  # Stream management is offered (Debian's sample loads it); the load
  # generator does not enable it, like MicroChat's WebSocket clients have no
  # per-frame acknowledgement either.
  mod_stream_mgmt: {}
  mod_muc:
    access:
      - allow
    access_create: muc_create
    access_persistent: muc_create
    access_mam:
      - allow
    # min_message_interval and min_presence_interval stay 0 (no limit);
    # max_users stays 200 (the room holds 28).
    default_room_options:
      # As Debian's sample: rooms archive when mod_mam is loaded.
      mam: true
      # Not default (false): rooms outlive their occupants, as MicroChat's
      # do. ejabberd deletes a temporary room's archive when its last
      # occupant leaves, which would leave nothing to check after the run.
      persistent: true
EOF
  if [ "$variant" = archive ]; then
    cat >>"$dir/ejabberd.yml" <<'EOF'
  # The archive (XEP-0313), in PostgreSQL (default_db above): Debian's sample
  # ships this block commented out; here it is on. Every groupchat message is
  # inserted into the archive table before the room sends it on.
  mod_mam:
    assume_mam_usage: true
    default: always
EOF
  else
    cat >>"$dir/ejabberd.yml" <<'EOF'
  # No mod_mam: Debian's sample as shipped; the room keeps its last 20
  # messages in memory (history_size, default) and archives nothing.
EOF
  fi
  # Erlang's resolver settings, as Debian's service uses them.
  cp /etc/ejabberd/inetrc "$dir/inetrc"
  chown -R ejabberd:ejabberd "$dir"
  chmod 700 "$dir"
}

# Starts one instance and waits until it answers; registers the load's accounts
# (senders s0.., listeners l0..) with ejabberdctl, four at a time.
ejabberd_start() { # instance-dir
  local dir=$1
  ejabberd_ctl "$dir" start >"$dir/logs/start.log" 2>&1 || { cat "$dir/logs/start.log" >&2; die "ejabberd did not start"; }
  if ! ejabberd_ctl "$dir" started >/dev/null 2>&1; then
    tail -n 40 "$dir/logs/ejabberd.log" >&2 2>/dev/null
    die "ejabberd ($dir) did not become ready"
  fi
  local i names=()
  for ((i = 0; i < EJABBERD_SENDERS; i++)); do names+=("s$i"); done
  for ((i = 0; i < EJABBERD_LISTENERS; i++)); do names+=("l$i"); done
  printf '%s\n' "${names[@]}" | xargs -P 4 -I NAME \
    ejabberdctl --config-dir "$dir" --ctl-config "$dir/ejabberdctl.cfg" --spool "$dir/spool" --logs "$dir/logs" \
    register NAME localhost "$EJABBERD_PASSWORD" >"$dir/logs/register.log" 2>&1 ||
    { cat "$dir/logs/register.log" >&2; die "registering the load's ejabberd accounts failed"; }
}

ejabberd_stop() { # instance-dir
  local dir=$1 pid
  [ -f "$dir/ejabberd.pid" ] || return 0
  pid=$(cat "$dir/ejabberd.pid")
  ejabberd_ctl "$dir" stop >/dev/null 2>&1 || true
  local deadline=$((SECONDS + 20))
  while alive "$pid" && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
  stop_pid "$pid" "ejabberd"
  rm -f "$dir/ejabberd.pid"
}
