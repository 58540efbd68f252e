#!/usr/bin/env bash
# The benchmark, in one run on this machine: builds release, starts its own Redis (port 56390,
# no persistence, so no AOF rewrite forks in the middle of a measurement), the project's
# PostgreSQL, a flusher and a server (port 8100), then measures with the load driver and wrk:
#   (a) GET /healthz            the same server without Redis or PostgreSQL: the ceiling
#   (b) GET /cart               a 5-line cart (each shopper its own; wrk: one cart)
#   (c) POST /cart/items        one unit to a cart (driver: until a cap, then a new cart;
#                               wrk: spread over the 10,000 filled carts)
#   (d) the shopper mix         browse, add, change, remove, read, summary, sign up + log in
# and prints req/s, p99 and the ratio of (b), (c), (d) to (a); Redis memory per hot cart (over
# 10,000 carts of 5 lines); GET /cart of the filled carts at random (driver and wrk) as the hot
# carts grow from 1,000 to 1,000,000.
# Results go to LoadTests/results/ (JSON per run, the chart, bench.md); with --readme the
# README's Performance table is replaced by this run's.
# Usage: LoadTests/bench.sh [--readme] [--soak SECONDS]     DURATION=15 (seconds per run)
# Bounded: every run stops by itself; loopback only.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
source "$HERE/../scripts/services.sh"
cd "$ROOT"

UPDATE_README=0
SOAK=0
while [ $# -gt 0 ]; do
  case "$1" in
    --readme) UPDATE_README=1 ;;
    --soak) SOAK="$2"; shift ;;
    *) echo "usage: LoadTests/bench.sh [--readme] [--soak SECONDS]" >&2; exit 2 ;;
  esac
  shift
