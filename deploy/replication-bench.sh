#!/usr/bin/env bash
# The cost of replication and the failover time, measured with YCSB (../shared/ycsb):
#   1. one node, replication off (single-node mode) on 127.0.0.1:7499: load, run A, run C;
#   2. the three-node local cluster (deploy/local-cluster.sh, hocon/node1-3.conf: RF 3,
#      min-insync-replicas 2, default settings): the same load and runs against all three endpoints;
#   3. failover: a run of workload A during which node 3 (not the version manager's node) and then,
#      in a second run, node 1 (the version manager's) is killed with SIGKILL; the largest update
#      latency of the run is the failover time as a client sees it (an update to a shard the dead
#      node led is retried until the new leader acknowledges it).
# Prints a markdown table: throughput and p99 per workload, replicated/unreplicated ratio.
# Usage: deploy/replication-bench.sh [RECORDS] [OPS] [THREADS]   (defaults 20000 50000 8)
# Env: YCSB_DIR (workload files), BENCH_DIR (data; default ./data/replication-bench),
#      PHASES (default "single cluster failover"; e.g. PHASES=failover measures only the failovers,
#      after loading the cluster), CONNECTIONS (pipelined TCP connections of the client per
#      endpoint, default 1), FAILOVER (0 leaves out step 3, as PHASES="single cluster"),
#      WARMUP (1, the default: the A and C runs of steps 1 and 2 first run as many operations again,
#      unmeasured, in the same client process, after JIT tiering on both sides; 0: cold),
#      WAL_SYNC (none, batch or interval: actorlsm.storage.wal-sync-mode on both sides, the single
#      node and the three nodes, e.g. WAL_SYNC=none to price replication without any fsync; unset:
#      the configured default, batch).
set -euo pipefail

records=${1:-20000}
ops=${2:-50000}
threads=${3:-8}
root=$(cd "$(dirname "$0")/.." && pwd)
ycsb=${YCSB_DIR:-$root/../shared/ycsb}
work=${BENCH_DIR:-$root/data/replication-bench}
port=7499
connections=${CONNECTIONS:-1}
warm_ops=0
[ "${WARMUP:-1}" = 0 ] || warm_ops=$ops
default_phases="single cluster failover"
[ "${FAILOVER:-1}" != 0 ] || default_phases="single cluster"
phases=" ${PHASES:-$default_phases} "
has() { [[ "$phases" == *" $1 "* ]]; }
endpoints=127.0.0.1:7401,127.0.0.1:7402,127.0.0.1:7403

case "${WAL_SYNC:-}" in
  ""|none|batch|interval) ;;
  *) echo "WAL_SYNC must be none, batch or interval, got '$WAL_SYNC'" >&2; exit 2 ;;
esac

echo "building (Release) ..." >&2
dotnet build -c Release "$root/src/ActorLsm.Cli" -v quiet -nologo >/dev/null
dotnet build -c Release "$root/src/ActorLsm.Server" -v quiet -nologo >/dev/null
cli="$root/src/ActorLsm.Cli/bin/Release/net10.0/actorlsm"
server="$root/src/ActorLsm.Server/bin/Release/net10.0/actorlsm-server"

rm -rf "$work" && mkdir -p "$work"
export ACTORLSM_CLUSTER_DIR="$work/cluster"
single_config=()
if [ -n "${WAL_SYNC:-}" ]; then
  # The same overlay on both sides: hocon/nodeK.conf with the sync mode appended (a later HOCON key wins).
  mkdir -p "$work/config"
  printf 'actorlsm.storage.wal-sync-mode = %s\n' "$WAL_SYNC" >"$work/config/single.conf"
  for k in 1 2 3; do { cat "$root/hocon/node$k.conf"; echo; cat "$work/config/single.conf"; } >"$work/config/node$k.conf"; done
  single_config=(--config "$work/config/single.conf")
  export ACTORLSM_CONFIG_DIR="$work/config"
fi
single_pid=
cleanup() {
  [ -n "$single_pid" ] && kill "$single_pid" 2>/dev/null || true
  "$root/deploy/local-cluster.sh" stop >/dev/null 2>&1 || true
}
trap cleanup EXIT

ycsb_phase() { # name phase workload ops endpoint [warm-up ops]
  "$cli" ycsb --workload "$ycsb/workload$3" --phase "$2" --threads "$threads" --no-progress --connections "$connections" --warmup-ops "${6:-0}" \
    -p recordcount="$records" -p operationcount="$4" --endpoint "$5" >"$work/$1.txt"
}

field() { # file section metric
  awk -F', ' -v s="[$2]" -v m="$3" '$1 == s && $2 == m { printf "%.0f", $3; exit }' "$1"
}

