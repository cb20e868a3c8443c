#!/usr/bin/env bash
# Large values on the three-node local cluster (deploy/local-cluster.sh, hocon/node1-3.conf plus a
# RESP port per node): while a YCSB workload A run of small records goes on (4 threads), a loop
# writes 16 MiB values (the largest the store takes) through RESP, one at a time, round-robin over
# the nodes. Prints the large writes' count and mean time, the small operations' throughput, p99 and
# largest latency, and how often Akka's failure detector logged a late heartbeat ("heartbeat interval
# is growing too large"). This is the load PROTOCOL.md R14 (records in pieces) is about.
# Usage: deploy/large-value-bench.sh [OPS] [RECORDS]    (defaults 30000 5000)
# Env: YCSB_DIR (workload files), BENCH_DIR (data; default ./data/large-value-bench),
#      VALUE_MIB (default 16), RESP_BASE (RESP ports RESP_BASE+1..+3, default 7640).
# Needs redis-cli. Uses the local cluster's fixed ports (7401-7403, 2551-2553).
set -euo pipefail

ops=${1:-30000}
records=${2:-5000}
root=$(cd "$(dirname "$0")/.." && pwd)
ycsb=${YCSB_DIR:-$root/../shared/ycsb}
work=${BENCH_DIR:-$root/data/large-value-bench}
value_mib=${VALUE_MIB:-16}
resp_base=${RESP_BASE:-7640}
endpoints=127.0.0.1:7401,127.0.0.1:7402,127.0.0.1:7403
command -v redis-cli >/dev/null || { echo "redis-cli is missing (apt-get install redis-tools)" >&2; exit 2; }

echo "building (Release) ..." >&2
dotnet build -c Release "$root/src/ActorLsm.Cli" -v quiet -nologo >/dev/null
dotnet build -c Release "$root/src/ActorLsm.Server" -v quiet -nologo >/dev/null
cli="$root/src/ActorLsm.Cli/bin/Release/net10.0/actorlsm"

rm -rf "$work" && mkdir -p "$work/hocon"
cp "$root"/hocon/*.conf "$work/hocon/"
for k in 1 2 3; do printf '\nactorlsm.resp.port = %d\n' $((resp_base + k)) >>"$work/hocon/node$k.conf"; done
head -c $((value_mib * 1024 * 1024)) /dev/urandom >"$work/value"
export ACTORLSM_CLUSTER_DIR="$work/cluster" ACTORLSM_CONFIG_DIR="$work/hocon"
cleanup() { "$root/deploy/local-cluster.sh" stop >/dev/null 2>&1 || true; }
trap cleanup EXIT

echo "starting three nodes ..." >&2
"$root/deploy/local-cluster.sh" start 3 >"$work/start.out" 2>&1 || { cat "$work/start.out" >&2; exit 1; }
"$cli" ycsb --workload "$ycsb/workloada" --phase load --threads 8 --no-progress \
  -p recordcount="$records" -p operationcount="$records" --endpoint "$endpoints" >"$work/load.txt"

echo "workload A ($ops operations, 4 threads) while $value_mib MiB values are written ..." >&2
"$cli" ycsb --workload "$ycsb/workloada" --phase run --threads 4 --no-progress \
  -p recordcount="$records" -p operationcount="$ops" --endpoint "$endpoints" >"$work/run.txt" &
ycsb_pid=$!
n=0
start=$(date +%s.%N)
while kill -0 "$ycsb_pid" 2>/dev/null; do
  n=$((n + 1))
  redis-cli -c -p $((resp_base + (n % 3) + 1)) -x SET "large:$n" <"$work/value" >"$work/set.out" \
    || { echo "SET large:$n failed" >&2; cat "$work/set.out" >&2; exit 1; }
  grep -qx OK "$work/set.out" || { echo "SET large:$n answered: $(cat "$work/set.out")" >&2; exit 1; }
done
end=$(date +%s.%N)
wait "$ycsb_pid"

metric() { awk -F', ' -v m="$1" -v k="$2" '$1 == m && $2 == k { printf "%.0f", $3 }' "$work/run.txt"; }
late=$(cat "$work"/cluster/node*.log | grep -c "heartbeat interval is growing too large" || true)
echo
echo "| large writes | mean per large write | small ops/s | update p99 | update max | read p99 | read max | late-heartbeat warnings |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|"
awk -v n="$n" -v s="$start" -v e="$end" -v t="$(metric '[OVERALL]' 'Throughput(ops/sec)')" \
  -v up="$(metric '[UPDATE]' '99thPercentileLatency(us)')" -v um="$(metric '[UPDATE]' 'MaxLatency(us)')" \
  -v rp="$(metric '[READ]' '99thPercentileLatency(us)')" -v rm="$(metric '[READ]' 'MaxLatency(us)')" -v late="$late" \
  'BEGIN { printf "| %d | %.2f s | %d | %.1f ms | %.0f ms | %.1f ms | %.0f ms | %d |\n", n, (e - s) / n, t, up / 1000, um / 1000, rp / 1000, rm / 1000, late }'
