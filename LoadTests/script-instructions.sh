#!/usr/bin/env bash
# What the add script costs Redis, in instructions per call: exact to a few tenths of a percent
# from run to run, where timings on this machine's two shared cores vary by half. Starts a
# redis-server of its own under valgrind's callgrind (loopback, a free port, no persistence),
# loads cart_prelude.lua + add_item.lua as the server does, runs 500 adds unmeasured, then CALLS
# adds (3,000) of one unit to a new guest cart each (redis-benchmark, 4 connections), counting
# only those, and prints the server's instructions per add.
# Usage: LoadTests/script-instructions.sh [CALLS]     (needs valgrind and redis-tools; SCRIPTS=DIR
#        measures the scripts in DIR, e.g. an earlier commit's from `git show REV:PATH`)
# Bounded: 500 + CALLS commands, then the server is shut down.
set -euo pipefail
CALLS="${1:-3000}"
HERE="$(cd "$(dirname "$0")" && pwd)"
SCRIPTS="${SCRIPTS:-$HERE/../Sources/CartStore/Scripts}"
command -v valgrind >/dev/null || { echo "valgrind is not installed (apt-get install valgrind)" >&2; exit 2; }
command -v redis-benchmark >/dev/null || { echo "redis-benchmark is not installed (apt-get install redis-tools)" >&2; exit 2; }

work="$(mktemp -d)"
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$work/out" \
  redis-server --bind 127.0.0.1 --port "$port" --save '' --appendonly no --dir "$work" >"$work/log" 2>&1 &
server=$!
trap 'redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || kill "$server" 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.2; done

sha="$(redis-cli -p "$port" script load "$(cat "$SCRIPTS/cart_prelude.lua" "$SCRIPTS/add_item.lua")")"
now="$(date +%s%3N)"
# The arguments RedisCartStore gives an add (see cart_prelude.lua), the deadline an hour away.
adds() {
  redis-benchmark -p "$port" -c 4 -n "$1" -r 100000000 -q evalsha "$sha" 5 \
    'hc:{1}:cart:g:__rand_int__' 'hc:{1}:wb' 'hc:{1}:rate:g:__rand_int__' 'hc:{1}:revoked:' 'hc:{1}:idem:' \
    "$now" 611712000000 cart-id g:guest session-ref '' 0 99 100 1 \
    7 1 1999 'Product 7' AAAAAAAAAAAAAAAAAAAAAA '' $((now + 3600000)) >/dev/null
}
adds 500
callgrind_control -i on "$server" >/dev/null 2>&1
adds "$CALLS"
callgrind_control -i off "$server" >/dev/null 2>&1
callgrind_control -d "$server" >/dev/null 2>&1
redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true
wait "$server" 2>/dev/null || true
awk -v calls="$CALLS" '/^totals:/ { printf "%.0f instructions per add (%d adds to new carts)\n", $2 / calls, calls; exit }' \
  "$work/out.1"
