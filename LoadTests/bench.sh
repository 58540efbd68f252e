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
# 10,000 carts of 5 lines); GET /cart of 1,000 filled carts at random (driver and wrk) as Redis
# grows from 1,000 to 1,000,000 keys, beside a Redis that holds the 1,000 alone.
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
export DATABASE_URL="postgres://hotcart:hotcart@127.0.0.1:$PG_PORT/hotcart_bench?sslmode=disable"
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
source "$HERE/settle.sh"
flusher_idle() { settle "$BASE" "$BENCH_REDIS_PORT"; }
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
# Two wrk runs in three alternating rounds of DURATION/3 s each: NAME_A with the wrk arguments
# in the array named ARGS_A, then NAME_B with the rest; so that the two see the same phases of
# this machine, which runs at two speeds for minutes at a time: run one after the other, their
# ratio could read either speed's.
wrk_alternating() { # name-a args-a-array-name name-b wrk-args…
  local name_a="$1" name_b="$3"
  local -n wrk_args_a="$2"
  shift 3
  # a b, b a, a b: neither side always goes first, so a drift in the machine's speed
  # within the run falls on both alike.
  for round in 1 2 3; do
    if [ "$round" = 2 ]; then
      wrk_round "$((DURATION / 3))" "$name_b" "$@"
      wrk_round "$((DURATION / 3))" "$name_a" "${wrk_args_a[@]}"
    else
      wrk_round "$((DURATION / 3))" "$name_a" "${wrk_args_a[@]}"
      wrk_round "$((DURATION / 3))" "$name_b" "$@"
    fi
  done
  wrk_summary "$name_a"
  wrk_summary "$name_b"
}
# A run of NAME with wrk alternating with /healthz (the ceiling's rounds recorded as CEILING).
run_wrk_beside_healthz() { # ceiling name wrk-args…
  local ceiling="$1" name="$2"; shift 2
  command -v wrk >/dev/null || return 0
  flusher_idle
  log "wrk: $name beside /healthz, 3 alternating rounds of $((DURATION / 3)) s each"
  local healthz=("$BASE/healthz")
  wrk_alternating "$ceiling" healthz "$name" "$@"
}

memory_used() { redis info memory | awk -F: '/^used_memory:/ { print $2 }' | tr -d '\r'; }

# --- Hot carts from 1,000 to 1,000,000 ---------------------------------------------------------
# Two Redis servers and two HotCart servers side by side: A keeps the 1,000 carts alone; B starts
# as a copy of A and grows to 10,000, 100,000 and 1,000,000 keys with copies of a 5-line cart.
# Each point reads the same 1,000 carts at random from A and from B in alternating rounds, so
# both see the same phases of this machine and differ only in how many keys Redis holds.
SCALE_REDIS_PORT=56391
SCALE_PORT=8102
SCALE_BASE="http://127.0.0.1:$SCALE_PORT"
SCALE_SERVE_PID=""
redis_b() { redis-cli -p "$SCALE_REDIS_PORT" "$@"; }
stop_scale() {
  [ -n "$SCALE_SERVE_PID" ] && { kill -TERM "$SCALE_SERVE_PID" 2>/dev/null; wait "$SCALE_SERVE_PID" 2>/dev/null || true; }
  SCALE_SERVE_PID=""
  redis_b shutdown nosave >/dev/null 2>&1 || true
}
trap 'kill -TERM $SERVE_PID $FLUSH_PID 2>/dev/null; stop_scale; wait 2>/dev/null' EXIT
cart_keys_b() { redis_b dbsize | tr -d '\r'; }

loadtest fill --url "$BASE" --carts 1000 --cookies "$WORK/cookies.txt"
cp "$WORK/cookies.txt" "$WORK/cookies-1k.txt"
flusher_idle

log "copying Redis A to Redis B (port $SCALE_REDIS_PORT) and starting server B (port $SCALE_PORT)"
mkdir -p "$LOCAL/bench-redis-b"
redis-server --port "$SCALE_REDIS_PORT" --bind 127.0.0.1 --dir "$LOCAL/bench-redis-b" --save "" \
  --hash-max-listpack-value 128 --appendonly no --replicaof 127.0.0.1 "$BENCH_REDIS_PORT" \
  --daemonize yes --pidfile "$LOCAL/bench-redis-b/redis.pid" --logfile "$LOCAL/bench-redis-b/redis.log"
for _ in $(seq 1 100); do
  redis_b info replication 2>/dev/null | grep -q '^master_link_status:up' && break
  sleep 0.1
