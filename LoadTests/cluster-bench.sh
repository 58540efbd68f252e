#!/usr/bin/env bash
# One Redis against a 3-master Redis Cluster, in one run on this machine: builds release,
# starts its own single Redis (port 56391) and its own cluster (ports 21101-21103), both
# without persistence, and the project's PostgreSQL; then, for each in turn, a flusher and a
# server (port 8110) pointed at it, and the load driver's GET /cart, POST /cart/items and
# shopper mix (the mix also compares every finished cart with PostgreSQL). Prints the table;
# with --readme it replaces the README's "Deployment at scale" table.
# Usage: LoadTests/cluster-bench.sh [--readme]     DURATION=15 (seconds per run)
# Bounded: every run stops by itself; loopback only.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
source "$HERE/../scripts/services.sh"
cd "$ROOT"

UPDATE_README=0
case "${1:-}" in
  --readme) UPDATE_README=1 ;;
  "") ;;
  *) echo "usage: LoadTests/cluster-bench.sh [--readme]" >&2; exit 2 ;;
esac
DURATION="${DURATION:-15}"
SINGLE_PORT=56391
export HOTCART_CLUSTER_PORT=21101
source "$ROOT/scripts/cluster.sh"
PORT=8110
BASE="http://127.0.0.1:$PORT"
RESULTS="$HERE/results"
WORK="$LOCAL/cluster-bench"
mkdir -p "$RESULTS" "$WORK"
rm -f "$WORK"/*

log "building release"
swift build -c release 2>&1 | grep -E 'error|Compiling|Build' | tail -n 3 || true
BIN="$(swift build -c release --show-bin-path)"

if ! redis-cli -p "$SINGLE_PORT" ping >/dev/null 2>&1; then
  mkdir -p "$LOCAL/cluster-bench-redis"
  redis-server --port "$SINGLE_PORT" --bind 127.0.0.1 --dir "$LOCAL/cluster-bench-redis" --save "" \
    --appendonly no --hash-max-listpack-value 128 --daemonize yes \
    --logfile "$LOCAL/cluster-bench-redis/redis.log"
  for _ in $(seq 1 50); do redis-cli -p "$SINGLE_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
fi
start_cluster
MASTERS=("$CLUSTER_PORT" $((CLUSTER_PORT + 1)) $((CLUSTER_PORT + 2)))

psql_admin=(psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -qAt -v ON_ERROR_STOP=1)
"${psql_admin[@]}" -c "DROP DATABASE IF EXISTS hotcart_cluster_bench" \
  -c "CREATE DATABASE hotcart_cluster_bench OWNER hotcart"
export DATABASE_URL="postgres://hotcart:hotcart@127.0.0.1:$PG_PORT/hotcart_cluster_bench?sslmode=disable"
export SECRET_KEY=bench-secret-key HOST=127.0.0.1 PORT FLUSH_METRICS_PORT=8111 CART_COOKIE_SECURE=false
# As LoadTests/bench.sh: no per-session rate limit, a low bcrypt cost for the mix's sign-ups.
export CART_RATE_LIMIT_PER_MINUTE=0 PASSWORD_HASH_COST=4
"$BIN/hotcart" migrate >/dev/null
"$BIN/hotcart" seed >/dev/null

SERVE_PID=""
FLUSH_PID=""
stop_tier() {
  [ -n "$SERVE_PID" ] && kill -TERM "$SERVE_PID" "$FLUSH_PID" 2>/dev/null
  wait 2>/dev/null || true
  SERVE_PID=""
}
trap stop_tier EXIT

flusher_idle() {
  for _ in $(seq 1 240); do
    curl -sf "$BASE/metrics" | grep -q '^hotcart_flush_backlog 0' && return 0
    sleep 0.5
  done
}

# One deployment: a flusher and a server on REDIS_URL=$2, then the three runs.
measure() { # name redis-url
  local name="$1"
  export REDIS_URL="$2"
  "$BIN/hotcart" flush >"$WORK/$name-flush.log" 2>&1 &
  FLUSH_PID=$!
  "$BIN/hotcart" serve >"$WORK/$name-serve.log" 2>&1 &
  SERVE_PID=$!
  for _ in $(seq 1 100); do curl -sf -o /dev/null "$BASE/healthz" && break; sleep 0.1; done
  for scenario in get-cart add-items mix; do
    local extra=()
    [ "$scenario" = mix ] && extra=(--database "$DATABASE_URL")
    flusher_idle
    log "$name: $scenario ($DURATION s)"
    "$BIN/loadtest" run --url "$BASE" --scenario "$scenario" --duration "$DURATION" --warmup 2 --quiet \
      --json "$WORK/$name-$scenario.json" "${extra[@]}" | tail -n 2
  done
  stop_tier
}

redis-cli -p "$SINGLE_PORT" flushall >/dev/null
for port in "${MASTERS[@]}"; do redis-cli -p "$port" flushall >/dev/null; done
measure single "redis://127.0.0.1:$SINGLE_PORT/0"
measure cluster "$(printf 'redis://127.0.0.1:%s,' "${MASTERS[@]}" | sed 's/,$//')"

field() { python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print(r$2)" "$1"; }
rps() { field "$1" "['requests_per_second']"; }
p99() {
  python3 -c "import json,sys; rows=json.load(open(sys.argv[1]))['rows']
print(([x for x in rows if x['endpoint'] == 'all'] or rows)[0]['p99_milliseconds'])" "$1"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
stamp="$(date -u +%Y-%m-%d)"
cp "$WORK"/{single,cluster}-{get-cart,add-items,mix}.json "$RESULTS/" 2>/dev/null || true
{
  echo "Measured $stamp by \`LoadTests/cluster-bench.sh\` on $(nproc) cores ($(redis-server --version | awk '{ print $1, $3 }' | sed 's/v=//')): one \`hotcart serve\` and one \`hotcart flush\`, against one Redis, then against a 3-master cluster on the same machine; the driver, Redis, PostgreSQL, the flusher and the server share the cores. $DURATION s per run, 64 shoppers."
  echo
  echo "| run | one Redis req/s | p99 ms | 3-master cluster req/s | p99 ms | cluster × one |"
  echo "|---|---|---|---|---|---|"
  for scenario in get-cart add-items mix; do
    label="$(case $scenario in get-cart) echo "GET /cart, 5 lines";; add-items) echo "POST /cart/items";; mix) echo "shopper mix";; esac)"
    single="$WORK/single-$scenario.json"
    cluster="$WORK/cluster-$scenario.json"
    printf "| %s | %'.0f | %.2f | %'.0f | %.2f | %s |\n" "$label" "$(rps "$single")" "$(p99 "$single")" \
      "$(rps "$cluster")" "$(p99 "$cluster")" "$(ratio "$(rps "$cluster")" "$(rps "$single")")"
  done
  echo
  echo "Checks (no 5xx, no mismatch, the mix's carts equal in PostgreSQL): $(for run in single cluster; do for scenario in get-cart add-items mix; do printf '%s %s %s; ' "$run" "$scenario" "$(field "$WORK/$run-$scenario.json" "['passed'] and 'passed' or 'FAILED'")"; done; done | sed 's/; $//')."
} >"$RESULTS/cluster-bench.md"
cat "$RESULTS/cluster-bench.md"

if [ "$UPDATE_README" = 1 ]; then
  python3 - "$ROOT/README.md" "$RESULTS/cluster-bench.md" <<'PY'
import sys
readme, table = sys.argv[1], open(sys.argv[2]).read().strip()
text = open(readme).read()
start, end = "<!-- cluster-bench:start -->", "<!-- cluster-bench:end -->"
head, rest = text.split(start, 1)
_, tail = rest.split(end, 1)
open(readme, "w").write(head + start + "\n" + table + "\n" + end + tail)
PY
  log "README.md deployment table updated"
fi
