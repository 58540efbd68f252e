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
# The routes take turns: three rounds, each running every route for a third of DURATION (each
# round once the flusher is idle and Redis is not rewriting its AOF; the second round in reverse
# order), so that each route and its ceilings see the same phases of this machine (which runs at
# two speeds for minutes at a time, so routes measured one after another can differ by half for
# no reason of their own). A rate is a route's requests over its seconds, a p99 its worst round's.
# Bounded: DURATION seconds (15) per route, 2 threads, 64 connections, loopback only.
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
ROUND_SECONDS=$((DURATION / 3))
rounds="$(mktemp -d)"

# One round of a route: appends its requests, seconds, p99 (ms), non-2xx and CPU ticks.
round() {
  local name="$1" pid="$2"; shift 2
  local out before after
  before="$(cpu_ticks "$pid")"
  out="$(wrk -t2 -c64 -d"${ROUND_SECONDS}s" --latency "$@")"
  after="$(cpu_ticks "$pid")"
  local cpu=-1
  [ -n "$pid" ] && [ "$after" -gt 0 ] && cpu=$((after - before))
  awk -v cpu="$cpu" '
    / requests in / { requests = $1; seconds = $4 + 0 }
    $1 == "99%" { p99 = $2; if (p99 ~ /us$/) p99 = p99 / 1000; else if (p99 ~ /ms$/) p99 = p99 + 0; else p99 = p99 * 1000 }
    /Non-2xx/ { non2xx = $5 }
    END { print requests, seconds, p99, non2xx + 0, cpu }' <<<"$out" >>"$rounds/$name"
}

# A route's rounds as one line; its rate is also kept for the ratios.
report() {
  local name="$1"
  awk -v name="$name" -v hz="$TICKS_PER_SECOND" '
    { requests += $1; seconds += $2; if ($3 > p99) p99 = $3; non2xx += $4; cpu += $5; if ($5 < 0) unknown = 1 }
    END {
      per_request = unknown ? "-" : sprintf("%.0f", cpu / hz * 1e6 / requests)
      printf "%-22s %12.0f req/s   p99 %6.2fms   non-2xx %-4d %5s µs CPU/request\n",
        name, requests / seconds, p99, non2xx, per_request
    }' "$rounds/$name"
  awk '{ requests += $1; seconds += $2 } END { print requests / seconds }' "$rounds/$name" >"$rounds/$name.rate"
}

REDIS_PORT="$(sed -E 's|.*:([0-9]+)(/.*)?$|\1|' <<<"${REDIS_URL:-redis://127.0.0.1:56379/0}")"
source "$HERE/settle.sh"

# Each server gets 3 s of unmeasured load first, so that its first round does not also pay for
# its threads and buffers being made.
warm_up() { wrk -t2 -c64 -d3s "$@" >/dev/null; }

PLAIN="$(cd "$HERE/.." && swift build -c release --show-bin-path)/plain-server"
plain_pid=""
trap 'rm -rf "$jar" "$rounds"; [ -n "$plain_pid" ] && kill $plain_pid 2>/dev/null' EXIT
if [ -x "$PLAIN" ]; then
  "$PLAIN" 8090 "${REDIS_URL:-redis://127.0.0.1:56379/0}" &
  plain_pid=$!
  for _ in $(seq 1 50); do curl -sf -o /dev/null http://127.0.0.1:8090/ && break; sleep 0.1; done
  warm_up http://127.0.0.1:8090/
fi
port="${BASE##*:}"; port="${port%%/*}"
server_pid="$(ss -Hltnp "sport = :$port" 2>/dev/null | sed -nE 's/.*pid=([0-9]+).*/\1/p' | head -n 1)"
warm_up -H "Cookie: $cookie" "$BASE/cart"

routes=(healthz get-cart get-cart-summary post-cart-items)
[ -n "$plain_pid" ] && routes=(plain-ok plain-redis-ping "${routes[@]}")
for pass in 1 2 3; do
  # The second pass takes the routes in reverse order, so that a drift in the machine's speed
  # within the run falls on every route alike.
  order=("${routes[@]}")
  [ "$pass" = 2 ] && mapfile -t order < <(printf '%s\n' "${routes[@]}" | tac)
  for name in "${order[@]}"; do
    settle "$BASE" "$REDIS_PORT"
    case "$name" in
      plain-ok) round "$name" "$plain_pid" http://127.0.0.1:8090/ ;;
      plain-redis-ping) round "$name" "$plain_pid" http://127.0.0.1:8090/redis ;;
      healthz) round "$name" "$server_pid" "$BASE/healthz" ;;
      get-cart) round "$name" "$server_pid" -H "Cookie: $cookie" "$BASE/cart" ;;
      get-cart-summary) round "$name" "$server_pid" -H "Cookie: $cookie" "$BASE/cart/summary" ;;
      post-cart-items) round "$name" "$server_pid" -s "$HERE/wrk-post-item.lua" "$BASE/cart/items" ;;
    esac
  done
done
for name in "${routes[@]}"; do report "$name"; done

# Each route against the framework's ceiling (plain "ok", when built) and against HotCart's own
# /healthz, which is what the benchmark's targets are measured by.
ceilings=healthz
[ -n "$plain_pid" ] && ceilings="plain-ok healthz"
for ceiling in $ceilings; do
  for name in "${routes[@]}"; do
    [ "$name" != "$ceiling" ] && [ "$name" != plain-ok ] || continue
    [ "$ceiling" = healthz ] && [ "$name" = plain-redis-ping ] && continue
    awk -v a="$(cat "$rounds/$name.rate")" -v b="$(cat "$rounds/$ceiling.rate")" -v n="$name" -v c="$ceiling" \
      'BEGIN { printf "%-22s %.2fx of %s\n", n, a / b, c }'
  done
done
