#!/usr/bin/env bash
# RESP throughput, one run, same machine, same client: redis-benchmark -t set,get,incr,mset -n N -c 50
# with -P 1 and -P 16 against
#   1. redis-server, appendonly yes, appendfsync everysec
#   2. redis-server, appendonly yes, appendfsync always (acknowledges after fsync, like ActorLsm)
#   3. garnet-server (dotnet tool), its defaults (no AOF)
#   4. garnet-server with AOF committed per operation (--aof --aof-commit-freq 0 --aof-commit-wait)
#   5. ActorLsm on one node, RESP listener, default durability (fsync per commit group before the reply)
# and prints the table with every ratio ActorLsm / other, then checks the targets
# (GET >= 0.7x redis everysec; SET >= 1.0x redis always). Every server gets a free port and a fresh
# directory under a temporary root, removed at the end.
#
# Environment: N (requests per test, default 200000), C (clients, default 50), TESTS (default
# set,get,incr,mset), SKIP_GARNET=1 to leave Garnet out. Needs redis-server and redis-benchmark
# (apt-get install redis-server redis-tools); installs garnet-server with `dotnet tool install -g`
# when missing. Exit 0 when both targets are met, 3 when one is missed.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-200000}
C=${C:-50}
TESTS=${TESTS:-set,get,incr,mset}
root=$(mktemp -d /tmp/actorlsm-resp-bench.XXXXXX)
results="$root/results.csv"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$root"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

wait_ping() {
  local port=$1
  for _ in $(seq 600); do
    if [ "$(redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null)" = "PONG" ]; then return 0; fi
    sleep 0.2
  done
  echo "server on port $port did not answer PING" >&2
  return 1
}

bench() {
  local name=$1 port=$2
  for p in 1 16; do
    echo "== $name -P $p" >&2
    redis-benchmark -h 127.0.0.1 -p "$port" -t "$TESTS" -n "$N" -c "$C" -P "$p" --csv 2>/dev/null \
      | tail -n +2 | sed "s/^/\"$name\",\"$p\",/" >> "$results"
  done
}

stop() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }

: > "$results"

for mode in everysec always; do
  port=$(free_port); dir="$root/redis-$mode"; mkdir -p "$dir"
  redis-server --port "$port" --bind 127.0.0.1 --dir "$dir" --save '' --appendonly yes --appendfsync "$mode" \
    --daemonize no > "$dir/log" 2>&1 &
  pid=$!; pids+=("$pid")
  wait_ping "$port"
  bench "redis-$mode" "$port"
  stop "$pid"
done

if [ "${SKIP_GARNET:-0}" != 1 ]; then
  garnet=$(command -v garnet-server || echo "$HOME/.dotnet/tools/garnet-server")
  if [ ! -x "$garnet" ]; then dotnet tool install -g garnet-server >&2; fi
  for mode in default aof; do
    port=$(free_port); dir="$root/garnet-$mode"; mkdir -p "$dir"
    extra=()
    # AOF committed per operation, acknowledged after the commit. RandomAccess: Garnet's native
    # Linux device needs libaio, which this host may lack.
    if [ "$mode" = aof ]; then extra=(--aof --aof-commit-freq 0 --aof-commit-wait --device-type RandomAccess); fi
    # -m/--index sized for a small machine (the defaults reserve 16 GiB of log memory).
    "$garnet" --port "$port" --bind 127.0.0.1 --checkpointdir "$dir" -m 1g --index 128m "${extra[@]}" > "$dir/log" 2>&1 &
    pid=$!; pids+=("$pid")
    wait_ping "$port"
    bench "garnet-$mode" "$port"
    stop "$pid"
  done
fi

server=src/ActorLsm.Server/bin/Release/net10.0/actorlsm-server
if [ ! -x "$server" ]; then dotnet build -c Release src/ActorLsm.Server >&2; fi
port=$(free_port); resp=$(free_port); dir="$root/actorlsm"; mkdir -p "$dir"
echo "actorlsm.resp.port = $resp" > "$dir/bench.conf"
"$server" --config "$dir/bench.conf" --data-dir "$dir/data" --port "$port" > "$dir/log" 2>&1 &
pid=$!; pids+=("$pid")
wait_ping "$resp"
bench actorlsm "$resp"
stop "$pid"

python3 - "$results" "$N" "$C" <<'PY'
import csv, sys
path, n, c = sys.argv[1], sys.argv[2], sys.argv[3]
rps = {}
for row in csv.reader(open(path)):
    if len(row) < 4:
        continue
    system, p, test, value = row[0], row[1], row[2].split(" ")[0], float(row[3])
    rps[(system, p, test)] = value
systems = [s for s in ["redis-everysec", "redis-always", "garnet-default", "garnet-aof", "actorlsm"] if any(k[0] == s for k in rps)]
others = [s for s in systems if s != "actorlsm"]
tests = []
for k in rps:
    if k[2] not in tests:
        tests.append(k[2])
print(f"redis-benchmark -n {n} -c {c}; requests per second (ratio = ActorLsm / that system)")
header = ["test", "-P"] + systems + [f"x {s}" for s in others]
print("| " + " | ".join(header) + " |")
print("|" + "---|" * len(header))
for test in tests:
    for p in ["1", "16"]:
        row = [test, p] + [f"{rps.get((s, p, test), 0):,.0f}" for s in systems]
        a = rps.get(("actorlsm", p, test), 0)
        row += [f"{a / rps[(s, p, test)]:.2f}" if rps.get((s, p, test)) else "-" for s in others]
        print("| " + " | ".join(row) + " |")
ok = True
for p in ["1", "16"]:
    for test, base, target in [("GET", "redis-everysec", 0.7), ("SET", "redis-always", 1.0)]:
        a, b = rps.get(("actorlsm", p, test)), rps.get((base, p, test))
        if a and b:
            met = a / b >= target
            ok &= met
            print(f"target {test} -P {p}: {a / b:.2f}x {base} (want >= {target}): {'met' if met else 'MISSED'}")
sys.exit(0 if ok else 3)
PY
