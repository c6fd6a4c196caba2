# shellcheck shell=bash
# Sourced by ./microchat. The private CA and the server certificate PostgreSQL and Redis present.

make_certificates() { # dir
  local dir=$1
  [ -f "$dir/server.crt" ] && return 0
  mkdir -p "$dir"
  say "making a private CA and a server certificate for localhost"
  openssl req -x509 -new -nodes -newkey rsa:2048 -days 3650 -subj "/CN=MicroChat local CA" \
    -keyout "$dir/ca.key" -out "$dir/ca.crt" >/dev/null 2>&1
  openssl req -new -nodes -newkey rsa:2048 -subj "/CN=localhost" \
    -keyout "$dir/server.key" -out "$dir/server.csr" >/dev/null 2>&1
  printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' >"$dir/server.ext"
  openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial \
    -days 825 -sha256 -extfile "$dir/server.ext" -out "$dir/server.crt" >/dev/null 2>&1
  # A second, unrelated CA: tests prove verify-full refuses a server it does not vouch for.
  openssl req -x509 -new -nodes -newkey rsa:2048 -days 3650 -subj "/CN=Some other CA" \
    -keyout "$dir/other-ca.key" -out "$dir/other-ca.crt" >/dev/null 2>&1
  chmod 600 "$dir"/*.key
  chmod 644 "$dir"/*.crt
}
