#!/usr/bin/env bash
# wrk figures for the hot cart path beside its ceilings, against a running server:
#   plain ok                plain-server's GET / answering "ok" (same build: the framework ceiling)
#   plain redis PING        plain-server's GET /redis: one PING through HotCart's Redis client
#   GET /healthz            hotcart itself, touches neither Redis nor PostgreSQL
#   GET /cart               one guest cart holding 5 lines (one HGETALL)
#   GET /cart/summary       the same cart read, answered with its five totals only
#   POST /cart/items        a new guest per request (new session, new cart, one line)
# Beside each rate: the CPU the answering process spent per request (from /proc; the server's
# process is found by its port with `ss`, and shown as "-" when it cannot be).
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

# CPU time (user + system, in clock ticks) a process has used so far.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
TICKS_PER_SECOND="$(getconf CLK_TCK)"

run() {
  local name="$1" pid="$2"; shift 2
  local out before after
  before="$(cpu_ticks "$pid")"
  out="$(wrk -t2 -c64 -d"${DURATION}s" --latency "$@")"
  after="$(cpu_ticks "$pid")"
  local rps p99 non2xx cpu="-"
  rps="$(awk '/Requests\/sec/ { print $2 }' <<<"$out")"
  p99="$(awk '$1 == "99%" { print $2 }' <<<"$out")"
  non2xx="$(awk '/Non-2xx/ { print $5 }' <<<"$out")"
  [ -n "$pid" ] && [ "$after" -gt 0 ] &&
    cpu="$(awk -v t="$((after - before))" -v hz="$TICKS_PER_SECOND" -v r="$rps" -v d="$DURATION" \
      'BEGIN { printf "%.0f", t / hz * 1e6 / (r * d) }')"
  printf '%-22s %12s req/s   p99 %8s   non-2xx %-4s %5s µs CPU/request\n' "$name" "$rps" "$p99" "${non2xx:-0}" "$cpu"
  echo "$rps"  > "/tmp/hotcart-wrk-$name"
}

PLAIN="$(cd "$HERE/.." && swift build -c release --show-bin-path)/plain-server"
if [ -x "$PLAIN" ]; then
  "$PLAIN" 8090 "${REDIS_URL:-redis://127.0.0.1:56379/0}" &
  plain_pid=$!
  trap 'rm -f "$jar"; kill $plain_pid 2>/dev/null' EXIT
  for _ in $(seq 1 50); do curl -sf -o /dev/null http://127.0.0.1:8090/ && break; sleep 0.1; done
  run plain-ok "$plain_pid" http://127.0.0.1:8090/
  run plain-redis-ping "$plain_pid" http://127.0.0.1:8090/redis
fi
port="${BASE##*:}"; port="${port%%/*}"
server_pid="$(ss -Hltnp "sport = :$port" 2>/dev/null | sed -nE 's/.*pid=([0-9]+).*/\1/p' | head -n 1)"
run healthz "$server_pid" "$BASE/healthz"
run get-cart "$server_pid" -H "Cookie: $cookie" "$BASE/cart"
run get-cart-summary "$server_pid" -H "Cookie: $cookie" "$BASE/cart/summary"
run post-cart-items "$server_pid" -s "$HERE/wrk-post-item.lua" "$BASE/cart/items"
# Each route against the framework's ceiling (plain "ok", when built) and against HotCart's own
# /healthz, which is what the benchmark's targets are measured by.
ceilings=healthz
[ -f /tmp/hotcart-wrk-plain-ok ] && [ -x "$PLAIN" ] && ceilings="plain-ok healthz"
for ceiling in $ceilings; do
  for name in plain-redis-ping healthz get-cart get-cart-summary post-cart-items; do
    [ -f "/tmp/hotcart-wrk-$name" ] && [ "$name" != "$ceiling" ] || continue
    [ "$ceiling" = healthz ] && [ "$name" = plain-redis-ping ] && continue
    awk -v a="$(cat /tmp/hotcart-wrk-$name)" -v b="$(cat /tmp/hotcart-wrk-$ceiling)" -v n="$name" -v c="$ceiling" \
      'BEGIN { printf "%-22s %.2fx of %s\n", n, a / b, c }'
  done
done
