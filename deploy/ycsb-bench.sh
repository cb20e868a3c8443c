#!/usr/bin/env bash
# YCSB workloads A, B, C, F, E against one node over loopback and against the same shards
# in-process (--embedded), one after the other on the same disk, and prints throughput and
# p95/p99 latencies side by side. The workload files are YCSB's own (../shared/ycsb by default).
# Usage: deploy/ycsb-bench.sh [RECORDS] [OPS] [THREADS]    (defaults 100000 100000 8)
# Env: YCSB_DIR (workload files), BENCH_DIR (data), SCAN_OPS (run length of E, default OPS/10),
#      PORT (default 7499), CONNECTIONS (pipelined TCP connections of the client, default 1),
#      WARMUP (1, the default: each run phase first runs as many operations again, unmeasured, in
#      the same process, so both modes are measured after JIT tiering; 0: cold, as before 2026-12-03).
set -euo pipefail

records=${1:-100000}
ops=${2:-100000}
threads=${3:-8}
root=$(cd "$(dirname "$0")/.." && pwd)
ycsb=${YCSB_DIR:-$root/../shared/ycsb}
work=${BENCH_DIR:-$root/data/ycsb-bench}
scan_ops=${SCAN_OPS:-$((ops / 10))}
port=${PORT:-7499}
connections=${CONNECTIONS:-1}
warmup=${WARMUP:-1}

echo "building (Release) ..." >&2
dotnet build -c Release "$root/src/ActorLsm.Cli" -v quiet -nologo >/dev/null
dotnet build -c Release "$root/src/ActorLsm.Server" -v quiet -nologo >/dev/null
cli="$root/src/ActorLsm.Cli/bin/Release/net10.0/actorlsm"
server="$root/src/ActorLsm.Server/bin/Release/net10.0/actorlsm-server.dll"

rm -rf "$work" && mkdir -p "$work"
server_pid=
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true; }
trap cleanup EXIT

start_server() {
  dotnet "$server" --data-dir "$work/node" --port "$port" >"$work/server.out" 2>"$work/server.err" &
  server_pid=$!
  for _ in $(seq 1 120); do
    grep -q 'listening' "$work/server.out" 2>/dev/null && return 0
    kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.err" >&2; return 1; }
    sleep 0.5
  done
  echo "server did not start" >&2; return 1
}

# run MODE PHASE WORKLOAD OPS -> report file
run() {
  local mode=$1 phase=$2 wl=$3 n=$4 target warm=()
  [ "$phase" = run ] && [ "$warmup" != 0 ] && warm=(--warmup-ops "$n")
  if [ "$mode" = network ]; then target=(--endpoint "127.0.0.1:$port" --connections "$connections"); else target=(--embedded "$work/embedded"); fi
  "$cli" ycsb --workload "$ycsb/workload$wl" --phase "$phase" --threads "$threads" --no-progress \
    -p recordcount="$records" -p operationcount="$n" "${target[@]}" "${warm[@]}" >"$work/$mode-$phase-$wl.txt"
}

for mode in network embedded; do
  echo "$mode: load $records records ..." >&2
  [ "$mode" = network ] && start_server
  run "$mode" load a "$records"
  for wl in a b c f e; do
    n=$ops; [ "$wl" = e ] && n=$scan_ops
    echo "$mode: run workload $wl ($n operations) ..." >&2
    run "$mode" run "$wl" "$n"
  done
  if [ "$mode" = network ]; then kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=; fi
done

field() { # file section metric
  awk -F', ' -v s="[$2]" -v m="$3" '$1 == s && $2 == m { printf "%.0f", $3; exit }' "$1"
}

printf '\nrecordcount=%s operationcount=%s (E: %s) threads=%s, client connections=%s, warm-up %s, 16 shards, WAL fsynced per commit group\n\n' "$records" "$ops" "$scan_ops" "$threads" "$connections" "$([ "$warmup" != 0 ] && echo 'as many operations first' || echo none)"
printf '| workload | mode | ops/sec | read p95 / p99 (us) | write p95 / p99 (us) | network/embedded |\n'
printf '|---|---|---:|---:|---:|---:|\n'
for wl in load a b c f e; do
  for mode in network embedded; do
    if [ "$wl" = load ]; then f="$work/$mode-load-a.txt"; else f="$work/$mode-run-$wl.txt"; fi
    tput=$(field "$f" OVERALL 'Throughput(ops/sec)')
    rd="$(field "$f" READ '95thPercentileLatency(us)') / $(field "$f" READ '99thPercentileLatency(us)')"
    [ "$wl" = e ] && rd="$(field "$f" SCAN '95thPercentileLatency(us)') / $(field "$f" SCAN '99thPercentileLatency(us)') (scan)"
    wsec=UPDATE; [ "$wl" = load ] || [ "$wl" = e ] && wsec=INSERT; [ "$wl" = f ] && wsec=READ-MODIFY-WRITE
    wr="$(field "$f" "$wsec" '95thPercentileLatency(us)') / $(field "$f" "$wsec" '99thPercentileLatency(us)')"
    [ "$wr" = " / " ] && wr="-"; [ "$rd" = " / " ] && rd="-"
    ratio=
    if [ "$mode" = embedded ]; then
      ratio=$(awk -v a="$net_tput" -v b="$tput" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }')
    else
      net_tput=$tput
    fi
    printf '| %s | %s | %s | %s | %s | %s |\n' "$wl" "$mode" "$tput" "$rd" "$wr" "$ratio"
  done
done
echo
echo "reports: $work/*.txt"
