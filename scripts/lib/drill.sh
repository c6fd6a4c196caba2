# shellcheck shell=bash
# Sourced by ./microchat. `drill`: the restore drill — a point-in-time restore
# from barman-cloud backups, done here the way CloudNativePG does it in the
# cluster, with the messages that were acknowledged checked through the API.
#
# A throwaway stack whose PostgreSQL archives its WAL with
# barman-cloud-wal-archive to the local S3 server (moto) under the server name
# `microchat-db` (the Cluster's name, which CloudNativePG uses as serverName
# when none is given), takes a base backup with barman-cloud-backup while a
# sender posts messages through chat-service, picks a target time T, loses the
# server, restores into a new data directory with barman-cloud-restore and
# barman-cloud-wal-restore to T, starts the services on it and finds, through
# the API, every message acknowledged before T. The restored server archives
# to a new server name (microchat-db-r1): the old one is refused by the same
# check CloudNativePG runs ("Expected empty archive").
#
# Tools: Debian's barman-cli-cloud (barman-cloud 3.4 on bookworm) and
# python3-boto3, run with the system python3; the API side is Tests/drill/drill.py
# in the tools' virtualenv. First, Tests/deploy/test_restore_manifest.py checks the committed restore
# manifest (k8s-manifests/platform/postgres/restore) offline. Logs and figures:
# test-artifacts/drill/.

DRILL_BUCKET=microchat-drill
DRILL_SERVER=microchat-db
DRILL_NEW_SERVER=microchat-db-r1
# moto accepts any credentials; barman-cloud reads them from the environment.
DRILL_AWS_ENV=(AWS_ACCESS_KEY_ID=drill AWS_SECRET_ACCESS_KEY=drill AWS_DEFAULT_REGION=us-east-1)

ensure_drill_packages() {
  local missing=()
  command -v barman-cloud-backup >/dev/null || missing+=(barman-cli-cloud)
  /usr/bin/python3 -c 'import boto3' 2>/dev/null || missing+=(python3-boto3)
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" -eq 0 ] || die "missing Debian packages: ${missing[*]} — sudo apt-get install ${missing[*]}"
  say "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || die "apt-get could not install ${missing[*]}"
}

# barman-cloud as the PostgreSQL owner (it reads the data directory, and what
# it restores must belong to that account), with the S3 server's credentials.
drill_barman() { # tool args...
  local tool=$1; shift
  as_pg env "${DRILL_AWS_ENV[@]}" "/usr/bin/$tool" --cloud-provider aws-s3 --endpoint-url "$DRILL_S3_URL" "$@"
}

# pg_ctl with the credentials in the server's environment (archive_command and
# restore_command inherit them).
drill_pg_ctl() { # stack-dir port action [args...]
  local dir=$1 port=$2 action=$3; shift 3
  as_pg env "${DRILL_AWS_ENV[@]}" "$(pg_bindir)/pg_ctl" -D "$dir/postgres/data" -l "$dir/logs/postgres.log" \
    -o "-p $port -k $dir/postgres/socket" "$@" "$action" >/dev/null
}

drill_sql() { # stack-dir port sql
  psql_admin "$1" "$2" -d postgres -tAc "$3"
}

# Waits until the server has archived WAL segment SEGMENT (or a later one).
drill_wait_archived() { # stack-dir port segment seconds
  local dir=$1 port=$2 segment=$3 deadline=$((SECONDS + $4)) last
  while :; do
    last=$(drill_sql "$dir" "$port" "SELECT coalesce(last_archived_wal, '') FROM pg_stat_archiver")
    [[ -n "$last" && ! "$last" < "$segment" ]] && return 0
    [ $SECONDS -ge $deadline ] && { tail -n 20 "$dir/logs/postgres.log" >&2; die "WAL segment $segment was not archived (last: ${last:-none})"; }
    sleep 0.2
  done
}

drill_now() { date +%s.%N; }

drill_iso() { date -u -d "@$1" '+%Y-%m-%d %H:%M:%S.%6N+00'; }

