#!/usr/bin/env bash
# schemathesis (pinned in LoadTests/schemathesis-requirements.txt) against the served
# /openapi.json, every check, as a guest and as a signed-in superuser. Sourced by scripts/test
# after services.sh and the build: uses $BIN, $PG_PORT, $REDIS_PORT, $LOCAL, log().
# Bounded: 10 examples per operation, 5 s per request, 10 minutes per run; loopback only. Live
# cart streams (GET /cart/events) end after a second here, so each is a complete answer.
# Returns non-zero on any finding. A fresh database (hotcart_fuzz) and Redis db 2 each run, so
# the products it creates, changes and deletes never reach the unit tests' database.

api_fuzz() {
  # Below the kernel's ephemeral ports (32768-60999): no outgoing connection of the tests can hold it.
  local port=31099 base="http://127.0.0.1:31099"
  local schemathesis
  local python
  python="$(python_with schemathesis "$ROOT/LoadTests/schemathesis-requirements.txt" schemathesis)" ||
    { log "could not install schemathesis"; return 1; }
  schemathesis="$python -m schemathesis.cli"
  local psql=(psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -qAt -v ON_ERROR_STOP=1)
  "${psql[@]}" -c "DROP DATABASE IF EXISTS hotcart_fuzz" -c "CREATE DATABASE hotcart_fuzz OWNER hotcart"
  redis-cli -p "$REDIS_PORT" -n 2 flushdb >/dev/null
  local database="postgres://hotcart:hotcart@127.0.0.1:$PG_PORT/hotcart_fuzz"
  DATABASE_URL="$database" "$BIN" migrate >/dev/null
  DATABASE_URL="$database" "$BIN" seed >/dev/null
  DATABASE_URL="$database" PASSWORD_HASH_COST=4 "$BIN" user create --email fuzz-admin@example.com \
    --password 'fuzz admin password' --superuser >/dev/null

  SECRET_KEY=api-fuzz-secret-key REDIS_URL="redis://127.0.0.1:$REDIS_PORT/2" DATABASE_URL="$database" \
    HOST=127.0.0.1 PORT=$port PASSWORD_HASH_COST=4 CART_RATE_LIMIT_PER_MINUTE=0 CART_COOKIE_SECURE=false \
    CART_EVENTS_KEEPALIVE_SECONDS=1 CART_EVENTS_STREAM_SECONDS=1 \
    "$BIN" serve >"$LOCAL/api-fuzz-server.log" 2>&1 &
  local server=$!
  for _ in $(seq 1 100); do curl -sf -o /dev/null "$base/healthz" && break; sleep 0.1; done
  local token
  token="$(curl -sf "$base/auth/jwt/login" --data-urlencode username=fuzz-admin@example.com \
    --data-urlencode 'password=fuzz admin password' | sed -E 's/.*"access_token":"([^"]+)".*/\1/')" || true

  local status=0
  local run=($schemathesis run "$base/openapi.json" --checks all -n 10 --request-timeout 5 --no-color
    --seed 20261125)
  log "schemathesis: as a guest"
  (cd "$ROOT/LoadTests" && timeout 600 "${run[@]}") >"$LOCAL/api-fuzz-guest.log" 2>&1 || status=1
  # Signed in as a superuser; logout is left out here (it would revoke the token mid-run).
  log "schemathesis: as a signed-in superuser"
  (cd "$ROOT/LoadTests" && timeout 600 "${run[@]}" -H "Authorization: Bearer $token" \
    --exclude-path /auth/jwt/logout) >"$LOCAL/api-fuzz-user.log" 2>&1 || status=1
  kill "$server" 2>/dev/null; wait "$server" 2>/dev/null || true
  for file in "$LOCAL/api-fuzz-guest.log" "$LOCAL/api-fuzz-user.log"; do
    grep -E "^(Failures:|  ❌|Test cases:|  [0-9]+ generated)" "$file" || true
    tail -n 1 "$file"
  done
  if [ "$status" -ne 0 ]; then
    log "schemathesis found problems; details in $LOCAL/api-fuzz-guest.log and $LOCAL/api-fuzz-user.log"
    cat "$LOCAL/api-fuzz-guest.log" "$LOCAL/api-fuzz-user.log" | sed -n '/^=* FAILURES =*$/,/^=* SUMMARY =*$/p' | head -200
  fi
  return "$status"
}