done
DURATION="${DURATION:-15}"
BENCH_REDIS_PORT=56390
PORT=8100
BASE="http://127.0.0.1:$PORT"
RESULTS="$HERE/results"
WORK="$LOCAL/bench"
mkdir -p "$RESULTS" "$WORK"
rm -f "$WORK"/*

log "building release"
swift build -c release 2>&1 | grep -E 'error|Compiling|Build' | tail -n 3 || true
BIN="$(swift build -c release --show-bin-path)"

# Its own Redis, no persistence; flushed at start.
if ! redis-cli -p "$BENCH_REDIS_PORT" ping >/dev/null 2>&1; then
  mkdir -p "$LOCAL/bench-redis"
  redis-server --port "$BENCH_REDIS_PORT" --bind 127.0.0.1 --dir "$LOCAL/bench-redis" --save "" \
    --hash-max-listpack-value 128 \
    --appendonly no --daemonize yes --pidfile "$LOCAL/bench-redis/redis.pid" --logfile "$LOCAL/bench-redis/redis.log"
  for _ in $(seq 1 50); do redis-cli -p "$BENCH_REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
fi
redis() { redis-cli -p "$BENCH_REDIS_PORT" "$@"; }
redis flushall >/dev/null

psql_admin=(psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -qAt -v ON_ERROR_STOP=1)
"${psql_admin[@]}" -c "DROP DATABASE IF EXISTS hotcart_bench" -c "CREATE DATABASE hotcart_bench OWNER hotcart"
export DATABASE_URL="postgres://hotcart:hotcart@127.0.0.1:$PG_PORT/hotcart_bench"
export REDIS_URL="redis://127.0.0.1:$BENCH_REDIS_PORT/0"
export SECRET_KEY=bench-secret-key HOST=127.0.0.1 PORT FLUSH_METRICS_PORT=8101 CART_COOKIE_SECURE=false
# Benchmarks measure the cart tier: no per-session rate limit, and a low bcrypt cost so the
# mix's sign-ups measure HotCart, not bcrypt (production keeps the default 12).
export CART_RATE_LIMIT_PER_MINUTE=0 PASSWORD_HASH_COST=4
"$BIN/hotcart" migrate >/dev/null
"$BIN/hotcart" seed >/dev/null
"$BIN/hotcart" flush >"$WORK/flush.log" 2>&1 &
FLUSH_PID=$!
"$BIN/hotcart" serve >"$WORK/serve.log" 2>&1 &
SERVE_PID=$!
trap 'kill -TERM $SERVE_PID $FLUSH_PID 2>/dev/null; wait 2>/dev/null' EXIT
for _ in $(seq 1 100); do curl -sf -o /dev/null "$BASE/healthz" && break; sleep 0.1; done

loadtest() { "$BIN/loadtest" "$@"; }
field() { python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print(r$2)" "$1"; }
rps() { field "$1" "['requests_per_second']"; }
# p99 over every endpoint of a run (its "all" row, or its only row).
p99() {
  python3 -c "import json,sys; rows=json.load(open(sys.argv[1]))['rows']
print(([x for x in rows if x['endpoint'] == 'all'] or rows)[0]['p99_milliseconds'])" "$1"
}

# Waits until the flusher has written every change (so it does not share the cores with a run).
flusher_idle() {
  for _ in $(seq 1 240); do
    curl -sf "$BASE/metrics" | grep -q '^hotcart_flush_backlog 0' && return 0
    sleep 0.5
  done
}
run_driver() { # name scenario [args…]
  local name="$1" scenario="$2"; shift 2
  flusher_idle
  log "driver: $name ($DURATION s)"
  loadtest run --url "$BASE" --scenario "$scenario" --duration "$DURATION" --warmup 2 --quiet \
    --json "$WORK/$name.json" "$@" | tail -n 4
}

# One wrk run of SECONDS, appended to NAME's rounds as: requests, seconds, p99 (ms), non-2xx.
wrk_round() { # seconds name wrk-args…
  local seconds="$1" name="$2"; shift 2
  wrk -t2 -c64 -d"${seconds}s" --latency "$@" | awk '
    / requests in / { requests = $1; took = $4; sub(/s,$/, "", took) }
    $1 == "99%" { v = $2
      if (v ~ /us$/) { sub(/us$/, "", v); v = v / 1000 } else if (v ~ /ms$/) { sub(/ms$/, "", v) }
      else if (v ~ /s$/) { sub(/s$/, "", v); v = v * 1000 }
      p99 = v }
    /Non-2xx/ { non2xx = $5 }
    END { print requests, took, p99, non2xx + 0 }' >>"$WORK/wrk-$name.rounds"
}
# NAME's rate over all its rounds, the worst round's p99 and every non-2xx, for the table.
wrk_summary() { # name
  awk '{ requests += $1; took += $2; if ($3 + 0 > p99 + 0) p99 = $3; non2xx += $4 }
    END { printf "%.2f %s %d\n", requests / took, p99, non2xx }' "$WORK/wrk-$1.rounds" >"$WORK/wrk-$1.txt"
}
run_wrk() { # name wrk-args…
  local name="$1"; shift
  command -v wrk >/dev/null || return 0
  flusher_idle
  log "wrk: $name ($DURATION s)"
  wrk_round "$DURATION" "$name" "$@"
  wrk_summary "$name"
}
# A run of NAME with wrk in rounds alternating with /healthz (three of DURATION/3 s each, the
# ceiling's rounds recorded as CEILING), so that the two see the same phases of this machine,
# which runs at two speeds for minutes at a time: run one after the other, their ratio could
# read either speed's.
run_wrk_beside_healthz() { # ceiling name wrk-args…
  local ceiling="$1" name="$2"; shift 2
  command -v wrk >/dev/null || return 0
  flusher_idle
  log "wrk: $name beside /healthz, 3 alternating rounds of $((DURATION / 3)) s each"
  for _ in 1 2 3; do
    wrk_round "$((DURATION / 3))" "$ceiling" "$BASE/healthz"
    wrk_round "$((DURATION / 3))" "$name" "$@"
  done
  wrk_summary "$ceiling"
  wrk_summary "$name"
}

memory_used() { redis info memory | awk -F: '/^used_memory:/ { print $2 }' | tr -d '\r'; }
cart_keys() { redis dbsize | tr -d '\r'; }
SCALE_ROWS=()
scale_point() { # label: GET /cart of the filled carts at random, with the driver and with wrk
  local carts json="$WORK/scale-$1.json"
  flusher_idle
  carts="$(cart_keys)"
  loadtest run --url "$BASE" --scenario get-cart --cookies "$WORK/cookies.txt" --duration "$DURATION" --warmup 2 \
    --quiet --json "$json" >/dev/null
  SCALE_ROWS+=("$carts $(rps "$json") $(p99 "$json") scale-$1")
  log "GET /cart over $carts Redis keys: $(rps "$json") req/s"
  run_wrk_beside_healthz "scale-$1-healthz" "scale-$1" -s "$HERE/wrk-read-carts.lua" "$BASE/cart" -- "$WORK/cookies.txt"
}

# --- 1,000 then 10,000 filled carts: scale points and memory per cart --------------------------
before="$(memory_used)"
loadtest fill --url "$BASE" --carts 1000 --cookies "$WORK/cookies.txt"
scale_point 1k
loadtest fill --url "$BASE" --carts 9000 --cookies "$WORK/cookies.txt"
# Let the flusher drain, so the stream records of the fill are not counted as cart memory.
flusher_idle
after="$(memory_used)"
usage="$(redis eval "
  local cursor, n, total = '0', 0, 0
  repeat
    local r = redis.call('SCAN', cursor, 'MATCH', 'hc:*:cart:g:*', 'COUNT', 1000)
    cursor = r[1]
    for _, key in ipairs(r[2]) do
      total = total + redis.call('MEMORY', 'USAGE', key, 'SAMPLES', 0)
      n = n + 1
    end
  until cursor == '0'
  return {n, total}" 0)"
measured="$(sed -n 1p <<<"$usage")"
bytes="$(sed -n 2p <<<"$usage")"
MEMORY_PER_CART=$((bytes / measured))
USED_PER_CART=$(((after - before) / 10000))
log "memory: $measured carts, MEMORY USAGE $MEMORY_PER_CART bytes each; used_memory grew $USED_PER_CART bytes per cart"
scale_point 10k

# --- 100,000 and 1,000,000 hot carts: copies of a filled cart under new keys; the reads still
# go to the 10,000 filled carts. The copies are removed before the headline runs. -------------
pad_to() { # total carts wanted
  local source have
  source="$(redis --scan --pattern 'hc:*:cart:g:*' | head -n 1 || true)"
  have="$(cart_keys)"
  log "padding Redis to $1 keys with copies of a 5-line cart"
  while [ "$have" -lt "$1" ]; do
    local batch=$(( $1 - have < 50000 ? $1 - have : 50000 ))
    redis eval "
      local payload, ttl = redis.call('DUMP', ARGV[1]), redis.call('PTTL', ARGV[1])
      for i = tonumber(ARGV[2]), tonumber(ARGV[2]) + tonumber(ARGV[3]) - 1 do
        redis.call('RESTORE', 'hc:{' .. (i % 64) .. '}:cart:g:bench-pad-' .. i, ttl, payload, 'REPLACE')
      end
      return 1" 0 "$source" "$have" "$batch" >/dev/null
    have=$((have + batch))
  done
}
pad_to 100000
scale_point 100k
pad_to 1000000
scale_point 1m
log "removing the copies"
redis eval "
  local cursor = '0'
  repeat
    local r = redis.call('SCAN', cursor, 'MATCH', 'hc:*:cart:g:bench-pad-*', 'COUNT', 5000)
    cursor = r[1]
    for _, key in ipairs(r[2]) do redis.call('UNLINK', key) end
  until cursor == '0'
  return 1" 0 >/dev/null


# --- The headline runs, all in this one run --------------------------------------------------
jar="$WORK/jar.txt"
for product in 1 2 3 4 5; do
  curl -sf -o /dev/null -c "$jar" -b "$jar" "$BASE/cart/items" -H 'content-type: application/json' \
    -d "{\"product_id\": $product, \"quantity\": 1}"
done
cookie="$(awk '$6 == "pyshop_cart_session" { print $6 "=" $7 }' "$jar")"
run_driver healthz healthz
run_driver get-cart get-cart
run_wrk_beside_healthz healthz get-cart -H "Cookie: $cookie" "$BASE/cart"
run_driver add-items add-items
run_wrk add-items -s "$HERE/wrk-add-items.lua" "$BASE/cart/items" -- "$WORK/cookies.txt"
run_driver mix mix --database "$DATABASE_URL"

# --- Soak (optional): the mix for SOAK seconds, resident memory and backlog every 10 s ---------
SOAK_LINES=()
if [ "$SOAK" -gt 0 ]; then
  log "soak: the mix for $SOAK s"
  "$BIN/loadtest" run --url "$BASE" --scenario mix --duration "$SOAK" --warmup 5 --quiet \
    --json "$WORK/soak.json" --database "$DATABASE_URL" >"$WORK/soak.txt" &
  soak_pid=$!
  while kill -0 "$soak_pid" 2>/dev/null; do
    sleep 10
    SOAK_LINES+=("$(ps -o rss= -p "$SERVE_PID" | tr -d ' ') $(ps -o rss= -p "$FLUSH_PID" | tr -d ' ') $(curl -sf "$BASE/metrics" | awk '/^hotcart_flush_backlog / { print $2 }')")
  done
  wait "$soak_pid" || log "soak run FAILED (see $WORK/soak.txt)"
fi

# --- Report ----------------------------------------------------------------------------------
stamp="$(date -u +%Y-%m-%d)"
cp "$WORK"/{healthz,get-cart,add-items,mix}.json "$RESULTS/"
"$BIN/loadtest" chart "$RESULTS"/{healthz,get-cart,add-items,mix}.json --output "$RESULTS/latency.svg" \
  --title "HotCart latency by percentile ($stamp, $(nproc) cores, load driver, 64 shoppers)"
ceiling="$(rps "$WORK/healthz.json")"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
wrk_cell() {
  [ -f "$WORK/wrk-$1.txt" ] || { echo "– | –"; return; }
  read -r rate p _ <"$WORK/wrk-$1.txt"
  printf "%'.0f | %.2f" "$rate" "$p"
}
wrk_rate() { cut -d' ' -f1 "$WORK/wrk-$1.txt"; }
wrk_ratio() { # name [the run it is a ratio of: healthz]
  local of="${2:-healthz}"
  [ -f "$WORK/wrk-$1.txt" ] && [ -f "$WORK/wrk-$of.txt" ] || { echo "–"; return; }
  ratio "$(wrk_rate "$1")" "$(wrk_rate "$of")"
}
{
  echo "Measured $stamp by \`LoadTests/bench.sh\` on $(nproc) cores ($(uname -m), $(swift --version 2>/dev/null | head -n 1 | sed 's/ (.*//'), $(redis-server --version | awk '{ print $1, $3 }' | sed 's/v=//'), PostgreSQL $(psql --version | awk '{ print $3 }'), wrk $(wrk --version 2>&1 | head -n 1 | awk '{ print $2 }')); the driver, wrk, Redis, PostgreSQL, the flusher and the server share the cores. $DURATION s per run, 64 connections."
  echo
  echo "| route | driver req/s | driver p99 ms | × (a) | wrk req/s | wrk p99 ms | wrk × (a) |"
  echo "|---|---|---|---|---|---|---|"
  for name in healthz get-cart add-items mix; do
    label="$(case $name in healthz) echo "(a) GET /healthz";; get-cart) echo "(b) GET /cart, 5 lines";; add-items) echo "(c) POST /cart/items";; mix) echo "(d) shopper mix";; esac)"
    json="$WORK/$name.json"
    wrk_cells="– | – | –"
    [ "$name" != mix ] && wrk_cells="$(wrk_cell "$name") | $(wrk_ratio "$name")"
    printf "| %s | %'.0f | %.2f | %s | %s |\n" "$label" "$(rps "$json")" "$(p99 "$json")" "$(ratio "$(rps "$json")" "$ceiling")" "$wrk_cells"
  done
  echo
  echo "Errors and checks: $(for name in healthz get-cart add-items mix; do printf '%s %s; ' "$name" "$(field "$WORK/$name.json" "['passed'] and 'passed' or 'FAILED'")"; done)wrk non-2xx: $(cat "$WORK"/wrk-*.txt 2>/dev/null | awk '{ s += $3 } END { print s + 0 }')."
  echo
  echo "Redis memory per hot cart (10,000 guest carts of 5 lines): \`MEMORY USAGE\` $MEMORY_PER_CART bytes; \`used_memory\` grew $USED_PER_CART bytes per cart."
  echo
  echo "| Redis keys (hot carts) | driver GET /cart req/s | driver p99 ms | × at 1,000 | wrk req/s | wrk p99 ms | wrk × at 1,000 | wrk × at 1,000, each over its /healthz |"
  echo "|---|---|---|---|---|---|---|---|"
  first="$(echo "${SCALE_ROWS[0]}" | cut -d' ' -f2)"
  for row in "${SCALE_ROWS[@]}"; do
    read -r keys rate p name <<<"$row"
    normalized="–"
    if [ -f "$WORK/wrk-$name.txt" ] && [ -f "$WORK/wrk-scale-1k.txt" ]; then
      normalized="$(ratio "$(awk -v n="$(wrk_rate "$name")" -v h="$(wrk_rate "$name-healthz")" 'BEGIN { print n / h }')" \
        "$(awk -v n="$(wrk_rate scale-1k)" -v h="$(wrk_rate scale-1k-healthz)" 'BEGIN { print n / h }')")"
    fi
    printf "| %'d | %'.0f | %.2f | %s | %s | %s | %s |\n" "$keys" "$rate" "$p" "$(ratio "$rate" "$first")" \
      "$(wrk_cell "$name")" "$(wrk_ratio "$name" scale-1k)" "$normalized"
  done
  if [ "${#SOAK_LINES[@]}" -gt 0 ]; then
    echo
    echo "Soak, $SOAK s of the mix: $(tail -n 1 "$WORK/soak.txt"); resident memory (KiB) of serve / flush and flush backlog every 10 s:"
    echo
    printf '%s\n' "${SOAK_LINES[@]}" | awk '{ printf "%s/%s/%s  ", $1, $2, $3 } END { print "" }'
  fi
} >"$RESULTS/bench.md"
cat "$RESULTS/bench.md"

if [ "$UPDATE_README" = 1 ]; then
  python3 - "$ROOT/README.md" "$RESULTS/bench.md" <<'EOF'
import sys
readme, table = sys.argv[1], open(sys.argv[2]).read().strip()
text = open(readme).read()
start, end = "<!-- bench:start -->", "<!-- bench:end -->"
head, rest = text.split(start, 1)
_, tail = rest.split(end, 1)
open(readme, "w").write(head + start + "\n" + table + "\n" + end + tail)
EOF
  log "README.md Performance section updated"
fi
