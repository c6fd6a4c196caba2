# shellcheck shell=bash
# Sourced by ./microchat. `bench`: the load scenarios against a throwaway stack.

# ./microchat bench [--fault redis|postgres|replica] [chat-load options]: with
# --fault, scenario (g) alone: the load of (f) through ui-service while the
# fault is injected a third of the way in (Redis down 10 s; a fast PostgreSQL
# restart; chat-service-2 killed with SIGKILL), reporting send errors, losses,
# duplicates and the delivery latency of the messages sent during the fault.
cmd_bench() {
  local fault="" args=()
  while [ $# -gt 0 ]; do
    case "$1" in
      --page) shift; bench_page "$@"; return ;;
      --peer) [ "${2:-}" = ejabberd ] || die "--peer takes ejabberd"; shift 2; bench_peer "$@"; return ;;
      --peer=ejabberd) shift; bench_peer "$@"; return ;;
      --fault) fault=${2:?--fault needs redis, postgres or replica}; shift 2 ;;
      --fault=*) fault=${1#*=}; shift ;;
      *) args+=("$1"); shift ;;
    esac
  done
  case "$fault" in ""|redis|postgres|replica) ;; *) die "--fault is redis, postgres or replica" ;; esac
  set -- "${args[@]}"
  ensure_packages
  CHAT_REPLICAS=${MICROCHAT_CHAT_REPLICAS:-2}
  build
  local bindir
  bindir=$(bin_dir)
  [ -x "$bindir/chat-load" ] || die "the load generator chat-load was not built"
  throwaway_stack bench "$ROOT/test-artifacts/bench-logs"
  local data=$TEST_DATA
  # Scenario (e) opens 20,000 WebSockets: the services inherit this limit.
  ulimit -n 65536 2>/dev/null || ulimit -n 32768 2>/dev/null || warn "cannot raise the open-file limit (ulimit -n $(ulimit -n)); pass --idle N below it"
  start_infrastructure "$data"
  say "measuring PostgreSQL alone (pgbench single-row inserts, pg_test_fsync)"
  local ceiling
  ceiling=$(pg_ceiling "$data" "$PG_PORT")
  # The load generator is one client that opens thousands of sockets as one
  # person (scenario e), registers hundreds of accounts from one address and
  # makes 100 rooms as one person (scenario d).
  export WS_MAX_CONNECTIONS_PER_USER=1000000 REGISTRATIONS_PER_ADDRESS=1000000 ROOM_CREATIONS_PER_HOUR=1000000
  LOG_LEVEL=warning start_suite "$data" "$bindir"
  local urls="" pids=() i
  for ((i = 0; i < CHAT_REPLICAS; i++)); do
    urls+="http://127.0.0.1:$((CHAT_PORT + i)),"
    pids+=(--pid "chat-service-$((i + 1))=$(cat "$data/run/chat-service-$((i + 1)).pid")")
  done
  pids+=(--pid "user-service=$(cat "$data/run/user-service.pid")" --pid "ui-service=$(cat "$data/run/ui-service.pid")")
  pids+=(--pid "redis=$(cat "$data/run/redis.pid")" --pid-tree "postgres=$(head -n 1 "$data/postgres/data/postmaster.pid")")
  if [ -n "$fault" ]; then
    # The fault runs as its own ./microchat process, pointed at this stack.
    local inject="MICROCHAT_DATA='$data' MICROCHAT_PG_PORT=$PG_PORT MICROCHAT_REDIS_PORT=$REDIS_PORT '$ROOT/microchat' fault $fault"
    [ "$fault" = replica ] && inject+=" $(cat "$data/run/chat-service-2.pid")"
    # 30 s of load by default (Redis stays down 10 s of it); a --seconds given wins.
    set -- --scenarios g --fault "$fault" --fault-command "$inject" --seconds 30 "$@"
  fi
  say "benchmarking the $BUILD build with chat-load (MICROCHAT_BUILD=release for release figures)"
  "$bindir/chat-load" --user-url "http://127.0.0.1:$USER_PORT" --chat-urls "${urls%,}" --ui-url "http://127.0.0.1:$UI_PORT" \
    "${pids[@]}" --build "$BUILD" --pg-insert-rate "${ceiling% *}" --fsync-ms "${ceiling#* }" --out "$ROOT/test-artifacts/bench" "$@"
}

