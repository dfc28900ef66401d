#!/usr/bin/env bash
# A local Dispatch cluster on loopback, one command: Debian's redis-server (membership, region journals and snapshots;
# append-only file with an fsync before every reply, docs/cluster.md "Durability") and three silos of Dispatch.Cluster
# with the four regions of cluster.json, each silo with the sidecar protocol's TCP edge (a connection names its region in
# Hello: DispatchClientOptions.Region; without one it gets the default region, sw). Ctrl-C stops everything.
#
#   samples/cluster/start-local.sh            run until Ctrl-C (logs and Redis data in samples/cluster/.local/)
#   samples/cluster/start-local.sh --probe    start, run `Dispatch.Cluster probe` against it (an order through every
#                                             region, then timed position updates), stop
#
# Environment: REDIS_PORT (6392), SILO_PORT (11111; the silos take 3 in a row), GATEWAY_PORT (30000), EDGE_PORT (7421),
# DATA (.local),
# UPDATES (position updates per region for --probe, 2000). Needs redis-server (Debian: apt-get install redis-server).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
REDIS_PORT="${REDIS_PORT:-6392}"
SILO_PORT="${SILO_PORT:-11111}"
GATEWAY_PORT="${GATEWAY_PORT:-30000}"
EDGE_PORT="${EDGE_PORT:-7421}"
DATA="${DATA:-$here/.local}"
UPDATES="${UPDATES:-2000}"
command -v redis-server >/dev/null || { echo "error: redis-server not found (Debian: apt-get install redis-server)" >&2; exit 1; }
mkdir -p "$DATA/redis"

echo "building Dispatch.Cluster (Release)"
dotnet build "$repo/src/Dispatch.Cluster/Dispatch.Cluster.csproj" -c Release -v quiet -nologo >/dev/null
silo_dll="$repo/src/Dispatch.Cluster/bin/Release/net10.0/Dispatch.Cluster.dll"

pids=()
stop() {
  # Only the processes this script started, newest first: the silos leave the cluster (membership and region snapshots
  # are written to Redis) before Redis goes. A silo that has not stopped in 40 s is killed.
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    kill "${pids[$i]}" 2>/dev/null || true
    for _ in $(seq 1 400); do kill -0 "${pids[$i]}" 2>/dev/null || break; sleep 0.1; done
    kill -9 "${pids[$i]}" 2>/dev/null || true
    wait "${pids[$i]}" 2>/dev/null || true
  done
}
trap stop EXIT
trap 'exit 130' INT TERM

# setsid: Ctrl-C in the terminal reaches only this script, which stops the children in order (silos, then Redis).
setsid redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$DATA/redis" --appendonly yes --appendfsync always --save "" \
  --logfile "$DATA/redis.log" &
pids+=($!)
for _ in $(seq 1 50); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
redis-cli -p "$REDIS_PORT" ping >/dev/null || { echo "error: redis-server did not answer on $REDIS_PORT (see $DATA/redis.log)" >&2; exit 1; }
echo "redis-server on 127.0.0.1:$REDIS_PORT (data in $DATA/redis)"

for i in 0 1 2; do
  setsid dotnet "$silo_dll" --config "$here/cluster.json" --redis "127.0.0.1:$REDIS_PORT" \
    --silo-port $((SILO_PORT + i)) --gateway-port $((GATEWAY_PORT + i)) --port $((EDGE_PORT + i)) --default-region sw >"$DATA/silo-$i.log" 2>&1 &
  pids+=($!)
  echo "silo $i: TCP edge 127.0.0.1:$((EDGE_PORT + i)), silo port $((SILO_PORT + i)), gateway $((GATEWAY_PORT + i)), pid $!, log $DATA/silo-$i.log"
done

if [[ "${1:-}" == "--probe" ]]; then
  # The probe's client connects as soon as one gateway is in Redis; give all three a moment to join.
  sleep 5
  dotnet "$silo_dll" probe --redis "127.0.0.1:$REDIS_PORT" --cluster-id dispatch-local --regions nw,ne,sw,se \
    --points "5000 15000;15000 15000;5000 5000;15000 5000" --updates "$UPDATES"
  exit 0
fi
echo "cluster running; Ctrl-C stops it"
wait