# Waits until ACKS holds at least N acknowledgements given at/after SINCE (or SECONDS pass).
drill_wait_acks() { # n since seconds
  local n=$1 since=$2 deadline=$((SECONDS + $3))
  until [ "$("$PYTHON" "$DRILL_PY" count "$DRILL_ACKS" "$since")" -ge "$n" ]; do
    alive "$(cat "$TEST_DATA/run/drill-sender.pid")" || die "the message sender stopped (see $TEST_DATA/logs/drill-sender.log)"
    [ $SECONDS -ge $deadline ] && die "fewer than $n messages acknowledged within $3 s"
    sleep 0.2
  done
}

drill_end() {
  local status=$?
  set +e
  [ -n "${TEST_DATA:-}" ] || exit $status
  local rdata="$TEST_DATA/restored" art="$ROOT/test-artifacts/drill"
  [ -f "$TEST_DATA/sender.stop" ] || touch "$TEST_DATA/sender.stop" 2>/dev/null
  stop_suite "$rdata" 2>/dev/null; pg_stop "$rdata"
  stop_suite "$TEST_DATA"; redis_stop "$TEST_DATA"; pg_stop "$TEST_DATA"
  mkdir -p "$art"
  rm -rf "$art/logs" "$art/restored-logs"
  cp -r "$TEST_DATA/logs" "$art/logs" 2>/dev/null
  [ -d "$rdata/logs" ] && cp -r "$rdata/logs" "$art/restored-logs"
  cp "$TEST_DATA"/acks.jsonl "$TEST_DATA"/report.json "$art/" 2>/dev/null
  rm -rf "$TEST_DATA"
  [ $status -eq 0 ] || warn "the restore drill failed (logs in test-artifacts/drill/)"
  exit $status
}

# ./microchat drill [--no-build]: the restore drill, a few minutes. --no-build
# takes the services already built (.build/$BUILD) as they are.
# MICROCHAT_DRILL_TARGET_OFFSET=-2 recovers PostgreSQL to 2 s before the T the
# drill checks against: the drill must then fail (messages missing).
cmd_drill() {
  local build=1
  for arg in "$@"; do
    case "$arg" in --no-build) build=0 ;; *) die "drill takes only --no-build" ;; esac
  done
  local started=$SECONDS
  ensure_packages
  ensure_drill_packages
  ensure_python_packages
  ensure_deploy_tools
  say "checking the restore manifest (Tests/deploy/test_restore_manifest.py: the restore Component rendered, against the pinned CloudNativePG CRD)"
  PATH="$TOOLS/bin:$PATH" "$PYTHON" -m pytest -q -p no:cacheprovider "$ROOT/Tests/deploy/test_restore_manifest.py" || die "the restore manifest check failed"
  local bindir
  # BUILD is ./microchat's setting (debug or release), not a misspelt `build`.
  # shellcheck disable=SC2153
  if [ $build -eq 1 ]; then build; bindir=$(bin_dir); else bindir="$ROOT/.build/$BUILD"; fi
  { [ -x "$bindir/user-service" ] && [ -x "$bindir/chat-service" ]; } || die "no built services in $bindir (run without --no-build)"

  local art="$ROOT/test-artifacts/drill"
  rm -rf "$art"; mkdir -p "$art"
  # Read by throwaway_stack and start_suite (scripts/lib/services.sh).
  # shellcheck disable=SC2034
  CHAT_REPLICAS=1
  throwaway_stack drill
  trap drill_end EXIT
  local data=$TEST_DATA rdata="$TEST_DATA/restored"
  DRILL_PY="$ROOT/Tests/drill/drill.py"
  DRILL_ACKS="$data/acks.jsonl"
  local dest="s3://$DRILL_BUCKET/$DRILL_SERVER"   # as the Cluster's destinationPath: <bucket>/microchat-db

  # --- 1. A stack whose PostgreSQL archives to the local S3 server.
  local s3_port
  s3_port=$(free_port)
  say "starting the local S3 server (moto) on 127.0.0.1:$s3_port"
  s3_start "$data" "$s3_port"
  DRILL_S3_URL="http://127.0.0.1:$s3_port"
  "$PYTHON" "$DRILL_PY" bucket "$DRILL_S3_URL" "$DRILL_BUCKET" || die "could not make the bucket"
  start_infrastructure "$data"
  say "PostgreSQL archives its WAL with barman-cloud-wal-archive to $dest (server name $DRILL_SERVER)"
  local archive="/usr/bin/barman-cloud-wal-archive --cloud-provider aws-s3 --endpoint-url $DRILL_S3_URL --gzip"
  cat >>"$data/postgres/data/postgresql.conf" <<EOF
