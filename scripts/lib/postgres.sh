# shellcheck shell=bash
# Sourced by ./microchat. A private PostgreSQL server (TLS) with one role and schema per service.

pg_start() { # data-dir port
  local data=$1 port=$2 bindir
  bindir=$(pg_bindir) || die "PostgreSQL server binaries not found"
  local pgdata="$data/postgres/data" sock="$data/postgres/socket" log="$data/logs/postgres.log"
  mkdir -p "$data/postgres" "$sock" "$data/logs"
  make_certificates "$data/tls"
  if [ ! -f "$pgdata/PG_VERSION" ]; then
    say "creating a private PostgreSQL cluster in $pgdata"
    mkdir -p "$pgdata"
    pg_owner_chown "$data/postgres"
    chmod 700 "$pgdata"
    as_pg "$bindir/initdb" -D "$pgdata" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
      --encoding=UTF8 --locale=C >"$data/logs/initdb.log" 2>&1 || { cat "$data/logs/initdb.log" >&2; die "initdb failed"; }
    cp "$data/tls/server.crt" "$data/tls/server.key" "$data/tls/ca.crt" "$pgdata/"
    pg_owner_chown "$pgdata"
    chmod 600 "$pgdata/server.key"
    cat >>"$pgdata/postgresql.conf" <<EOF
# MicroChat local stack
listen_addresses = '127.0.0.1'
ssl = on
ssl_cert_file = 'server.crt'
ssl_key_file = 'server.key'
ssl_ca_file = 'ca.crt'
ssl_min_protocol_version = 'TLSv1.2'
max_connections = 200
fsync = on
EOF
    # TCP clients must use TLS and a password; the local socket (owner only) is for set-up.
    cat >"$pgdata/pg_hba.conf" <<'EOF'
local   all  all                  trust
hostssl all  all  127.0.0.1/32    scram-sha-256
hostssl all  all  ::1/128         scram-sha-256
EOF
    pg_owner_chown "$pgdata"
  fi
  touch "$log"
  pg_owner_chown "$log" "$sock"
  if ! as_pg "$bindir/pg_ctl" -D "$pgdata" status >/dev/null 2>&1; then
    as_pg "$bindir/pg_ctl" -D "$pgdata" -l "$log" -w -t 60 \
      -o "-p $port -k $sock ${PG_SERVER_OPTIONS:-}" start >/dev/null || { tail -n 30 "$log" >&2; die "PostgreSQL did not start"; }
  fi
}

# What PostgreSQL spent per statement (pg_stat_statements, when the server was
# started with it: the bench's PG_SERVER_OPTIONS): calls, planning and execution
# time, rows, the heaviest first. Prints a table.
pg_statement_profile() { # data-dir port database
  local data=$1 port=$2 database=$3
  psql_admin "$data" "$port" -d "$database" -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" >/dev/null 2>&1 || return 0
  psql_admin "$data" "$port" -d "$database" -P pager=off -c "
    SELECT calls, round((total_plan_time / NULLIF(calls, 0))::numeric, 3) AS plan_ms_per_call,
           round((total_exec_time / NULLIF(calls, 0))::numeric, 3) AS exec_ms_per_call,
           round((total_plan_time + total_exec_time)::numeric / 1000, 2) AS total_s, rows,
           left(regexp_replace(query, '\s+', ' ', 'g'), 110) AS statement
    FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
    ORDER BY total_plan_time + total_exec_time DESC LIMIT 12"
}

pg_stop() { # data-dir
  local data=$1 bindir
  bindir=$(pg_bindir) || return 0
  [ -f "$data/postgres/data/postmaster.pid" ] || return 0
  as_pg "$bindir/pg_ctl" -D "$data/postgres/data" -m fast -w stop >/dev/null 2>&1 || true
}

# A fast restart (what a failover or a rolling update of the database looks like to clients).
pg_restart() { # data-dir port
  local data=$1 port=$2 bindir
  bindir=$(pg_bindir) || die "PostgreSQL server binaries not found"
  as_pg "$bindir/pg_ctl" -D "$data/postgres/data" -l "$data/logs/postgres.log" -m fast -w -t 60 \
    -o "-p $port -k $data/postgres/socket" restart >/dev/null || die "PostgreSQL did not restart"
}

psql_admin() { # data-dir port sql...
  local data=$1 port=$2; shift 2
  as_pg psql -X -q -v ON_ERROR_STOP=1 -h "$data/postgres/socket" -p "$port" -U postgres "$@"
}

# One database, one role and one schema per service; each role owns its schema
# and can touch nothing else.
pg_provision() { # data-dir port role...
  local data=$1 port=$2; shift 2
  psql_admin "$data" "$port" -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'" | grep -q 1 \
    || psql_admin "$data" "$port" -d postgres -c "CREATE DATABASE $DB_NAME"
  psql_admin "$data" "$port" -d "$DB_NAME" -c "REVOKE ALL ON DATABASE $DB_NAME FROM PUBLIC; REVOKE ALL ON SCHEMA public FROM PUBLIC;"
  local role password
  for role in "$@"; do
    password=$(secret "$data/secrets/$role.password")
    psql_admin "$data" "$port" -d "$DB_NAME" -v role="$role" -v password="$password" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN', :'role') WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'role') \gexec
ALTER ROLE :"role" WITH LOGIN PASSWORD :'password';
SELECT format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO %I', current_database(), :'role') \gexec
CREATE SCHEMA IF NOT EXISTS :"role" AUTHORIZATION :"role";
ALTER ROLE :"role" SET search_path = :"role";
SQL
    (umask 077; printf 'postgresql://%s:%s@localhost:%s/%s?sslmode=verify-full&sslrootcert=%s\n' \
      "$role" "$password" "$port" "$DB_NAME" "$data/tls/ca.crt" >"$data/secrets/$role.database-url")
  done
}

# PostgreSQL's own ceiling on this machine, for scale: single-row inserts per
# second at 8 clients (pgbench) and the fsync latency (pg_test_fsync). Prints
# "RATE FSYNC_MS".
pg_ceiling() { # data-dir port
  local data=$1 port=$2 bindir script
  bindir=$(pg_bindir)
  psql_admin "$data" "$port" -d "$DB_NAME" -c \
    "SET client_min_messages = warning; DROP TABLE IF EXISTS bench_ceiling; CREATE TABLE bench_ceiling (id bigserial PRIMARY KEY, room uuid, body text, at timestamptz DEFAULT now())" >/dev/null
  script="$data/ceiling.sql"
  echo "INSERT INTO bench_ceiling (room, body) VALUES ('00000000-0000-0000-0000-000000000001', 'a message of ordinary length');" >"$script"
  chmod 644 "$script"
  local rate fsync
  rate=$(as_pg "$bindir/pgbench" -n -c 8 -j 2 -T 5 -f "$script" -h "$data/postgres/socket" -p "$port" -U postgres "$DB_NAME" 2>/dev/null |
    sed -n 's/^tps = \([0-9.]*\).*/\1/p' | head -n 1)
  fsync=$(cd "$data" && as_pg "$bindir/pg_test_fsync" -s 1 -f "$data/postgres/fsync.test" 2>/dev/null |
    sed -n 's/^ *fdatasync *[0-9.]* ops\/sec *\([0-9.]*\) usecs\/op.*/\1/p' | head -n 1)
  psql_admin "$data" "$port" -d "$DB_NAME" -c "DROP TABLE bench_ceiling" >/dev/null
  echo "${rate:-0} $(awk -v us="${fsync:-0}" 'BEGIN { printf "%.3f", us / 1000 }')"
}