done
redis_b replicaof no one >/dev/null
[ "$(cart_keys_b)" -ge 1000 ] || { log "Redis B did not copy Redis A"; exit 1; }
REDIS_URL="redis://127.0.0.1:$SCALE_REDIS_PORT/0" PORT="$SCALE_PORT" "$BIN/hotcart" serve >"$WORK/serve-b.log" 2>&1 &
SCALE_SERVE_PID=$!
for _ in $(seq 1 100); do curl -sf -o /dev/null "$SCALE_BASE/healthz" && break; sleep 0.1; done

SCALE_ROWS=()
scale_point() { # label: GET /cart of the same 1,000 carts from A and from B, alternating
  local label="$1" keys
  keys="$(cart_keys_b)"
  log "GET /cart over $keys Redis keys (B) beside 1,000 (A): driver and wrk in alternating rounds"
  rm -f "$WORK/scale-$label".*
  for round in 1 2; do
    local sides="a b"
    [ "$round" = 2 ] && sides="b a"  # each side goes first once
    for side in $sides; do
      local url="$BASE"
      [ "$side" = b ] && url="$SCALE_BASE"
      loadtest run --url "$url" --scenario get-cart --cookies "$WORK/cookies-1k.txt" --duration "$((DURATION / 2))" \
        --warmup 1 --quiet --json "$WORK/scale-$label-$side-$round.json" >/dev/null
      echo "$(rps "$WORK/scale-$label-$side-$round.json") $(p99 "$WORK/scale-$label-$side-$round.json")" \
        >>"$WORK/scale-$label.$side"
    done
  done
  if command -v wrk >/dev/null; then
    local read_a=(-s "$HERE/wrk-read-carts.lua" "$BASE/cart" -- "$WORK/cookies-1k.txt")
    wrk_alternating "scale-$label-a" read_a \
      "scale-$label-b" -s "$HERE/wrk-read-carts.lua" "$SCALE_BASE/cart" -- "$WORK/cookies-1k.txt"
  fi
  SCALE_ROWS+=("$keys $label")
}
pad_to() { # total keys wanted in Redis B
  local source have
  source="$(redis_b --scan --pattern 'hc:*:cart:g:*' | head -n 1 || true)"
  have="$(cart_keys_b)"
  log "padding Redis B to $1 keys with copies of a 5-line cart"
  while [ "$have" -lt "$1" ]; do
    local batch=$(( $1 - have < 50000 ? $1 - have : 50000 ))
    redis_b eval "
      local payload, ttl = redis.call('DUMP', ARGV[1]), redis.call('PTTL', ARGV[1])
      for i = tonumber(ARGV[2]), tonumber(ARGV[2]) + tonumber(ARGV[3]) - 1 do
        redis.call('RESTORE', 'hc:{' .. (i % 64) .. '}:cart:g:bench-pad-' .. i, ttl, payload, 'REPLACE')
      end
      return 1" 0 "$source" "$have" "$batch" >/dev/null
    have=$((have + batch))
  done
}
scale_point 1k
pad_to 10000
scale_point 10k
pad_to 100000
scale_point 100k
pad_to 1000000
scale_point 1m
stop_scale