# restore drill: continuous archiving, as CloudNativePG configures it
wal_level = replica
archive_mode = on
archive_command = '$archive $dest $DRILL_SERVER %p'
archive_timeout = 60
EOF
  drill_pg_ctl "$data" "$PG_PORT" restart -m fast -w -t 60 || { tail -n 20 "$data/logs/postgres.log" >&2; die "PostgreSQL did not restart with archiving"; }
  local segment
  segment=$(drill_sql "$data" "$PG_PORT" "SELECT pg_walfile_name(pg_switch_wal())")
  drill_wait_archived "$data" "$PG_PORT" "$segment" 60

  # --- 2. The services, a room, messages being sent; a base backup meanwhile.
  LOG_LEVEL=warning start_suite "$data" "$bindir"
  "$PYTHON" "$DRILL_PY" setup "http://127.0.0.1:$USER_PORT" "http://127.0.0.1:$CHAT_PORT" "$data/state.json" ||
    die "could not register the drill's users and room"
  say "sending messages through chat-service (4 senders, each 201 recorded with its time)"
  : >"$DRILL_ACKS"
  nohup "$PYTHON" "$DRILL_PY" send "http://127.0.0.1:$CHAT_PORT" "$data/state.json" "$DRILL_ACKS" "$data/sender.stop" \
    >>"$data/logs/drill-sender.log" 2>&1 </dev/null &
  echo $! >"$data/run/drill-sender.pid"
  drill_wait_acks 100 0 60

  say "taking a base backup with barman-cloud-backup while messages are sent"
  local backup_start backup_end
  backup_start=$(drill_now)
  drill_barman barman-cloud-backup --gzip --immediate-checkpoint -h "$data/postgres/socket" -p "$PG_PORT" -U postgres \
    -n drill-base "$dest" "$DRILL_SERVER" >"$data/logs/barman-cloud-backup.log" 2>&1 ||
    { cat "$data/logs/barman-cloud-backup.log" >&2; die "barman-cloud-backup failed"; }
  backup_end=$(drill_now)
  drill_wait_acks 100 "$backup_end" 60
  sleep 2
  local target target_iso
  target=$(drill_now)
  target_iso=$(drill_iso "$target")
  say "recovery target T = $target_iso"
  drill_wait_acks 100 "$target" 60
  sleep 1
  segment=$(drill_sql "$data" "$PG_PORT" "SELECT pg_walfile_name(pg_switch_wal())")
  drill_wait_archived "$data" "$PG_PORT" "$segment" 60
  say "WAL up to $segment archived (covers T); stopping the senders"
  touch "$data/sender.stop"
  local sender
  sender=$(cat "$data/run/drill-sender.pid")
  local deadline=$((SECONDS + 40))
  while alive "$sender"; do [ $SECONDS -lt $deadline ] || die "the senders did not stop"; sleep 0.2; done
  rm -f "$data/run/drill-sender.pid"
  local failed
  failed=$(drill_sql "$data" "$PG_PORT" "SELECT failed_count FROM pg_stat_archiver")
  [ "$failed" = 0 ] || warn "the archiver reported $failed failed attempts (retried; see logs/postgres.log)"

  # The primary is lost: services and PostgreSQL stop; only the bucket remains.
  local name
  for name in user-service chat-service-1 ui-service; do
    [ -f "$data/run/$name.pid" ] && stop_pid "$(cat "$data/run/$name.pid")" "$name" && rm -f "$data/run/$name.pid"
  done
  pg_stop "$data"
  say "the original server is stopped; restoring from the bucket alone"

  # --- 3. The archive check CloudNativePG runs before a new cluster archives.
  if drill_barman barman-cloud-check-wal-archive "$dest" "$DRILL_SERVER" >"$data/logs/check-old-server.log" 2>&1; then
    die "barman-cloud-check-wal-archive accepted the old server name $DRILL_SERVER"
  fi
  grep -q "Expected empty archive" "$data/logs/check-old-server.log" ||
    { cat "$data/logs/check-old-server.log" >&2; die "the old server name was refused for another reason"; }
  say "archiving to the old server name is refused: $(grep -o 'Expected empty archive' "$data/logs/check-old-server.log" | head -n 1)"
  drill_barman barman-cloud-check-wal-archive "$dest" "$DRILL_NEW_SERVER" >"$data/logs/check-new-server.log" 2>&1 ||
    { cat "$data/logs/check-new-server.log" >&2; die "the new server name $DRILL_NEW_SERVER is refused"; }
  say "the new server name $DRILL_NEW_SERVER passes the same check"

  # --- 4. The restore: a new data directory, WAL replayed from the bucket to T.
  local r_port
  r_port=$(free_port)
  mkdir -p "$rdata/postgres/socket" "$rdata/logs" "$rdata/secrets"
  cp -r "$data/tls" "$rdata/tls"
  touch "$rdata/logs/postgres.log"
  pg_owner_chown "$rdata/postgres" "$rdata/logs/postgres.log"
  say "restoring backup drill-base into a new data directory, recovering to T, on port $r_port"
  local restore_start restore_end
  restore_start=$(drill_now)
  drill_barman barman-cloud-restore "$dest" "$DRILL_SERVER" drill-base "$rdata/postgres/data" \
    >"$rdata/logs/barman-cloud-restore.log" 2>&1 ||
    { cat "$rdata/logs/barman-cloud-restore.log" >&2; die "barman-cloud-restore failed"; }
  as_pg chmod 700 "$rdata/postgres/data"
  as_pg tee -a "$rdata/postgres/data/postgresql.conf" >/dev/null <<EOF
