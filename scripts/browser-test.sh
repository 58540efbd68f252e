#!/usr/bin/env bash
# The browser tests (Tests/Browser/test_pages.py): the storefront and the operator page in
# Debian's Chromium, headless, driven by Selenium (pinned in Tests/Browser/requirements.txt)
# through Debian's chromium-driver, against a served API on its own database (hotcart_browser)
# and Redis db 4, loopback only. Sourced by scripts/test (and scripts/screenshots) after
# services.sh and the build: uses $BIN, $PG_PORT, $REDIS_PORT, $LOCAL, log(), as_root.
# Sets BROWSER_TESTS_RUN and BROWSER_TESTS_FAILED. A failing test leaves a screenshot in
# .local/browser-failures/; with HOTCART_SCREENSHOTS set the tests save the README's screenshots.

# Installs Chromium and its driver (Debian packages) and the pinned Selenium; prints the python
# that has Selenium.
install_browser() {
  if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    log "installing chromium and chromium-driver (Debian packages)"
    as_root apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq chromium chromium-driver >/dev/null
  fi
  python_with selenium "$ROOT/Tests/Browser/requirements.txt" selenium
}

browser_test() {
  # Ports below the kernel's ephemeral ones (32768-60999): no outgoing connection can hold them.
  local port=31096 base="http://127.0.0.1:31096"
  BROWSER_TESTS_RUN=0
  BROWSER_TESTS_FAILED=0
  local python
  python="$(install_browser)" || { log "could not install the browser or selenium"; BROWSER_TESTS_FAILED=1; return; }
  local psql=(psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -qAt -v ON_ERROR_STOP=1)
  "${psql[@]}" -c "DROP DATABASE IF EXISTS hotcart_browser" -c "CREATE DATABASE hotcart_browser OWNER hotcart"
  redis-cli -p "$REDIS_PORT" -n 4 flushdb >/dev/null
  local database="postgres://hotcart:hotcart@127.0.0.1:$PG_PORT/hotcart_browser"
  local admin=operator@example.com password='operator password'
  DATABASE_URL="$database" "$BIN" migrate >/dev/null
  DATABASE_URL="$database" "$BIN" seed >/dev/null
  DATABASE_URL="$database" PASSWORD_HASH_COST=4 "$BIN" user create --email "$admin" --password "$password" \
    --superuser >/dev/null

  local environment=(SECRET_KEY=browser-test-secret-key REDIS_URL="redis://127.0.0.1:$REDIS_PORT/4"
    DATABASE_URL="$database" HOST=127.0.0.1 PORT=$port FLUSH_METRICS_PORT=31095 PASSWORD_HASH_COST=4
    CART_RATE_LIMIT_PER_MINUTE=0 CART_COOKIE_SECURE=false CART_CURRENCIES=USD,JPY)
  env "${environment[@]}" "$BIN" flush >"$LOCAL/browser-test-flush.log" 2>&1 &
  local flusher=$!
  env "${environment[@]}" "$BIN" serve >"$LOCAL/browser-test-server.log" 2>&1 &
  local server=$!
  # The same server with its Redis unreachable: the operator page must turn red.
  env "${environment[@]}" PORT=31094 REDIS_URL=redis://127.0.0.1:1/0 "$BIN" serve \
    >"$LOCAL/browser-test-broken-server.log" 2>&1 &
  local broken=$!
  # And one whose Redis (of its own, never near its limit) may evict: the operator page warns.
  redis-server --port 31093 --bind 127.0.0.1 --save "" --appendonly no --maxmemory 1gb \
    --maxmemory-policy allkeys-lru >"$LOCAL/browser-test-evicting-redis.log" 2>&1 &
  local evicting_redis=$!
  for _ in $(seq 1 50); do redis-cli -p 31093 ping >/dev/null 2>&1 && break; sleep 0.1; done
  env "${environment[@]}" PORT=31092 REDIS_URL=redis://127.0.0.1:31093/0 "$BIN" serve \
    >"$LOCAL/browser-test-evicting-server.log" 2>&1 &
  local evicting=$!
  for _ in $(seq 1 100); do curl -sf -o /dev/null "$base/readyz" && break; sleep 0.1; done
  if ! curl -sf -o /dev/null "$base/readyz"; then
    log "the browser tests' server did not start; see $LOCAL/browser-test-server.log"
    kill "$server" "$broken" "$evicting" "$evicting_redis" "$flusher" 2>/dev/null
    wait "$server" "$broken" "$evicting" "$evicting_redis" "$flusher" 2>/dev/null || true
    BROWSER_TESTS_RUN=1
    BROWSER_TESTS_FAILED=1
    return
  fi
  local token
  token="$(curl -sf "$base/auth/jwt/login" --data-urlencode "username=$admin" \
    --data-urlencode "password=$password" | sed -E 's/.*"access_token":"([^"]+)".*/\1/')" || true
  curl -sf -o /dev/null "$base/promo-codes/" -H "Authorization: Bearer $token" -H 'content-type: application/json' \
    -d '{"code": "BROWSER10", "percent_off": 10}' || true
  curl -sf -o /dev/null -X PUT "$base/currencies/JPY" -H "Authorization: Bearer $token" \
    -H 'content-type: application/json' -d '{"rate": 151.5}' || true

  log "browser tests: the storefront and the operator page in headless Chromium"
  rm -rf "$LOCAL/browser-failures"
  set +e
  for url in http://127.0.0.1:31094/healthz http://127.0.0.1:31092/readyz; do
    for _ in $(seq 1 100); do curl -sf -o /dev/null "$url" && break; sleep 0.1; done
  done
  (cd "$ROOT/Tests/Browser" && HOTCART_BASE_URL="$base" HOTCART_BROKEN_URL=http://127.0.0.1:31094 \
    HOTCART_EVICTING_URL=http://127.0.0.1:31092 \
    HOTCART_ADMIN_EMAIL="$admin" \
    HOTCART_ADMIN_PASSWORD="$password" HOTCART_PROMO_CODE=BROWSER10 SE_OFFLINE=true \
    HOTCART_FAILURE_SCREENSHOTS="$LOCAL/browser-failures" timeout 600 $python -m unittest -v test_pages) \
    >"$LOCAL/browser-tests.log" 2>&1
  local status=$?
  set -e
  kill "$server" "$broken" "$evicting" "$evicting_redis" "$flusher" 2>/dev/null
  wait "$server" "$broken" "$evicting" "$evicting_redis" "$flusher" 2>/dev/null || true
  grep -E '^test_|^(Ran|OK|FAILED)' "$LOCAL/browser-tests.log" || true
  BROWSER_TESTS_RUN="$(grep -Eo '^Ran [0-9]+' "$LOCAL/browser-tests.log" | grep -Eo '[0-9]+' || echo 0)"
  if [ "$status" -ne 0 ] || [ "$BROWSER_TESTS_RUN" -eq 0 ]; then
    BROWSER_TESTS_FAILED=1
    [ "$BROWSER_TESTS_RUN" -eq 0 ] && BROWSER_TESTS_RUN=1
    log "browser tests failed; details in $LOCAL/browser-tests.log, screenshots in $LOCAL/browser-failures/"
    sed -n '/^=\{10,\}/,$p' "$LOCAL/browser-tests.log" | head -80
  fi
}