# ./microchat bench --page [--messages N] [--incoming N]: the page's own figures
# (scripts/bench-page.py) in headless Chromium against a throwaway stack with one
# chat-service: the longest main-thread task per incoming message with 1,000
# messages loaded, and the delay from the socket frame to the message on screen.
bench_page() {
  ensure_packages test
  ensure_python_packages
  CHAT_REPLICAS=1
  build
  throwaway_stack bench "$ROOT/test-artifacts/bench-logs"
  start_infrastructure "$TEST_DATA"
  LOG_LEVEL=warning start_suite "$TEST_DATA" "$(bin_dir)"
  say "measuring the page ($BUILD build of ui-service; the page itself has no build step)"
  "$PYTHON" "$ROOT/scripts/bench-page.py" --url "http://127.0.0.1:$UI_PORT" --out "$ROOT/test-artifacts/bench/page.json" "$@"
}

# ./microchat bench --peer ejabberd [--seconds N]: MicroChat against its peer,
# back to back in one run and one table (chat-load --xmpp). Debian's ejabberd
# runs as two private instances (scripts/lib/ejabberd.sh) on one PostgreSQL
# cluster of their own: one archiving every room message (mod_mam in
# PostgreSQL), one without an archive. Each gets (a)'s shape — one room, 20
# listeners, 8 senders in a closed loop, an acknowledgement being the room's
# echo of one's own message — then MicroChat gets (a) and (f) on the usual
# throwaway stack. The CPU counted per system is its own processes': ejabberd's
# beam.smp with its PostgreSQL; MicroChat's services, Redis and PostgreSQL.
# Fails if any delivery is lost, duplicated or out of order on either side, or
# if the archive lacks an acknowledged message.
bench_peer() {
  ensure_packages
  ensure_ejabberd
  CHAT_REPLICAS=${MICROCHAT_CHAT_REPLICAS:-2}
  build
  local bindir out="$ROOT/test-artifacts/bench/peer-ejabberd"
  bindir=$(bin_dir)
  [ -x "$bindir/chat-load" ] || die "the load generator chat-load was not built"
  throwaway_stack bench "$ROOT/test-artifacts/bench-logs"
  local data=$TEST_DATA ej="$TEST_DATA/ejabberd"
  EJABBERD_INSTANCES=("$ej/archive" "$ej/plain")
  trap end_bench_peer EXIT
  mkdir -p "$ej"
  chmod 755 "$ej"
  local ej_pg variant c2s args=()
  ej_pg=$(free_port)
  # Both systems' PostgreSQL keep per-statement figures (the same small cost on
  # each side), printed after the run: where the database's time per message goes.
  export PG_SERVER_OPTIONS="-c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track_planning=on"
  say "starting ejabberd's own PostgreSQL on 127.0.0.1:$ej_pg (pg.sql loaded into ejabberd_archive and ejabberd_plain)"
  ejabberd_pg "$ej" "$ej_pg" ejabberd_archive ejabberd_plain
  local pg_pid
  pg_pid=$(head -n 1 "$ej/postgres/data/postmaster.pid")
  for variant in archive plain; do
    c2s=$(free_port)
    ejabberd_config "$ej/$variant" "$c2s" "$(free_port)" "$ej_pg" "ejabberd_$variant" "$variant"
    say "starting ejabberd ($variant) on 127.0.0.1:$c2s and registering its accounts"
    ejabberd_start "$ej/$variant"
    args+=(--xmpp "ejabberd-$variant=127.0.0.1:$c2s:localhost"
      --xmpp-pid "ejabberd-$variant/beam.smp=$(cat "$ej/$variant/ejabberd.pid")"
      --xmpp-pid-tree "ejabberd-$variant/postgres=$pg_pid")
  done
  args+=(--xmpp-title "ejabberd-archive=ejabberd 23.01, MUC + MAM archive in PostgreSQL"
    --xmpp-title "ejabberd-plain=ejabberd 23.01, MUC without archive" --xmpp-password "$EJABBERD_PASSWORD")
  ulimit -n 65536 2>/dev/null || ulimit -n 32768 2>/dev/null || true
  start_infrastructure "$data"
  export WS_MAX_CONNECTIONS_PER_USER=1000000 REGISTRATIONS_PER_ADDRESS=1000000 ROOM_CREATIONS_PER_HOUR=1000000
  LOG_LEVEL=warning start_suite "$data" "$bindir"
  local urls="" pids=() i
  for ((i = 0; i < CHAT_REPLICAS; i++)); do
    urls+="http://127.0.0.1:$((CHAT_PORT + i)),"
    pids+=(--pid "chat-service-$((i + 1))=$(cat "$data/run/chat-service-$((i + 1)).pid")")
  done
  pids+=(--pid "user-service=$(cat "$data/run/user-service.pid")" --pid "ui-service=$(cat "$data/run/ui-service.pid")")
  pids+=(--pid "redis=$(cat "$data/run/redis.pid")" --pid-tree "postgres=$(head -n 1 "$data/postgres/data/postmaster.pid")")
  say "benchmarking ejabberd and the $BUILD build of MicroChat with chat-load (MICROCHAT_BUILD=release for release figures)"
  local status=0
  "$bindir/chat-load" --user-url "http://127.0.0.1:$USER_PORT" --chat-urls "${urls%,}" --ui-url "http://127.0.0.1:$UI_PORT" \
    "${pids[@]}" "${args[@]}" --build "$BUILD" --scenarios a,b,f --open-rate "${MICROCHAT_OPEN_RATE:-800}" --out "$out" "$@" || status=$?
  [ -f "$out/bench.json" ] || die "chat-load wrote no results (exit $status)"
  {
    echo "# MicroChat's PostgreSQL, (a) and (f) together"
    pg_statement_profile "$data" "$PG_PORT" "$DB_NAME"
    echo "# ejabberd's PostgreSQL, the archiving instance"
    pg_statement_profile "$ej" "$ej_pg" ejabberd_archive
  } >"$out/postgres-statements.txt" 2>&1 || true
  say "where PostgreSQL's time went, per statement: $out/postgres-statements.txt"
  # The archive must hold every message the archiving instance acknowledged.
  local archived acked
  archived=$(psql_admin "$ej" "$ej_pg" -d ejabberd_archive -tAc "SELECT count(*) FROM archive WHERE kind = 'groupchat'")
  acked=$(python3 -c 'import json,sys; print(next(s["acked"] for s in json.load(open(sys.argv[1]))["scenarios"] if s["key"] == "ejabberd-archive"))' "$out/bench.json")
  if [ "$archived" -lt "$acked" ]; then
    warn "ejabberd's archive holds $archived groupchat messages; $acked were acknowledged"
    status=1
  else
    say "ejabberd's archive holds all $acked acknowledged messages ($archived rows)"
  fi
  return $status
}

