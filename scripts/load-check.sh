#!/usr/bin/env bash
# The load driver against a served API with its flusher, as part of scripts/test: the hot-cart
# scenario (300 tasks, one cart, exact final quantities) and 10 s of the shopper mix whose carts
# are then compared with PostgreSQL once the flusher is idle; then 16 s of the mix while
# PostgreSQL restarts twice, after which the server and the flusher must still run, answer
# ready, and have answered no 500. Sourced by scripts/test after services.sh and the build: uses
# $BIN, $PG_PORT, $REDIS_PORT, $LOCAL, log(), pg_ctl_with_options. Bounded (each run stops by
# itself; the whole check is under a minute and a half), loopback only, its own database
# (hotcart_load) and Redis db 3. Sets LOAD_CHECKS_RUN and LOAD_CHECKS_FAILED.

load_check() {
  # Below the kernel's ephemeral ports (32768-60999): no outgoing connection of the tests can hold them.
  local port=31098 metrics=31097 base="http://127.0.0.1:31098"
  local loadtest
  loadtest="$(dirname "$BIN")/loadtest"
  local psql=(psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -qAt -v ON_ERROR_STOP=1)
  "${psql[@]}" -c "DROP DATABASE IF EXISTS hotcart_load" -c "CREATE DATABASE hotcart_load OWNER hotcart"
  redis-cli -p "$REDIS_PORT" -n 3 flushdb >/dev/null
  local database="postgres://hotcart:hotcart@127.0.0.1:$PG_PORT/hotcart_load?sslmode=disable"
  DATABASE_URL="$database" "$BIN" migrate >/dev/null
  DATABASE_URL="$database" "$BIN" seed >/dev/null

  local environment=(SECRET_KEY=load-check-secret-key REDIS_URL="redis://127.0.0.1:$REDIS_PORT/3"
    DATABASE_URL="$database" HOST=127.0.0.1 PORT=$port FLUSH_METRICS_PORT=$metrics PASSWORD_HASH_COST=4
    CART_RATE_LIMIT_PER_MINUTE=0 CART_COOKIE_SECURE=false)
  env "${environment[@]}" "$BIN" flush >"$LOCAL/load-check-flush.log" 2>&1 &
  local flusher=$!
  env "${environment[@]}" "$BIN" serve >"$LOCAL/load-check-server.log" 2>&1 &
  local server=$!
  for _ in $(seq 1 100); do curl -sf -o /dev/null "$base/healthz" && break; sleep 0.1; done

  LOAD_CHECKS_RUN=0
  LOAD_CHECKS_FAILED=0
  log "loadtest hot-cart: 300 tasks, one cart"
  LOAD_CHECKS_RUN=$((LOAD_CHECKS_RUN + 1))
  timeout 120 "$loadtest" hot-cart --url "$base" --tasks 300 --adds 2 --quiet ||
    LOAD_CHECKS_FAILED=$((LOAD_CHECKS_FAILED + 1))
  log "loadtest mix: 32 shoppers for 10 s, then every cart against PostgreSQL"
  LOAD_CHECKS_RUN=$((LOAD_CHECKS_RUN + 1))
  timeout 240 "$loadtest" run --url "$base" --scenario mix --shoppers 32 --duration 10 --warmup 1 \
    --actions-per-shopper 60 --database "$database" --quiet ||
    LOAD_CHECKS_FAILED=$((LOAD_CHECKS_FAILED + 1))
  log "loadtest mix while PostgreSQL restarts twice: the server and the flusher live through it"
  LOAD_CHECKS_RUN=$((LOAD_CHECKS_RUN + 1))
  # Catalog reads may answer 503 CART_010 meanwhile, so the driver's verdict is not the check.
  timeout 60 "$loadtest" run --url "$base" --scenario mix --shoppers 32 --duration 16 --warmup 0 --quiet \
    >"$LOCAL/load-check-restart.log" 2>&1 &
  local driver=$!
  sleep 4
  pg_ctl_with_options restart
  sleep 4
  pg_ctl_with_options restart
  wait "$driver" || true
  local ready=""
  for _ in $(seq 1 50); do
    ready="$(curl -sf "$base/readyz" || true)"
    [ -n "$ready" ] && break
    sleep 0.2
  done
  if ! kill -0 "$server" "$flusher" 2>/dev/null || [ -z "$ready" ]; then
    log "the server or the flusher did not live through the restarts (see $LOCAL/load-check-server.log)"
    LOAD_CHECKS_FAILED=$((LOAD_CHECKS_FAILED + 1))
  elif grep -q '^errors:.* 500 ' "$LOCAL/load-check-restart.log"; then
    log "a request answered 500 during the restarts (see $LOCAL/load-check-restart.log)"
    LOAD_CHECKS_FAILED=$((LOAD_CHECKS_FAILED + 1))
  fi
  kill -TERM "$server" "$flusher" 2>/dev/null
  wait "$server" "$flusher" 2>/dev/null || true
}
