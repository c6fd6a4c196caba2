# shellcheck shell=bash
# Sourced by ./microchat. The local S3-compatible server the tests store files
# in (moto's server mode, from the pinned Python tools): the S3 backend is
# tested against it; the signatures themselves against AWS's published examples.

s3_start() { # data-dir port
  local data=$1 port=$2
  mkdir -p "$data/logs" "$data/run"
  nohup "$PYTHON" -m moto.server -H 127.0.0.1 -p "$port" >>"$data/logs/moto.log" 2>&1 </dev/null &
  echo $! >"$data/run/moto.pid"
  wait_http "http://127.0.0.1:$port/moto-api/" 60 "the S3 test server (moto)" "$data/logs/moto.log"
}