# restore drill: point-in-time recovery from the bucket, then archiving under a new server name
restore_command = '/usr/bin/barman-cloud-wal-restore --cloud-provider aws-s3 --endpoint-url $DRILL_S3_URL $dest $DRILL_SERVER %f %p'
recovery_target_time = '$(drill_iso "$(awk -v t="$target" -v o="${MICROCHAT_DRILL_TARGET_OFFSET:-0}" 'BEGIN { printf "%.6f", t + o }')")'
recovery_target_action = 'promote'
archive_command = '$archive $dest $DRILL_NEW_SERVER %p'
EOF
  as_pg touch "$rdata/postgres/data/recovery.signal"
  drill_pg_ctl "$rdata" "$r_port" start -w -t 300 || { tail -n 30 "$rdata/logs/postgres.log" >&2; die "the restored PostgreSQL did not start"; }
  deadline=$((SECONDS + 300))
  until [ "$(drill_sql "$rdata" "$r_port" "SELECT pg_is_in_recovery()" 2>/dev/null)" = f ]; do
    [ $SECONDS -lt $deadline ] || { tail -n 30 "$rdata/logs/postgres.log" >&2; die "the restored server was not promoted"; }
    sleep 0.1
  done
  restore_end=$(drill_now)
  local recovery_seconds stop_line
  recovery_seconds=$(awk -v a="$restore_start" -v b="$restore_end" 'BEGIN { printf "%.1f", b - a }')
  stop_line=$(grep -m 1 "recovery stopping before" "$rdata/logs/postgres.log" | sed 's/^.*LOG: *//') ||
    { tail -n 30 "$rdata/logs/postgres.log" >&2; die "recovery did not stop at the target time"; }
  say "restored and promoted in ${recovery_seconds}s ($stop_line)"

  # --- 5. The restored server archives, and backs up, under the new server name.
  segment=$(drill_sql "$rdata" "$r_port" "SELECT pg_walfile_name(pg_switch_wal())")
  drill_wait_archived "$rdata" "$r_port" "$segment" 60
  drill_barman barman-cloud-backup --gzip --immediate-checkpoint -h "$rdata/postgres/socket" -p "$r_port" -U postgres \
    -n drill-r1-base "$dest" "$DRILL_NEW_SERVER" >"$rdata/logs/barman-cloud-backup-r1.log" 2>&1 ||
    { cat "$rdata/logs/barman-cloud-backup-r1.log" >&2; die "barman-cloud-backup to $DRILL_NEW_SERVER failed"; }
  { drill_barman barman-cloud-backup-list "$dest" "$DRILL_NEW_SERVER" >"$rdata/logs/backup-list-r1.log" 2>&1 &&
    grep -q drill-r1-base "$rdata/logs/backup-list-r1.log"; } || die "the backup under $DRILL_NEW_SERVER is not listed"
  local r1_wal
  r1_wal=$("$PYTHON" "$DRILL_PY" size "$DRILL_S3_URL" "$DRILL_BUCKET" "$DRILL_SERVER/$DRILL_NEW_SERVER/wals/")
  say "the restored server archived ${r1_wal#* } WAL files and a base backup under $DRILL_NEW_SERVER"

  # --- 6. The services on the restored database; every acknowledged message before T through the API.
  local role
  for role in "${SERVICES_WITH_SCHEMA[@]}"; do
    sed "s/@localhost:$PG_PORT\//@localhost:$r_port\//" "$data/secrets/$role.database-url" >"$rdata/secrets/$role.database-url"
  done
  cp "$data/secrets/redis.url" "$rdata/secrets/redis.url"
  chmod 600 "$rdata/secrets"/*
  # All three are read by start_suite (scripts/lib/services.sh).
  # shellcheck disable=SC2034
  USER_PORT=$(free_port) CHAT_PORT=$(free_port) UI_PORT=$(free_port)
  LOG_LEVEL=warning start_suite "$rdata" "$bindir"
  local verified=0
  "$PYTHON" "$DRILL_PY" verify "http://127.0.0.1:$USER_PORT" "http://127.0.0.1:$CHAT_PORT" "$data/state.json" \
    "$DRILL_ACKS" "$target" "$backup_end" "$data/report.json" || verified=1

  # --- 7. The figures.
  local base_size wal_old
  base_size=$("$PYTHON" "$DRILL_PY" size "$DRILL_S3_URL" "$DRILL_BUCKET" "$DRILL_SERVER/$DRILL_SERVER/base/")
  wal_old=$("$PYTHON" "$DRILL_PY" size "$DRILL_S3_URL" "$DRILL_BUCKET" "$DRILL_SERVER/$DRILL_SERVER/wals/")
  "$PYTHON" - "$data/report.json" "$recovery_seconds" "${base_size% *}" "$wal_old" "$target_iso" \
    "$(awk -v a="$backup_start" -v b="$backup_end" 'BEGIN { printf "%.1f", b - a }')" "$((SECONDS - started))" \
    "$DRILL_NEW_SERVER" "${r1_wal#* }" <<'PY' | tee "$art/summary.txt"
import json, sys
r = json.load(open(sys.argv[1]))
recovery, base, (wal_bytes, wal_files), target, backup_s, total, new, r1_wals = sys.argv[2], int(sys.argv[3]), sys.argv[4].split(), *sys.argv[5:]
print("restore drill summary")
print(f"  recovery target T                          {target}")
print(f"  messages acknowledged before T             {r['acknowledged_before_target']}"
      f"  ({r['acknowledged_before_target_sent_after_backup']} of them sent after the base backup: WAL replay)")
print(f"  found after restore                        {r['found_after_restore']}")
print(f"  missing                                    {r['missing']}")
print(f"  acknowledged after T                       {r['acknowledged_after_target']}"
      f"  (absent {r['after_target_absent']}, present {r['after_target_present']}: committed before T, acknowledged after)")
print(f"  restored messages created after T          {r['restored_created_after_target']}")
print(f"  recovery time (restore start -> promoted)  {recovery} s")
print(f"  base backup size (gzip, in the bucket)     {base / 1048576:.1f} MiB, taken in {backup_s} s")
print(f"  WAL archived by the original server        {wal_files} files, {int(wal_bytes) / 1048576:.1f} MiB")
print(f"  restored server archives to a new name     {new}: {r1_wals} WAL files and a base backup")
print(f"  drill wall time                            {total} s")
PY
  [ "$verified" -eq 0 ] || die "messages acknowledged before T are missing, or the target was not honoured (see above)"
  say "restore drill passed"
}
