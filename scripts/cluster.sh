#!/usr/bin/env bash
# A local 3-master Redis Cluster on loopback (ports $CLUSTER_PORT, +1, +2; default 21001, so
# that each node's port and its cluster bus, the port + 10000, stay below the kernel's ephemeral
# ports, 32768 and up: an outgoing connection once held 47002 when the cluster started there and
# the node could not listen), data under .local/cluster/, for
# the tests that need a real cluster. `start_cluster with-replica` adds a replica of the first
# master on port +3 (the failover test promotes it). Sourced by scripts/test after services.sh
# (uses $LOCAL and log()); start_cluster is idempotent and exports HOTCART_TEST_CLUSTER_URL (the
# first node). Bounded: each wait gives up after 10 s.

CLUSTER_PORT="${HOTCART_CLUSTER_PORT:-21001}"

start_cluster() {
  local ports=("$CLUSTER_PORT" $((CLUSTER_PORT + 1)) $((CLUSTER_PORT + 2)))
  local replica=$((CLUSTER_PORT + 3))
  export HOTCART_TEST_CLUSTER_URL="redis://127.0.0.1:$CLUSTER_PORT/0"
  if redis-cli -p "$CLUSTER_PORT" cluster info 2>/dev/null | grep -q 'cluster_state:ok' &&
    { [ "${1:-}" != with-replica ] || redis-cli -p "$replica" cluster info 2>/dev/null | grep -q 'cluster_state:ok'; }; then
    return
  fi
  [ "${1:-}" = with-replica ] && ports+=("$replica")
  log "starting a 3-master Redis Cluster on 127.0.0.1:${ports[0]}-${ports[-1]}"
  for port in "${ports[@]}" "$replica"; do
    redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true
  done
  for port in "${ports[@]}"; do
    rm -rf "$LOCAL/cluster/$port"
    mkdir -p "$LOCAL/cluster/$port"
    redis-server --port "$port" --bind 127.0.0.1 --dir "$LOCAL/cluster/$port" --cluster-enabled yes \
      --cluster-config-file nodes.conf --cluster-node-timeout 2000 --save "" --appendonly no \
      --hash-max-listpack-value 128 --daemonize yes --logfile "$LOCAL/cluster/$port/redis.log"
  done
  for port in "${ports[@]}"; do
    for _ in $(seq 1 100); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
  done
  local masters=("${ports[@]:0:3}")
  redis-cli --cluster create "${masters[@]/#/127.0.0.1:}" --cluster-replicas 0 --cluster-yes >/dev/null
  if [ "${1:-}" = with-replica ]; then
    redis-cli --cluster add-node "127.0.0.1:$replica" "127.0.0.1:$CLUSTER_PORT" --cluster-slave \
      --cluster-master-id "$(redis-cli -p "$CLUSTER_PORT" cluster myid)" >/dev/null
  fi
  for _ in $(seq 1 100); do
    if redis-cli -p "$CLUSTER_PORT" cluster info 2>/dev/null | grep -q 'cluster_state:ok' &&
      { [ "${1:-}" != with-replica ] ||
        redis-cli -p "$replica" info replication 2>/dev/null | grep -q 'master_link_status:up'; }; then
      return
    fi
    sleep 0.1
  done
  log "the Redis Cluster did not come up; see $LOCAL/cluster/*/redis.log"
  return 1
}
