# shellcheck shell=bash
# Sourced by ./microchat. `test` and `lint`: the suites, each with what it needs started.

# ./microchat test [swift] [api] [ui] [web] [deploy] [-- pytest arguments]: the
# suites named (all five when none is), each with what it needs started.
# Arguments that are not suite names (and all after --) go to pytest.
# `web` (the page's types and the store's unit tests) needs no build and no servers.
cmd_test() {
  local suites=() pytest_args=()
  while [ $# -gt 0 ]; do
    case "$1" in
      swift|api|ui|web|deploy) suites+=("$1"); shift ;;
      --) shift; pytest_args+=("$@"); break ;;
      *) pytest_args+=("$1"); shift ;;
    esac
  done
  [ ${#suites[@]} -gt 0 ] || suites=(swift api ui web deploy)
  wants() { [[ " ${suites[*]} " == *" $1 "* ]]; }
  set -- "${pytest_args[@]}"
  if ! wants swift && ! wants api && ! wants ui; then
    # The web checks and the deployment checks alone need neither a build nor
    # servers — except the deployment check that reads the services' /metrics,
    # which runs with api or ui.
    mkdir -p "$ROOT/test-artifacts"
    local status=0
    if wants web; then run_web_checks "$ROOT/test-artifacts" || status=1; fi
    if wants deploy; then
      ensure_deploy_tools
      say "running the deployment checks (pytest Tests/deploy); the dashboard-metrics check needs running services: ./microchat test deploy api"
      PATH="$TOOLS/bin:$PATH" "$PYTHON" -m pytest -q -p no:cacheprovider Tests/deploy -k "not metrics_the_services_export" "$@" 2>&1 |
        tee "$ROOT/test-artifacts/pytest-deploy.log" || status=1
    fi
    return $status
  fi
  ensure_packages test
  ensure_python_packages
  ensure_deploy_tools
  build --build-tests
  # The versions just built are the committed ones, as the image build requires.
  "$ROOT/scripts/package-versions" check || die "the Swift packages drifted from Package.versions (see above)"
  local bindir
  bindir=$(bin_dir)

  local artifacts="$ROOT/test-artifacts"
  rm -rf "$artifacts"; mkdir -p "$artifacts"
  CHAT_REPLICAS=2
  throwaway_stack test "$artifacts/logs"
  local data=$TEST_DATA

  start_infrastructure "$data" shared_test
  # The library suites create and drop throwaway schemas of their own.
  psql_admin "$data" "$PG_PORT" -d "$DB_NAME" -c "GRANT CREATE ON DATABASE $DB_NAME TO shared_test" >/dev/null
  local status=0

  export MICROCHAT_TEST_DATA="$data"
  export MICROCHAT_TEST_DATABASE_URL
  MICROCHAT_TEST_DATABASE_URL=$(cat "$data/secrets/shared_test.database-url")
  export MICROCHAT_TEST_OTHER_CA="$data/tls/other-ca.crt" MICROCHAT_TEST_CA="$data/tls/ca.crt"
  MICROCHAT_TEST_REDIS_URL=$(cat "$data/secrets/redis.url")
  export MICROCHAT_TEST_REDIS_URL MICROCHAT_TEST_REDIS_PASSWORD
  MICROCHAT_TEST_REDIS_PASSWORD=$(cat "$data/secrets/redis.password")
  MICROCHAT_TEST_REDIS_SERVER=$(command -v redis-server)
  export MICROCHAT_TEST_REDIS_SERVER
  # The services' own database URLs, for the route tests that build a service in-process.
  MICROCHAT_TEST_USER_DATABASE_URL=$(cat "$data/secrets/user_service.database-url")
  MICROCHAT_TEST_CHAT_DATABASE_URL=$(cat "$data/secrets/chat_service.database-url")
  export MICROCHAT_TEST_USER_DATABASE_URL MICROCHAT_TEST_CHAT_DATABASE_URL

  if wants swift; then
    local s3_port
    s3_port=$(free_port)
    say "starting the S3 test server (moto) on 127.0.0.1:$s3_port"
    s3_start "$data" "$s3_port"
    export MICROCHAT_TEST_S3_URL="http://127.0.0.1:$s3_port"
    say "running the Swift test suites"
    swift test --skip-build 2>&1 | tee "$artifacts/swift-test.log" || status=1
    # Suites that need servers skip themselves under a plain `swift test`; here the
    # servers run, so a skipped suite means a setting went missing.
    if grep -E '^. (Suite|Test) "[^"]*" skipped' "$artifacts/swift-test.log" >/dev/null; then
      warn "a Swift suite was skipped although the servers run: $(grep -E '^. (Suite|Test) "[^"]*" skipped' "$artifacts/swift-test.log" | head -3)"
      status=1
    fi
  fi

  if wants api || wants ui; then
    say "starting the services for the API tests"
    # Every test comes from 127.0.0.1: the per-address limits would count the whole
    # suite as one client. Tests of those limits start their own user-service with
    # the defaults; the per-account and per-socket limits stay at their defaults here.
    export REGISTRATIONS_PER_ADDRESS=1000000 LOGIN_FAILURES_PER_ADDRESS=1000000
    # The link-preview tests' own sites (Tests/support/preview_site.py, plain and TLS under the
    # stack's CA): the only non-public addresses chat-service's fetcher is allowed to reach.
    MICROCHAT_TEST_PREVIEW_PORT=$(free_port)
    MICROCHAT_TEST_PREVIEW_TLS_PORT=$(free_port)
    while [ "$MICROCHAT_TEST_PREVIEW_TLS_PORT" = "$MICROCHAT_TEST_PREVIEW_PORT" ]; do MICROCHAT_TEST_PREVIEW_TLS_PORT=$(free_port); done
    export MICROCHAT_TEST_PREVIEW_PORT MICROCHAT_TEST_PREVIEW_TLS_PORT LINK_PREVIEW_CA_FILE="$data/tls/ca.crt"
    export LINK_PREVIEW_ALLOWED_TARGETS="127.0.0.1:$MICROCHAT_TEST_PREVIEW_PORT,127.0.0.1:$MICROCHAT_TEST_PREVIEW_TLS_PORT"
    # Traces: every service exports over OTLP to a receiver of the run's own (scripts/otlp-receiver.py,
    # stopped with the services). Only requests that arrive with a sampled traceparent are traced
    # (parentbased_always_off), so the tracing test's trace is there and the rest of the suite adds little.
    local otlp_port
    otlp_port=$(free_port)
    mkdir -p "$data/run" "$data/logs"
    nohup "$PYTHON" "$ROOT/scripts/otlp-receiver.py" --port "$otlp_port" --out "$artifacts/spans.jsonl" \
      >>"$data/logs/otlp-receiver.log" 2>&1 </dev/null &
    echo $! >"$data/run/otlp-receiver.pid"
    wait_port "$otlp_port" 10 || die "the OTLP receiver did not start (see $data/logs/otlp-receiver.log)"
    export MICROCHAT_TEST_SPANS="$artifacts/spans.jsonl"
    export OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:$otlp_port" OTEL_EXPORTER_OTLP_PROTOCOL=http/json
    export OTEL_TRACES_SAMPLER=parentbased_always_off OTEL_BSP_SCHEDULE_DELAY=200
    start_suite "$data" "$bindir"
    export MICROCHAT_TEST_USER_URL="http://127.0.0.1:$USER_PORT"
    export MICROCHAT_TEST_CHAT_URLS
    MICROCHAT_TEST_CHAT_URLS=$(for ((i = 0; i < CHAT_REPLICAS; i++)); do printf 'http://127.0.0.1:%s,' $((CHAT_PORT + i)); done | sed 's/,$//')
    export MICROCHAT_TEST_UI_URL="http://127.0.0.1:$UI_PORT"
    export MICROCHAT_TEST_BIN="$bindir"
    export MICROCHAT_TEST_PG_PORT="$PG_PORT" MICROCHAT_TEST_REDIS_PORT="$REDIS_PORT" MICROCHAT_TEST_PG_BINDIR
    MICROCHAT_TEST_PG_BINDIR=$(pg_bindir)
    export MICROCHAT_TEST_ARTIFACTS="$artifacts"

  fi

  # One pytest run per folder: each has its own conftest helpers.
  # pipefail: a failing suite marks the run failed, and the next suite still runs.
  if wants api; then
    say "running the API tests (pytest Tests/api)"
    "$PYTHON" -m pytest -q -p no:cacheprovider Tests/api "$@" 2>&1 | tee "$artifacts/pytest-api.log" || status=1
  fi
  if wants ui; then
    say "running the web front's tests (pytest Tests/ui, headless Chromium)"
    "$PYTHON" -m pytest -q -p no:cacheprovider Tests/ui "$@" 2>&1 | tee "$artifacts/pytest-ui.log" || status=1
  fi
  if wants web; then
    run_web_checks "$artifacts" || status=1
  fi
  if wants deploy; then
    say "running the deployment checks (pytest Tests/deploy: manifests, Dockerfile, Terraform, Ansible, pipeline)"
    PATH="$TOOLS/bin:$PATH" "$PYTHON" -m pytest -q -p no:cacheprovider Tests/deploy "$@" 2>&1 | tee "$artifacts/pytest-deploy.log" || status=1
  fi

  if [ $status -eq 0 ]; then say "all tests passed"; else warn "some tests failed (logs in test-artifacts/)"; fi
  return $status
}

# The page's own checks, without a browser: its JSDoc types with TypeScript's
# compiler (tsconfig.json: checkJs, noEmit), then the unit tests of the store's
# logic (Tests/web-unit/*.test.mjs under node --test). Logs in $1.
run_web_checks() {
  local artifacts=$1 status=0
  ensure_web_tools
  say "checking the page's types (tsc --noEmit -p tsconfig.json, $(tsc --version))"
  tsc --noEmit -p "$ROOT/tsconfig.json" 2>&1 | tee "$artifacts/tsc-web.log" || status=1
  say "checking the emoji picker's data against Unicode 15.0 and CLDR 41 (scripts/emoji-data.py --check)"
  python3 "$ROOT/scripts/emoji-data.py" --check || status=1
  say "running the page's unit tests (node --test Tests/web-unit, node $(node --version))"
  local unit=0
  node --test "$ROOT"/Tests/web-unit/*.test.mjs >"$artifacts/node-test-web.log" 2>&1 || unit=1
  # The whole TAP report when something failed, else the totals.
  if [ $unit -ne 0 ]; then cat "$artifacts/node-test-web.log"; status=1; else grep -E '^# (tests|pass|fail)' "$artifacts/node-test-web.log"; fi
  return $status
}

# The offline checks (no build, no servers): first the code's (lint_code),
# then the cluster side's: kustomize renders, CRDs, chart values, Pod
# Security, schemas, checkov, hadolint, yamllint, Terraform, Ansible, the
# pipeline. `--code` runs the code's alone (seconds; CI runs it before the
# tests); `--image` adds the runtime-image check; `--peer` adds a 3-second
# `bench --peer ejabberd` (installs ejabberd, a build, two PostgreSQL clusters:
# minutes, so not part of `test`), which fails if chat-load's XMPP client does.
# `--monitoring` is the dashboard and rules against a real Prometheus, alone
# (it builds and starts a stack; CI runs it after the tests); other arguments
# go to its pytest.
cmd_lint() {
  local image=0 code_only=0 monitoring=0 peer=0 args=()
  for arg in "$@"; do
    case "$arg" in --image) image=1 ;; --code) code_only=1 ;; --monitoring) monitoring=1 ;; --peer) peer=1 ;; *) args+=("$arg") ;; esac
  done
  if [ $code_only -eq 1 ]; then
    if [ $image -eq 1 ] || [ $monitoring -eq 1 ] || [ $peer -eq 1 ] || [ ${#args[@]} -gt 0 ]; then die "lint --code takes no other arguments"; fi
    lint_code
    return
  fi
  if [ $monitoring -eq 1 ]; then
    if [ $image -eq 1 ] || [ $peer -eq 1 ]; then die "lint --monitoring runs apart from --image and --peer"; fi
    lint_monitoring "${args[@]}"
    return
  fi
  local status=0
  lint_code || status=1
  ensure_deploy_tools
  PATH="$TOOLS/bin:$PATH" "$PYTHON" -m pytest -q -p no:cacheprovider Tests/deploy \
    -k "not metrics_the_services_export" "${args[@]}" || status=1
  if [ $image -eq 1 ]; then lint_image "${args[@]}" || status=1; fi
  if [ $peer -eq 1 ]; then
    say "a 3-second bench against ejabberd (the XMPP client end to end)"
    "$ROOT/microchat" bench --peer ejabberd --seconds 3 || status=1
  fi
  return $status
}

# The code's checks: swift format (the committed .swift-format) over Sources,
# Tests and Package.swift, no Swift line past its lineLength (swift format
# does not report the string literals it cannot wrap), and shellcheck over
# every shell script in git (*.sh, and any file whose first line is a sh or
# bash shebang). Each check runs even when one before it failed.
lint_code() {
  ensure_lint_tools
  local status=0 started=$SECONDS
  say "swift format lint --strict (Sources, Tests, Package.swift; .swift-format)"
  swift format lint --strict --parallel --recursive --configuration "$ROOT/.swift-format" \
    "$ROOT/Sources" "$ROOT/Tests" "$ROOT/Package.swift" || status=1
  lint_swift_line_length || status=1
  local scripts=()
  mapfile -t scripts < <(shell_scripts)
  [ ${#scripts[@]} -gt 0 ] || die "found no shell scripts to check (is $ROOT a git checkout?)"
  say "shellcheck (${#scripts[@]} scripts: ${scripts[*]})"
  (cd "$ROOT" && shellcheck --external-sources "${scripts[@]}") || status=1
  if [ $status -eq 0 ]; then
    say "code lint passed in $((SECONDS - started))s"
  else
    warn "code lint failed (see above); swift format format --in-place --recursive Sources Tests Package.swift fixes the layout"
  fi
  return $status
}

# Every shell script git knows: *.sh, and any file whose first line is a sh or bash shebang.
shell_scripts() {
  local file first
  # safe.directory: CI checkouts may belong to another user than the job's.
  local git=(git -c safe.directory="$ROOT" -C "$ROOT")
  "${git[@]}" ls-files >/dev/null || die "lint --code lists the scripts with git: $ROOT is not a git checkout"
  while IFS= read -r file; do
    [ -f "$ROOT/$file" ] || continue
    case "$file" in
      *.sh|*.bash) echo "$file"; continue ;;
    esac
    IFS= read -r first <"$ROOT/$file" 2>/dev/null || continue
    if [[ "$first" =~ ^\#!(/usr)?/bin/(env[[:space:]]+)?(ba)?sh([[:space:]]|$) ]]; then echo "$file"; fi
  done < <("${git[@]}" ls-files)
}

# Lines longer than .swift-format's lineLength that swift format leaves (long
# string literals). The OpenAPI documents are JSON data, kept as written.
lint_swift_line_length() {
  say "Swift lines within .swift-format's lineLength"
  python3 - "$ROOT" <<'PY'
import json, pathlib, sys
root = pathlib.Path(sys.argv[1])
limit = json.loads((root / ".swift-format").read_text())["lineLength"]
files = [root / "Package.swift", *sorted((root / "Sources").rglob("*.swift")), *sorted((root / "Tests").rglob("*.swift"))]
long = [(path, number, len(line)) for path in files if not path.name.endswith("OpenAPI.swift")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if len(line) > limit]
for path, number, length in long:
    print(f"{path.relative_to(root)}:{number}: {length} characters, over {limit}")
sys.exit(1 if long else 0)
PY
}

# The dashboard's panels and the alert and recording rules evaluated by a real
# Prometheus (Tests/monitoring): a throwaway stack (PostgreSQL, Redis,
# user-service, two chat-service replicas, ui-service), Prometheus scraping it
# every second with the cluster's target labels and evaluating the rendered
# PrometheusRules, load with errors and a slow client on purpose, then every
# panel and rule through /api/v1/query.
lint_monitoring() {
  local started=$SECONDS
  ensure_packages
  ensure_python_packages
  ensure_kubectl
  ensure_prometheus
  CHAT_REPLICAS=2
  build
  local bindir
  bindir=$(bin_dir)
  local artifacts="$ROOT/test-artifacts"
  mkdir -p "$artifacts"
  throwaway_stack monitoring "$artifacts/monitoring-logs"
  start_infrastructure "$TEST_DATA"
  # One client registers everyone from 127.0.0.1; the sends the check makes fail
  # while PostgreSQL is stopped give up after a second instead of five.
  export REGISTRATIONS_PER_ADDRESS=1000000 LOGIN_FAILURES_PER_ADDRESS=1000000 DATABASE_RECONNECT_WAIT_SECONDS=1
  LOG_LEVEL=warning start_suite "$TEST_DATA" "$bindir"
  local prometheus_port
  prometheus_port=$(free_port)
  prometheus_start "$TEST_DATA" "$prometheus_port" 1s
  export MICROCHAT_TEST_PROMETHEUS_URL="http://127.0.0.1:$prometheus_port" MICROCHAT_TEST_DATA="$TEST_DATA"
  export MICROCHAT_TEST_USER_URL="http://127.0.0.1:$USER_PORT" MICROCHAT_TEST_UI_URL="http://127.0.0.1:$UI_PORT"
  export MICROCHAT_TEST_CHAT_URLS="http://127.0.0.1:$CHAT_PORT,http://127.0.0.1:$((CHAT_PORT + 1))"
  export MICROCHAT_TEST_PG_PORT="$PG_PORT" MICROCHAT_TEST_PG_BINDIR
  MICROCHAT_TEST_PG_BINDIR=$(pg_bindir)
  say "evaluating the dashboard and the rules against Prometheus (pytest Tests/monitoring)"
  local status=0
  PATH="$TOOLS/bin:$PATH" "$PYTHON" -m pytest -q -p no:cacheprovider Tests/monitoring "$@" 2>&1 |
    tee "$artifacts/pytest-monitoring.log" || status=1
  say "lint --monitoring took $((SECONDS - started))s"
  return $status
}

# The Dockerfile's runtime stage rebuilt as a root file system (debootstrap),
# the release binaries copied in as its COPY lines say, each service started
# there as the image's user on a read-only root (Tests/image). Slow (a release
# build and a debootstrap), so it runs here and in the pipeline, not in `test`.
lint_image() {
  [ "$(id -u)" -eq 0 ] || die "lint --image needs root (debootstrap, chroot, mounts)"
  ensure_packages
  if ! command -v debootstrap >/dev/null; then
    say "installing debootstrap"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null
  fi
  ensure_python_packages
  # The Dockerfile's own `swift build` line (release, Swift's runtime linked in statically).
  local flags
  flags=$(python3 -c '
import re, sys
text = open(sys.argv[1]).read().replace("\\\n", " ")
match = re.search(r"^RUN (?:.*?&&\s*)?swift build (.*?)(?:&&|$)", text, re.M)
sys.exit("the Dockerfile has no RUN swift build line") if not match else print(match.group(1))' Dockerfile) || die "cannot read the Dockerfile's swift build line"
  say "building as the Dockerfile does: swift build $flags"
  [[ " $flags " == *" -c release "* ]] || die "the Dockerfile's swift build is not a release build ($flags)"
  # shellcheck disable=SC2086
  BUILD=release build ${flags/-c release/}
  local bindir
  bindir=$(BUILD=release bin_dir)
  throwaway_stack image
  start_infrastructure "$TEST_DATA"
  say "checking the runtime images (Tests/image: debootstrap, chroot as uid 10001, read-only root)"
  MICROCHAT_IMAGE_BIN="$bindir" MICROCHAT_TEST_DATA="$TEST_DATA" MICROCHAT_TOOLS="$TOOLS" \
    MICROCHAT_TEST_PG_PORT="$PG_PORT" MICROCHAT_TEST_REDIS_PORT="$REDIS_PORT" \
    MICROCHAT_TEST_REDIS_URL="$(cat "$TEST_DATA/secrets/redis.url")" \
    "$PYTHON" -m pytest -q -p no:cacheprovider Tests/image "$@"
}