end_bench_peer() {
  local status=$? dir
  for dir in "${EJABBERD_INSTANCES[@]}"; do
    ejabberd_stop "$dir"
    # Kept with the services' logs (end_throwaway_stack copies $TEST_DATA/logs).
    if [ -d "$dir/logs" ]; then
      mkdir -p "$TEST_DATA/logs/ejabberd-$(basename "$dir")"
      cp "$dir"/logs/*.log "$TEST_DATA/logs/ejabberd-$(basename "$dir")/" 2>/dev/null || true
    fi
  done
  pg_stop "$TEST_DATA/ejabberd"
  (exit $status)
  end_throwaway_stack
}

# ./microchat fault redis|postgres|replica PID — one fault against the stack in
# MICROCHAT_DATA (what `bench --fault` injects): Redis stopped for 10 seconds
# and started again with its own configuration; PostgreSQL restarted fast; a
# chat-service replica killed with SIGKILL (it is not restarted).
cmd_fault() {
  # DATA is ./microchat's setting (the suite's data directory), not a misspelt `data`.
  # shellcheck disable=SC2153
  case "${1:-}" in
    redis) redis_stop "$DATA"; sleep "${2:-10}"; redis_start "$DATA" "$REDIS_PORT" ;;
    postgres) pg_restart "$DATA" "$PG_PORT" ;;
    replica) kill -KILL "${2:?the pid of the replica to kill}" ;;
    *) die "fault is redis, postgres or replica PID" ;;
  esac
}
