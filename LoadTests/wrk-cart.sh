#!/usr/bin/env bash
# wrk figures for the hot cart path beside its ceilings, against a running server:
#   plain ok                plain-server's GET / answering "ok" (same build: the framework ceiling)
#   plain redis PING        plain-server's GET /redis: one PING through HotCart's Redis client
#   GET /healthz            hotcart itself, touches neither Redis nor PostgreSQL
#   GET /cart               one guest cart holding 5 lines (one EVALSHA per request)
#   POST /cart/items        a new guest per request (new session, new cart, one line)
# Usage: swift build -c release; CART_RATE_LIMIT_PER_MINUTE=0 scripts/run &  then
#        LoadTests/wrk-cart.sh [base URL]
# Bounded: each run is DURATION seconds (15) with 2 threads and 64 connections, loopback only.
set -euo pipefail
BASE="${1:-http://127.0.0.1:8000}"
DURATION="${DURATION:-15}"
HERE="$(cd "$(dirname "$0")" && pwd)"
case "$BASE" in http://127.0.0.1:*|http://localhost:*) ;; *) echo "loopback targets only" >&2; exit 2;; esac
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 2; }

jar="$(mktemp)"
trap 'rm -f "$jar"' EXIT
for product in 1 2 3 4 5; do
  curl -sf -o /dev/null -c "$jar" -b "$jar" "$BASE/cart/items" -H 'content-type: application/json' \
    -d "{\"product_id\": $product, \"quantity\": 1}"
done
cookie="$(awk '$6 == "pyshop_cart_session" { print $6 "=" $7 }' "$jar")"
lines="$(curl -sf -b "$jar" "$BASE/cart/summary" | sed -E 's/.*"total_lines":([0-9]+).*/\1/')"
[ "$lines" = 5 ] || { echo "could not build a 5-line cart (got $lines)" >&2; exit 1; }

run() {
  local name="$1"; shift
  local out
  out="$(wrk -t2 -c64 -d"${DURATION}s" --latency "$@")"
  local rps p99 non2xx
  rps="$(awk '/Requests\/sec/ { print $2 }' <<<"$out")"
  p99="$(awk '$1 == "99%" { print $2 }' <<<"$out")"
  non2xx="$(awk '/Non-2xx/ { print $5 }' <<<"$out")"
  printf '%-22s %12s req/s   p99 %8s   non-2xx %s\n' "$name" "$rps" "$p99" "${non2xx:-0}"
  echo "$rps"  > "/tmp/hotcart-wrk-$name"
}

PLAIN="$(cd "$HERE/.." && swift build -c release --show-bin-path)/plain-server"
if [ -x "$PLAIN" ]; then
  "$PLAIN" 8090 "${REDIS_URL:-redis://127.0.0.1:56379/0}" &
  plain_pid=$!
  trap 'rm -f "$jar"; kill $plain_pid 2>/dev/null' EXIT
  for _ in $(seq 1 50); do curl -sf -o /dev/null http://127.0.0.1:8090/ && break; sleep 0.1; done
  run plain-ok http://127.0.0.1:8090/
  run plain-redis-ping http://127.0.0.1:8090/redis
fi
run healthz "$BASE/healthz"
run get-cart -H "Cookie: $cookie" "$BASE/cart"
run post-cart-items -s "$HERE/wrk-post-item.lua" "$BASE/cart/items"
ceiling=healthz
[ -f /tmp/hotcart-wrk-plain-ok ] && [ -x "$PLAIN" ] && ceiling=plain-ok
for name in plain-redis-ping healthz get-cart post-cart-items; do
  [ -f "/tmp/hotcart-wrk-$name" ] && [ "$name" != "$ceiling" ] || continue
  awk -v a="$(cat /tmp/hotcart-wrk-$name)" -v b="$(cat /tmp/hotcart-wrk-$ceiling)" -v n="$name" -v c="$ceiling" \
    'BEGIN { printf "%-22s %.2fx of %s\n", n, a / b, c }'
done
