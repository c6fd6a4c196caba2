# shellcheck shell=bash
# Sourced by ./microchat. `bench`: the load scenarios against a throwaway stack.

cmd_bench() {
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
  # person (scenario e) and registers hundreds of accounts from one address.
  export WS_MAX_CONNECTIONS_PER_USER=1000000 REGISTRATIONS_PER_ADDRESS=1000000
  LOG_LEVEL=warning start_suite "$data" "$bindir"
  local urls="" pids=() i
  for ((i = 0; i < CHAT_REPLICAS; i++)); do
    urls+="http://127.0.0.1:$((CHAT_PORT + i)),"
    pids+=(--pid "chat-service-$((i + 1))=$(cat "$data/run/chat-service-$((i + 1)).pid")")
  done
  pids+=(--pid "user-service=$(cat "$data/run/user-service.pid")" --pid "ui-service=$(cat "$data/run/ui-service.pid")")
  pids+=(--pid "redis=$(cat "$data/run/redis.pid")" --pid-tree "postgres=$(head -n 1 "$data/postgres/data/postmaster.pid")")
  say "benchmarking the $BUILD build with chat-load (MICROCHAT_BUILD=release for release figures)"
  "$bindir/chat-load" --user-url "http://127.0.0.1:$USER_PORT" --chat-urls "${urls%,}" --ui-url "http://127.0.0.1:$UI_PORT" \
    "${pids[@]}" --build "$BUILD" --pg-insert-rate "${ceiling% *}" --fsync-ms "${ceiling#* }" --out "$ROOT/test-artifacts/bench" "$@"
}