# --- Redis memory per hot cart, over 10,000 filled carts --------------------------------------
# used_memory is taken around the last 9,000 (Redis A has held a replication backlog since B
# copied it).
before="$(memory_used)"
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
USED_PER_CART=$(((after - before) / 9000))
log "memory: $measured carts, MEMORY USAGE $MEMORY_PER_CART bytes each; used_memory grew $USED_PER_CART bytes per cart"
# PostgreSQL's autovacuum would take up the fill's changes within its next minute, in the middle
# of the rounds below (which, but for the adds and the mix, touch no table): done now instead.
"${psql_admin[@]}" -d hotcart_bench -c "VACUUM (ANALYZE) cart, cart_item"


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
wrk_p99() { cut -d' ' -f2 "$WORK/wrk-$1.txt"; }
wrk_ratio() { # name [the run it is a ratio of: healthz]
  local of="${2:-healthz}"
  [ -f "$WORK/wrk-$1.txt" ] && [ -f "$WORK/wrk-$of.txt" ] || { echo "–"; return; }
  ratio "$(wrk_rate "$1")" "$(wrk_rate "$of")"
}
# A measured value beside its target: "0.63 (met)" or "0.15 (missed)"; "–" when not measured.
judged() { # value ge|le target
  [ "$1" = "–" ] && { echo "–"; return; }
  awk -v v="$1" -v op="$2" -v t="$3" 'BEGIN { ok = op == "ge" ? v >= t : v <= t; printf "%s (%s)", v, ok ? "met" : "missed" }'
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
  echo "Redis memory per hot cart (10,000 guest carts of 5 lines): \`MEMORY USAGE\` $MEMORY_PER_CART bytes; \`used_memory\` grew $USED_PER_CART bytes per cart over the last 9,000."
  echo
  echo "GET /cart of the same 1,000 carts at random, from a Redis holding only them (A) and from a copy (B) holding this many keys, in alternating rounds (driver: 2 of $((DURATION / 2)) s each; wrk: 3 of $((DURATION / 3)) s each):"
  echo
  echo "| Redis keys (B) | driver req/s (B) | driver p99 ms (B) | driver × A | wrk req/s (B) | wrk p99 ms (B) | wrk × A |"
  echo "|---|---|---|---|---|---|---|"
  mean() { awk '{ s += $1 } END { print s / NR }' "$1"; }
  worst() { awk '$2 + 0 > p + 0 { p = $2 } END { print p }' "$1"; }
  for row in "${SCALE_ROWS[@]}"; do
    read -r keys label <<<"$row"
    printf "| %'d | %'.0f | %.2f | %s | %s | %s |\n" "$keys" "$(mean "$WORK/scale-$label.b")" "$(worst "$WORK/scale-$label.b")" \
      "$(ratio "$(mean "$WORK/scale-$label.b")" "$(mean "$WORK/scale-$label.a")")" \
      "$(wrk_cell "scale-$label-b")" "$(wrk_ratio "scale-$label-b" "scale-$label-a")"
  done
  if [ "${#SOAK_LINES[@]}" -gt 0 ]; then
    echo
    echo "Soak, $SOAK s of the mix: $(tail -n 1 "$WORK/soak.txt"); resident memory (KiB) of serve / flush and flush backlog every 10 s:"
    echo
    printf '%s\n' "${SOAK_LINES[@]}" | awk '{ printf "%s/%s/%s  ", $1, $2, $3 } END { print "" }'
  fi
  echo
  echo "Against issue 5's targets, in this run:"
  echo
  echo "| target | driver | wrk |"
  echo "|---|---|---|"
  p99_ratio_wrk="–"
  [ -f "$WORK/wrk-get-cart.txt" ] && p99_ratio_wrk="$(ratio "$(wrk_p99 get-cart)" "$(wrk_p99 healthz)")"
  read -r _ largest <<<"${SCALE_ROWS[-1]}"
  echo "| \`GET /cart\` ≥ 0.6× \`/healthz\` (stretch 0.7×) | $(judged "$(ratio "$(rps "$WORK/get-cart.json")" "$ceiling")" ge 0.6) | $(judged "$(wrk_ratio get-cart)" ge 0.6) |"
  echo "| \`POST /cart/items\` ≥ 0.5× | $(judged "$(ratio "$(rps "$WORK/add-items.json")" "$ceiling")" ge 0.5) | $(judged "$(wrk_ratio add-items)" ge 0.5) |"
  echo "| p99 of \`GET /cart\` ≤ 2× \`/healthz\`'s | $(judged "$(ratio "$(p99 "$WORK/get-cart.json")" "$(p99 "$WORK/healthz.json")")" le 2) | $(judged "$p99_ratio_wrk" le 2) |"
  echo "| \`GET /cart\` at the most keys ≥ 0.9× of 1,000 carts alone | $(judged "$(ratio "$(mean "$WORK/scale-$largest.b")" "$(mean "$WORK/scale-$largest.a")")" ge 0.9) | $(judged "$(wrk_ratio "scale-$largest-b" "scale-$largest-a")" ge 0.9) |"
  echo "| Redis memory per 5-line cart ≤ 700 bytes | $(judged "$MEMORY_PER_CART" le 700) | |"
  if [ "${#SOAK_LINES[@]}" -gt 0 ]; then
    # Met when the soak passed and each process's largest resident sample is within 10 % of its
    # smallest; the backlog's peak is shown.
    soak_result="$(printf '%s\n' "${SOAK_LINES[@]}" | awk -v passed="$(grep -c PASSED "$WORK/soak.txt")" '
      NR == 1 || $1 < s0 { s0 = $1 } $1 > s1 { s1 = $1 } NR == 1 || $2 < f0 { f0 = $2 } $2 > f1 { f1 = $2 }
      $3 > b { b = $3 }
      END { met = passed > 0 && s1 <= 1.1 * s0 && f1 <= 1.1 * f0
            printf "serve %.2fx, flush %.2fx, backlog at most %d (%s)", s1 / s0, f1 / f0, b, met ? "met" : "missed" }')"
    echo "| soak of the mix: no error or lost update, memory flat (10 %), backlog bounded | $(tail -n 1 "$WORK/soak.txt"); $soak_result | |"
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
