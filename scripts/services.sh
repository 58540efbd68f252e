#!/usr/bin/env bash
# Shared by scripts/run and scripts/test (sourced, not run): installs what is missing and starts a
# project-local Redis and PostgreSQL on loopback, with data under .local/ (git-ignored) and ports
# that do not clash with a system Redis (6379) or PostgreSQL (5432).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LOCAL="$ROOT/.local"
REDIS_PORT="${HOTCART_REDIS_PORT:-56379}"
PG_PORT="${HOTCART_PG_PORT:-55432}"
# PostgreSQL's Unix-domain socket (.s.PGSQL.<port>) is made here too.
PG_SOCKET_DIR=/tmp
mkdir -p "$LOCAL"

log() { printf '==> %s\n' "$*" >&2; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

install_packages() {
  local missing=()
  for pkg in redis-server libhiredis-dev postgresql openssl wrk; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    as_root apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

# Installs a pinned Python test tool once, `pip install -r REQUIREMENTS`, into a venv under
# .local/NAME-venv (or, where python3 has no venv module, a --target folder .local/NAME-lib), and
# prints the python command that imports it. Usage: python_with NAME REQUIREMENTS MODULE
python_with() {
  local name="$1" requirements="$2" module="$3"
  local venv="$LOCAL/$name-venv" target="$LOCAL/$name-lib"
  command -v python3 >/dev/null || as_root apt-get install -y -qq python3 python3-pip python3-venv >/dev/null
  if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c "import $module" 2>/dev/null; then
    echo "$venv/bin/python"
    return
  fi
  if [ -d "$target/$module" ]; then echo "env PYTHONPATH=$target python3"; return; fi
  log "installing $name (pinned)"
  if python3 -m venv "$venv" >/dev/null 2>&1 && "$venv/bin/pip" install -q -r "$requirements" >&2; then
    echo "$venv/bin/python"
  else
    rm -rf "$venv"
    python3 -m pip install -q --target "$target" -r "$requirements" >&2 && echo "env PYTHONPATH=$target python3"
  fi
}

start_redis() {
  if redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; then return; fi
  # Cart hashes hold lines of up to ~100 bytes: a listpack up to 128-byte values keeps a 5-line
  # cart near 700 bytes (a hashtable, at the default 64, takes about 2 KB).
  log "starting Redis on 127.0.0.1:$REDIS_PORT (AOF, appendfsync everysec)"
  mkdir -p "$LOCAL/redis"
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$LOCAL/redis" \
    --appendonly yes --appendfsync "${HOTCART_REDIS_FSYNC:-everysec}" \
    --save "" --hash-max-listpack-value 128 \
    --daemonize yes --pidfile "$LOCAL/redis/redis.pid" --logfile "$LOCAL/redis/redis.log"
  for _ in $(seq 1 50); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && return; sleep 0.1; done
  log "Redis did not start; see $LOCAL/redis/redis.log"; exit 1
}

# PostgreSQL refuses to run as root: as root, the server runs as the 'postgres' user.
pg_run() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

# pg_ctl ACTION (start, restart) on the project's cluster, with its options; waits until done.
pg_ctl_with_options() {
  pg_run "$PG_BIN/pg_ctl" -D "$PGDATA_DIR" -l "$PGDATA_DIR/server.log" -w -t 60 -m fast \
    -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -k $PG_SOCKET_DIR -c max_connections=200 -c fsync=on \
        -c ssl=on -c ssl_ca_file=server.crt" "$1" >/dev/null
}

# TLS on, with a self-signed certificate for localhost and 127.0.0.1 (PostgreSQL's default
# server.crt and server.key in the data folder), so the tests can connect with every sslmode;
# the server asks clients for a certificate signed by it (ssl_ca_file), and checks the one a
# client shows (the tests show the same one), while trust lets in those that show none.
make_certificate() {
  [ -f "$PGDATA_DIR/server.crt" ] && return
  openssl req -new -x509 -days 3650 -nodes -subj "/CN=localhost" \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    -keyout "$PGDATA_DIR/server.key" -out "$PGDATA_DIR/server.crt" 2>/dev/null
  chmod 600 "$PGDATA_DIR/server.key"
  if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$PGDATA_DIR/server.key" "$PGDATA_DIR/server.crt"; fi
}

start_postgres() {
  PG_BIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
  PGDATA_DIR="$LOCAL/pg"
  # The postgres user must be able to reach the data folder; fall back to /var/tmp if not.
  if [ "$(id -u)" = 0 ] && ! runuser -u postgres -- test -x "$LOCAL"; then
    PGDATA_DIR="/var/tmp/hotcart-pg-$(echo "$ROOT" | md5sum | cut -c1-8)"
  fi
  local psql=(psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -qAt -v ON_ERROR_STOP=1)
  if pg_run "$PG_BIN/pg_ctl" -D "$PGDATA_DIR" status >/dev/null 2>&1; then
    # Left running by an older scripts/run, without TLS (or without asking clients for their
    # certificates): restarted with it.
    [ "$("${psql[@]}" -c 'SHOW ssl_ca_file' 2>/dev/null)" = server.crt ] && return
    make_certificate
    log "restarting PostgreSQL on 127.0.0.1:$PG_PORT with TLS"
    pg_ctl_with_options restart
    return
  fi
  if [ ! -f "$PGDATA_DIR/PG_VERSION" ]; then
    log "creating a PostgreSQL cluster in $PGDATA_DIR"
    mkdir -p "$PGDATA_DIR"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$PGDATA_DIR"
    chmod 700 "$PGDATA_DIR"
    pg_run "$PG_BIN/initdb" -D "$PGDATA_DIR" -U postgres -A trust -E UTF8 >/dev/null
  fi
  make_certificate
  log "starting PostgreSQL on 127.0.0.1:$PG_PORT"
  pg_ctl_with_options start
  "${psql[@]}" -c "SELECT 1 FROM pg_roles WHERE rolname = 'hotcart'" | grep -q 1 ||
    "${psql[@]}" -c "CREATE ROLE hotcart LOGIN SUPERUSER PASSWORD 'hotcart'"
  for db in hotcart hotcart_test; do
    "${psql[@]}" -c "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1 ||
      "${psql[@]}" -c "CREATE DATABASE $db OWNER hotcart"
  done
}

install_packages
start_redis
start_postgres
export REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"
# TLS on loopback would only spend the two cores' time: the local URLs say sslmode=disable.
export DATABASE_URL="postgres://hotcart:hotcart@127.0.0.1:$PG_PORT/hotcart?sslmode=disable"
# The local PostgreSQL's certificate and key: what a test's client trusts (sslrootcert) or shows
# as its own (sslcert), and what a test's TLS Redis presents; and where its socket is.
export HOTCART_TLS_CERTIFICATE="$PGDATA_DIR/server.crt" HOTCART_TLS_KEY="$PGDATA_DIR/server.key"
export HOTCART_PG_SOCKET_DIRECTORY="$PG_SOCKET_DIR"
