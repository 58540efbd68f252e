#!/usr/bin/env bash
# Write-behind figures under a sustained write load, against a running `scripts/run`:
# wrk POSTs a new one-line cart per request for DURATION seconds (30), then this reads the
# flusher's hotcart_flush_lag_seconds histogram (change in Redis → commit in PostgreSQL) and
# prints the sustained write rate, the lag p50/p99 (bucket upper bounds) and how long the
# backlog took to drain after the load.
# Usage: CART_RATE_LIMIT_PER_MINUTE=0 scripts/run &  then  LoadTests/flush-lag.sh [base URL] [flusher metrics URL]
# Bounded: one wrk run of DURATION seconds, 2 threads, 64 connections, loopback only.
set -euo pipefail
BASE="${1:-http://127.0.0.1:8000}"
METRICS="${2:-http://127.0.0.1:8001/metrics}"
DURATION="${DURATION:-30}"
HERE="$(cd "$(dirname "$0")" && pwd)"
case "$BASE$METRICS" in http://127.0.0.1:*http://127.0.0.1:*) ;; *) echo "loopback targets only" >&2; exit 2;; esac

buckets() { curl -sf "$METRICS" | awk -F'[{}" ]+' '/^hotcart_flush_lag_seconds_bucket/ { print $3, $4 }'; }
backlog() { curl -sf "$METRICS" | awk '/^hotcart_flush_backlog / { print int($2) }'; }

before="$(buckets)"
out="$(wrk -t2 -c64 -d"${DURATION}s" -s "$HERE/wrk-post-item.lua" "$BASE/cart/items")"
rate="$(awk '/Requests\/sec/ { print $2 }' <<<"$out")"
non2xx="$(awk '/Non-2xx/ { print $5 }' <<<"$out")"
start=$(date +%s.%N)
for _ in $(seq 1 600); do
  sleep 0.5
  [ "$(backlog)" = 0 ] && break
done
drained=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
after="$(buckets)"

# Percentiles from the change in the cumulative buckets over the run.
paste <(echo "$before") <(echo "$after") | awk -v rate="$rate" -v non2xx="${non2xx:-0}" -v drained="$drained" '
  { le[NR] = $1; count[NR] = $4 - $2 }
  END {
    total = count[NR]
    for (i = 1; i <= NR; i++) {
      if (!p50 && count[i] >= 0.50 * total) p50 = le[i]
      if (!p99 && count[i] >= 0.99 * total) p99 = le[i]
    }
    printf "writes/s %s (non-2xx %s)   flushed %d records   lag p50 <= %ss   p99 <= %ss   backlog drained %ss after the load\n",
      rate, non2xx, total, p50, p99, drained
  }'
