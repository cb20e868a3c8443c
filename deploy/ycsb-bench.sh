#!/usr/bin/env bash
# YCSB workloads A, B, C, F, E against one node over loopback and against the same shards
# in-process (--embedded), one after the other on the same disk, and prints throughput and
# p95/p99 latencies side by side. The workload files are YCSB's own (../shared/ycsb by default).
# Usage: deploy/ycsb-bench.sh [RECORDS] [OPS] [THREADS]    (defaults 100000 100000 8)
# Env: YCSB_DIR (workload files), BENCH_DIR (data), SCAN_OPS (run length of E, default OPS/10),
#      PORT (default 7499), CONNECTIONS (pipelined TCP connections of the client, default 1),
#      WARMUP (1, the default: each run phase first runs as many operations again, unmeasured, in
#      the same process, so both modes are measured after JIT tiering; 0: cold, as before 2026-12-03),
#      ANCHOR (1, the default: after the YCSB runs, redis-server's GET at the same concurrency, the
#      anchor for workload C over the network: redis-benchmark with THREADS clients, one request in
#      flight per client, RECORDS keys of 1,000-byte values (a YCSB record's size), OPS gets; printed
#      with the ratio network C / redis GET; skipped with a note when redis-server or redis-benchmark
#      is missing; 0: left out), ANCHOR_PORT (default PORT + 101).
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
anchor=${ANCHOR:-1}
anchor_port=${ANCHOR_PORT:-$((port + 101))}

echo "building (Release) ..." >&2
dotnet build -c Release "$root/src/ActorLsm.Cli" -v quiet -nologo >/dev/null
dotnet build -c Release "$root/src/ActorLsm.Server" -v quiet -nologo >/dev/null
cli="$root/src/ActorLsm.Cli/bin/Release/net10.0/actorlsm"
server="$root/src/ActorLsm.Server/bin/Release/net10.0/actorlsm-server.dll"

rm -rf "$work" && mkdir -p "$work"
server_pid=
redis_pid=
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  [ -n "$redis_pid" ] && kill "$redis_pid" 2>/dev/null || true
}
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

# The anchor: redis-server's GET at the same concurrency as the YCSB runs (see ANCHOR above).
redis_line=
if [ "$anchor" != 0 ]; then
  if command -v redis-server >/dev/null && command -v redis-benchmark >/dev/null; then
    echo "anchor: redis-server GET, $threads clients, $ops gets ..." >&2
    mkdir -p "$work/redis"
    redis-server --port "$anchor_port" --bind 127.0.0.1 --save '' --appendonly no --dir "$work/redis" >"$work/redis.out" 2>&1 &
    redis_pid=$!
    for _ in $(seq 1 60); do redis-cli -p "$anchor_port" ping 2>/dev/null | grep -q PONG && break; sleep 0.25; done
    # Three sets per key on average: about 95% of the keys exist when the gets run.
    redis-benchmark -p "$anchor_port" -t set -n $((records * 3)) -r "$records" -d 1000 -c "$threads" -q >/dev/null
    redis-benchmark -p "$anchor_port" -t get -n "$ops" -r "$records" -d 1000 -c "$threads" -P 1 --csv >"$work/redis-get.csv"
    kill "$redis_pid"; wait "$redis_pid" 2>/dev/null || true; redis_pid=
    redis_line=$(awk -F'","' '$1 == "\"GET" { printf "%.0f,%.0f,%.0f", $2, $6 * 1000, $7 * 1000 }' "$work/redis-get.csv")
  else
    echo "anchor: redis-server or redis-benchmark not installed (apt-get install redis-server redis-tools); left out" >&2
  fi
fi

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
if [ -n "$redis_line" ]; then
  IFS=, read -r redis_rps redis_p95 redis_p99 <<<"$redis_line"
  net_c=$(field "$work/network-run-c.txt" OVERALL 'Throughput(ops/sec)')
  printf '\nAnchor, same machine, same run: redis-server %s GET with redis-benchmark, %s clients, one request in flight each, %s keys of 1,000-byte values\n\n' \
    "$(redis-server --version | awk '{ print $3 }' | sed 's/v=//')" "$threads" "$records"
  printf '| workload | system | ops/sec | read p95 / p99 (us) | network C / anchor |\n'
  printf '|---|---|---:|---:|---:|\n'
  printf '| c | redis-server GET | %s | %s / %s | %s |\n' "$redis_rps" "$redis_p95" "$redis_p99" \
    "$(awk -v a="$net_c" -v b="$redis_rps" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }')"
fi
echo
echo "reports: $work/*.txt"