# 1. one node, no replication
if has single; then
echo "single node: load $records, run A and C ($ops operations) ..." >&2
"$server" "${single_config[@]}" --data-dir "$work/single" --port "$port" >"$work/single.out" 2>"$work/single.err" &
single_pid=$!
for _ in $(seq 1 120); do grep -q 'listening' "$work/single.out" 2>/dev/null && break; sleep 0.5; done
ycsb_phase single-load load a "$records" "127.0.0.1:$port"
ycsb_phase single-a run a "$ops" "127.0.0.1:$port" "$warm_ops"
ycsb_phase single-c run c "$ops" "127.0.0.1:$port" "$warm_ops"
kill "$single_pid"; wait "$single_pid" 2>/dev/null || true; single_pid=
fi

# 2. three nodes, RF 3, min-insync 2
echo "three-node cluster: load $records, run A and C ($ops operations) ..." >&2
"$root/deploy/local-cluster.sh" start 3 >&2
# in_sync_count NODE_REMOTE: shards whose in-sync set names that node (any node: empty argument)
in_sync_count() {
  "$cli" status --json --endpoint "$2" 2>/dev/null | tr -d ' \n' | grep -o '"inSync":\[[^]]*\]' | grep -c "$1" || true
}
full_sync() { # every shard's in-sync set has three members
  [ "$("$cli" status --json --endpoint "$1" 2>/dev/null | tr -d ' \n' | grep -o '"inSync":\["[^"]*","[^"]*","[^"]*"\]' | wc -l)" -ge 16 ]
}
until full_sync 127.0.0.1:7401; do sleep 0.5; done
ycsb_phase cluster-load load a "$records" "$endpoints"
if has cluster; then
  ycsb_phase cluster-a run a "$ops" "$endpoints" "$warm_ops"
  ycsb_phase cluster-c run c "$ops" "$endpoints" "$warm_ops"
fi

# 3. failover: kill -9 during a run of A, then restart the node and wait until it is back in sync
failover() { # node name
  echo "failover: kill -9 node$1 during a run of A ..." >&2
  ycsb_phase "$2" run a "$ops" "$endpoints" &
  local run_pid=$!
  sleep 5
  kill -9 "$(cat "$ACTORLSM_CLUSTER_DIR/node$1.pid")"
  wait "$run_pid"
  "$root/deploy/local-cluster.sh" start 3 >&2
  local in_sync=0
  for _ in $(seq 1 240); do
    if [ "$(in_sync_count "127.0.0.1:255$1" 127.0.0.1:7402)" -ge 16 ]; then in_sync=1; break; fi
    sleep 0.5
  done
  [ "$in_sync" = 1 ] || echo "node$1 did not rejoin every in-sync set within 120 s" >&2
}
if has failover; then
  failover 3 failover-node3
  failover 1 failover-node1
fi
"$root/deploy/local-cluster.sh" stop >&2

printf '\nrecordcount=%s operationcount=%s threads=%s, client connections per endpoint=%s, 16 shards, wal-sync-mode %s\n\n' "$records" "$ops" "$threads" "$connections" "${WAL_SYNC:-batch (default: fsynced per commit group)}"
if has single && has cluster; then
printf '| workload | single node, no replication: ops/s | p99 read / write (us) | 3 nodes, RF 3: ops/s | p99 read / write (us) | replicated/single |\n'
printf '|---|---:|---:|---:|---:|---:|\n'
for wl in load a c; do
  s="$work/single-$wl.txt"; c="$work/cluster-$wl.txt"
  ws=UPDATE; [ "$wl" = load ] && ws=INSERT
  st=$(field "$s" OVERALL 'Throughput(ops/sec)'); ct=$(field "$c" OVERALL 'Throughput(ops/sec)')
  sl="$(field "$s" READ '99thPercentileLatency(us)') / $(field "$s" "$ws" '99thPercentileLatency(us)')"
  cl="$(field "$c" READ '99thPercentileLatency(us)') / $(field "$c" "$ws" '99thPercentileLatency(us)')"
  ratio=$(awk -v a="$ct" -v b="$st" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }')
  printf '| %s | %s | %s | %s | %s | %s |\n' "$wl" "$st" "$sl" "$ct" "$cl" "$ratio"
done
fi
has failover || exit 0
printf '\n| failover run (workload A) | ops/s | max update latency = failover seen by clients (s) | update errors |\n|---|---:|---:|---:|\n'
for name in failover-node3 failover-node1; do
  f="$work/$name.txt"
  max=$(field "$f" UPDATE 'MaxLatency(us)')
  errors=$(awk -F', ' '$1 == "[UPDATE]" && $2 ~ /Return=ERROR/ { print $3 }' "$f"); errors=${errors:-0}
  printf '| kill -9 %s | %s | %s | %s |\n' "${name#failover-}" "$(field "$f" OVERALL 'Throughput(ops/sec)')" "$(awk -v m="$max" 'BEGIN { printf "%.1f", m / 1e6 }')" "$errors"
done
