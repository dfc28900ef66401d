#!/usr/bin/env bash
# The cluster's throughput curve (bench/results/cluster-throughput.md): position updates through the silos' TCP edges for
# 1, 2 and 4 regions, against the single-process sidecar (fsync Always) in the same run, same machine, minutes apart.
# Starts its own cluster (samples/cluster/start-local.sh on ports of its own) and stops it at the end. Reports of each
# run land in $OUT (default /tmp/dispatch-cluster-throughput).
#   bench/cluster-throughput.sh            CONNECTIONS (1,4,16), DURATION (8 s), COURIERS (200 per region)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
OUT="${OUT:-/tmp/dispatch-cluster-throughput}"
CONNECTIONS="${CONNECTIONS:-1,4,16}"
DURATION="${DURATION:-8}"
COURIERS="${COURIERS:-200}"
export REDIS_PORT="${REDIS_PORT:-6493}" SILO_PORT="${SILO_PORT:-11511}" GATEWAY_PORT="${GATEWAY_PORT:-30511}" EDGE_PORT="${EDGE_PORT:-7521}"
export DATA="${DATA:-$OUT/cluster}"
mkdir -p "$OUT"
dotnet build "$repo/bench/Dispatch.LoadTest" -c Release -v quiet -nologo >/dev/null
load="$repo/bench/Dispatch.LoadTest/bin/Release/net10.0/Dispatch.LoadTest.dll"
common=(--connections "$CONNECTIONS" --duration "$DURATION" --warmup 2 --couriers "$COURIERS")

echo "== sidecar (fsync Always)"
dotnet "$load" load --fsync Always "${common[@]}" --out "$OUT/sidecar.md"

echo "== cluster: 3 silos, Redis appendfsync always"
rm -rf "$DATA"
"$repo/samples/cluster/start-local.sh" > "$OUT/cluster.log" 2>&1 &
cluster=$!
trap 'kill $cluster 2>/dev/null; wait $cluster 2>/dev/null || true' EXIT
ports="$EDGE_PORT,$((EDGE_PORT + 1)),$((EDGE_PORT + 2))"
for _ in $(seq 1 120); do
  (exec 3<>"/dev/tcp/127.0.0.1/$((EDGE_PORT + 2))") 2>/dev/null && break
  sleep 1
done
sleep 3
dotnet "$load" load --port "$ports" --regions nw --corners "0 10000" "${common[@]}" --out "$OUT/cluster-1.md"
dotnet "$load" load --port "$ports" --regions nw,ne --corners "0 10000;10000 10000" "${common[@]}" --out "$OUT/cluster-2.md"
dotnet "$load" load --port "$ports" --regions nw,ne,sw,se --corners "0 10000;10000 10000;0 0;10000 0" "${common[@]}" --out "$OUT/cluster-4.md"
