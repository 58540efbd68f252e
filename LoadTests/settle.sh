# Sourced by the load scripts. `settle BASE REDIS_PORT` waits (up to two minutes) until the
# flusher has written every change (`hotcart_flush_backlog 0` on BASE's /metrics) and the Redis
# on REDIS_PORT is neither rewriting its append-only file nor saving a snapshot (either forks
# and writes the whole dataset), so that neither falls into the next measurement.
settle() {
  local base="$1" redis_port="$2"
  for _ in $(seq 1 240); do
    if curl -sf "$base/metrics" | grep -q '^hotcart_flush_backlog 0' &&
      ! redis-cli -p "$redis_port" info persistence 2>/dev/null | grep -Eq '^(aof_rewrite|rdb_bgsave)_in_progress:1'; then
      return 0
    fi
    sleep 0.5
  done
}
