#!/usr/bin/env bash
# End-to-end smoke test of docker-compose.yml: three ActorLsm nodes in containers, driven from the
# host through the published client ports 127.0.0.1:7401..7403 with the `actorlsm` CLI.
#
#   1 up      `docker-compose down -v`, then `up -d --build`; wait until `actorlsm status --json`
#             shows 3 Up members named by compose service (node1..node3) and every shard with a
#             leader and a full in-sync set.
#   2 load    YCSB load (workloada, RECORDS records) through the published ports, exit 0 required.
#   3 kill    YCSB run phase; KILL_AFTER seconds in, `docker kill` KILL_NODE. The run must finish
#             with 0 failed updates (and 0 failed reads); prints the longest update latency. Then
#             wait for the majority to settle (every shard led, 2 Up members), `start` the killed
#             node and wait for catch-up (3 Up, every in-sync set full).
#   4 split   `docker network disconnect` PARTITION_NODE (at least PARTITION_SECS, and until the
#             split-brain resolver has decided, at most PARTITION_MAX_SECS) while a YCSB run goes
#             on: the minority (the disconnected node) must stop serving (the server exits with
#             code 3, "actorlsm-server downed, stopping", so its client port refuses), the majority
#             must keep serving (2 Up members, every shard led, a YCSB run against it with 0
#             failed operations; a YCSB run across the cut must also end with 0 failures). From
#             inside the cut-off container (the CLI is copied in) the script logs what the minority
#             reports and, 12s after the cut, whether it still answers reads (stale reads: shown)
#             and acknowledges writes (any acknowledged write fails the step). From the nodes' own log
#             lines it prints the timeline in seconds after the cut (minority sees the others
#             unreachable, majority leads the shards again, minority downed, minority exited). Then
#             reconnect (with its service alias).
#   5 rejoin  `start` the partitioned node, wait for catch-up (every in-sync set full), check
#             `actorlsm scan --count` == RECORDS, then `docker-compose down -v` (every node's log is
#             kept in the output directory first).
# Exit 0 only when every step passed; a summary (step, result, seconds, figures) is printed last.
#
# Needs: a Docker engine with docker-compose (or the compose plugin), the base images of
# deploy/Dockerfile (on machines without the official registry: deploy/docker/local-base-images.sh),
# the .NET SDK on the host (the CLI is built from src/ActorLsm.Cli), python3, and the YCSB workload
# files (YCSB_DIR, default ../shared/ycsb beside the repository). CI runs it only when
# ACTORLSM_DOCKER_TESTS=1. Tunables (environment): RECORDS=5000 RUN_OPS=30000 THREADS=8
# KILL_NODE=node2 KILL_AFTER=8 PARTITION_NODE=node3 PARTITION_SECS=20 PARTITION_MAX_SECS=90
# WAIT_SECS=180 (bound of every wait) KEEP=1 (leave the cluster up on failure, for inspection).
#
# Note on PARTITION_SECS: the split-brain resolver decides only after the unreachable set has been
# stable for actorlsm.cluster.split-brain-resolver.stable-after (20s) on top of failure detection
# (a few seconds), so a partition healed after exactly 20s is usually healed before any decision.
# The script therefore keeps the node disconnected until the minority was downed (bounded).
set -uo pipefail

cd "$(dirname "$0")/.."
REPO="$(pwd)"

RECORDS="${RECORDS:-5000}"
RUN_OPS="${RUN_OPS:-30000}"
THREADS="${THREADS:-8}"
KILL_NODE="${KILL_NODE:-node2}"
KILL_AFTER="${KILL_AFTER:-8}"
PARTITION_NODE="${PARTITION_NODE:-node3}"
PARTITION_SECS="${PARTITION_SECS:-20}"
PARTITION_MAX_SECS="${PARTITION_MAX_SECS:-90}"
WAIT_SECS="${WAIT_SECS:-180}"
KEEP="${KEEP:-0}"
YCSB_DIR="${YCSB_DIR:-$REPO/../shared/ycsb}"
WORKLOAD="$YCSB_DIR/workloada"
ENDPOINTS="127.0.0.1:7401,127.0.0.1:7402,127.0.0.1:7403"
NODES=(node1 node2 node3)
OUT="${SMOKE_OUT:-$(mktemp -d /tmp/compose-smoke.XXXXXX)}"
mkdir -p "$OUT"

if docker compose version >/dev/null 2>&1; then COMPOSE=(docker compose); else COMPOSE=(docker-compose); fi

# ---- reporting -------------------------------------------------------------------------------------
SUMMARY=()
FAILED=0
T0=$SECONDS
log() { printf '[smoke %4ds] %s\n' "$((SECONDS - T0))" "$*"; }
record() { SUMMARY+=("$(printf '%-7s %-4s %5ss  %s' "$1" "$2" "$3" "$4")"); }
fail() { log "FAIL: $*"; FAILED=1; }

finish() {
  local rc=$?
  [[ $FAILED == 1 ]] && rc=1
  echo
  echo "=== compose-smoke summary (outputs in $OUT) ==="
  printf '%s\n' "${SUMMARY[@]}"
  if [[ $rc != 0 ]]; then
    for n in "${NODES[@]}"; do "${COMPOSE[@]}" logs --no-color --tail=200 "$n" >"$OUT/$n.log" 2>&1 || true; done
    echo "FAILED (last 200 log lines of each node in $OUT/nodeK.log)"
    if [[ $KEEP == 1 ]]; then echo "KEEP=1: cluster left running"; else "${COMPOSE[@]}" down -v >/dev/null 2>&1 || true; fi
  else
    echo "PASSED (total $((SECONDS - T0))s)"
  fi
  exit "$rc"
}
trap finish EXIT

die() { fail "$*"; exit 1; }

# ---- helpers ---------------------------------------------------------------------------------------
cid() { "${COMPOSE[@]}" ps -q "$1"; }
port_of() { echo $((7400 + ${1#node})); }
# Endpoints of the given nodes, comma-separated.
endpoints_of() { local e=() n; for n in "$@"; do e+=("127.0.0.1:$(port_of "$n")"); done; (IFS=,; echo "${e[*]}"); }

# Checks one `actorlsm status --json` document on stdin against the expectations:
# $1 = Up+reachable members expected, $2 = in-sync set size expected for every shard,
# $3 = comma-separated service names the Up members must be (optional).
# Prints one line (members, shards led, in-sync sizes); exit 0 when all hold.
check_status() {
  python3 -c '
import json, sys
want_up, want_isr = int(sys.argv[1]), int(sys.argv[2])
names = set(filter(None, sys.argv[3].split(","))) if len(sys.argv) > 3 else set()
s = json.load(sys.stdin)
up = [m["address"] for m in s.get("members", []) if m.get("status") == "up" and m.get("reachable")]
shards = s.get("shards", [])
led = [x for x in shards if x.get("leader") and x.get("available", True)]
isr = sorted({len(x.get("inSync") or []) for x in shards})
full = [x for x in shards if len(x.get("inSync") or []) == want_isr]
# "node1:2551:uid" now; "akka.tcp://actorlsm@node1:2551" once members are Akka addresses.
hosts = {a.split("@")[-1].split(":")[0] for a in up}
ok = len(up) == want_up and len(led) == len(shards) == s.get("shardCount", len(shards)) and len(full) == len(shards)
if names: ok = ok and hosts == names
print("members up %d/%d %s; shards led %d/%d; in-sync sizes %s" % (len(up), want_up, ",".join(sorted(hosts)), len(led), len(shards), isr))
sys.exit(0 if ok else 1)
' "$@"
}

# Polls `status --json` on the endpoints until check_status "$@" holds; WAIT_SECS bound.
# Sets WAITED (seconds) and LAST_STATUS (the last line).
wait_status() {
  local endpoints="$1"; shift
  local start=$SECONDS
  LAST_STATUS="no answer"
  while (( SECONDS - start < WAIT_SECS )); do
    if "$CLI" status --json --endpoint "$endpoints" >"$OUT/status.json" 2>"$OUT/status.err"; then
      if LAST_STATUS="$(check_status "$@" <"$OUT/status.json")"; then WAITED=$((SECONDS - start)); return 0; fi
    else
      LAST_STATUS="status failed: $(head -c 200 "$OUT/status.err")"
    fi
    sleep 1
  done
  WAITED=$((SECONDS - start))
  return 1
}

# Reads a YCSB report: prints "<ops ok> <errors> <max latency ms>" for the section $2 of file $1.
ycsb_figures() {
  python3 -c '
import sys
sec, ok, err, mx = "[" + sys.argv[2] + "]", 0, 0, 0
for line in open(sys.argv[1]):
    p = [x.strip() for x in line.split(",")]
    if len(p) != 3 or p[0] != sec: continue
    if p[1] == "Return=OK": ok = int(p[2])
    elif p[1] == "Return=ERROR": err = int(p[2])
    elif p[1] == "MaxLatency(us)": mx = int(float(p[2]))
print(ok, err, "%.1f" % (mx / 1000.0))
' "$1" "$2"
}

ycsb() { "$CLI" ycsb --workload "$WORKLOAD" --threads "$THREADS" --no-progress -p recordcount="$RECORDS" "$@"; }

# ---- preconditions ---------------------------------------------------------------------------------
command -v python3 >/dev/null || die "python3 is needed to read status --json"
docker info >/dev/null 2>&1 || die "no Docker engine answers"
[[ -f "$WORKLOAD" ]] || die "no YCSB workload at $WORKLOAD (set YCSB_DIR)"
for img in $(awk '/^FROM /{print $2}' deploy/Dockerfile); do
  docker image inspect "$img" >/dev/null 2>&1 || docker pull "$img" >/dev/null 2>&1 \
    || die "base image $img missing and not pullable (here: deploy/docker/local-base-images.sh)"
done
CLI="${ACTORLSM_CLI:-$REPO/src/ActorLsm.Cli/bin/Release/net10.0/actorlsm}"
if [[ -z "${ACTORLSM_CLI:-}" ]]; then
  log "building the CLI (dotnet build -c Release src/ActorLsm.Cli)"
  dotnet build -c Release src/ActorLsm.Cli >"$OUT/cli-build.log" 2>&1 || die "CLI build failed ($OUT/cli-build.log)"
fi
[[ -x "$CLI" ]] || die "no CLI at $CLI"

# ---- 1 up ------------------------------------------------------------------------------------------
t=$SECONDS
log "1 up: ${COMPOSE[*]} down -v; up -d --build"
"${COMPOSE[@]}" down -v >"$OUT/down0.log" 2>&1 || true
if ! "${COMPOSE[@]}" up -d --build >"$OUT/up.log" 2>&1; then
  tail -20 "$OUT/up.log"; record "1 up" FAIL $((SECONDS - t)) "compose up failed ($OUT/up.log)"; die "compose up failed"
fi
built=$((SECONDS - t))
if wait_status "$ENDPOINTS" 3 3 node1,node2,node3; then
  record "1 up" ok $((SECONDS - t)) "build+up ${built}s, cluster formed in ${WAITED}s: $LAST_STATUS"
else
  record "1 up" FAIL $((SECONDS - t)) "$LAST_STATUS"; die "cluster did not form"
fi
log "  $LAST_STATUS"

# ---- 2 load ----------------------------------------------------------------------------------------
t=$SECONDS
log "2 load: ycsb load recordcount=$RECORDS threads=$THREADS"
if ycsb --phase load --endpoint "$ENDPOINTS" >"$OUT/load.txt" 2>"$OUT/load.err"; then
  read -r ok err mx < <(ycsb_figures "$OUT/load.txt" INSERT)
  tput="$(awk -F', ' '/Throughput/{printf "%.0f", $3}' "$OUT/load.txt")"
  if [[ "$ok" == "$RECORDS" && "$err" == 0 ]]; then
    record "2 load" ok $((SECONDS - t)) "$ok inserts, $tput ops/s, max ${mx} ms"
  else
    record "2 load" FAIL $((SECONDS - t)) "inserts ok=$ok err=$err"; fail "load incomplete"
  fi
else
  record "2 load" FAIL $((SECONDS - t)) "$(tail -1 "$OUT/load.err")"; die "load failed"
fi

# ---- 3 kill ----------------------------------------------------------------------------------------
t=$SECONDS
kill_cid="$(cid "$KILL_NODE")"
log "3 kill: ycsb run operationcount=$RUN_OPS; docker kill $KILL_NODE after ${KILL_AFTER}s"
ycsb --phase run -p operationcount="$RUN_OPS" --endpoint "$ENDPOINTS" >"$OUT/run-kill.txt" 2>"$OUT/run-kill.err" &
run_pid=$!
sleep "$KILL_AFTER"
if ! kill -0 "$run_pid" 2>/dev/null; then fail "the run ended before the kill (raise RUN_OPS)"; fi
docker kill "$kill_cid" >/dev/null || fail "docker kill $KILL_NODE failed"
killed_at=$SECONDS
wait "$run_pid"; run_rc=$?
read -r uok uerr umx < <(ycsb_figures "$OUT/run-kill.txt" UPDATE)
read -r rok rerr rmx < <(ycsb_figures "$OUT/run-kill.txt" READ)
run_ms="$(awk -F', ' '/RunTime/{print $3}' "$OUT/run-kill.txt")"
log "  run ended $((SECONDS - killed_at))s after the kill: updates ok=$uok err=$uerr max=${umx}ms; reads ok=$rok err=$rerr max=${rmx}ms"
figures="run ${run_ms}ms, updates ok=$uok failed=$uerr max ${umx} ms, reads ok=$rok failed=$rerr max ${rmx} ms"
if [[ $run_rc != 0 || "$uerr" != 0 || "$rerr" != 0 || $((uok + rok)) != "$RUN_OPS" ]]; then
  record "3 kill" FAIL $((SECONDS - t)) "$figures; $(tail -1 "$OUT/run-kill.err")"; fail "failed operations during the kill"
else
  record "3 kill" ok $((SECONDS - t)) "$figures"
fi
survivors=(); for n in "${NODES[@]}"; do [[ $n != "$KILL_NODE" ]] && survivors+=("$n"); done
t=$SECONDS
if wait_status "$(endpoints_of "${survivors[@]}")" 2 2; then
  log "  majority settled ${WAITED}s later: $LAST_STATUS"
else
  log "  majority did not settle: $LAST_STATUS"; fail "majority did not settle after the kill"
fi
settle=$WAITED
"${COMPOSE[@]}" start "$KILL_NODE" >>"$OUT/start.log" 2>&1 || fail "compose start $KILL_NODE failed"
if wait_status "$ENDPOINTS" 3 3 node1,node2,node3; then
  record "3 rejoin" ok $((SECONDS - t)) "majority settled in ${settle}s; $KILL_NODE back and caught up in ${WAITED}s"
else
  record "3 rejoin" FAIL $((SECONDS - t)) "$LAST_STATUS"; die "$KILL_NODE did not catch up"
fi

# ---- 4 split ---------------------------------------------------------------------------------------
t=$SECONDS
part_cid="$(cid "$PARTITION_NODE")"
net="$(docker inspect -f '{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}' "$part_cid" | awk '{print $1}')"
majority=(); for n in "${NODES[@]}"; do [[ $n != "$PARTITION_NODE" ]] && majority+=("$n"); done
log "4 split: docker network disconnect $net $PARTITION_NODE (>= ${PARTITION_SECS}s, until downed, <= ${PARTITION_MAX_SECS}s)"
ycsb --phase run -p operationcount="$RUN_OPS" --seed 2 --endpoint "$ENDPOINTS" >"$OUT/run-split.txt" 2>"$OUT/run-split.err" &
split_pid=$!
sleep 3
# The CLI goes into the minority's container too, to see what the node itself answers while cut off
# (the published port is unreachable from the host as soon as the container leaves the network).
docker cp "$(dirname "$CLI")/." "$part_cid:/tmp/actorlsm-cli" >/dev/null 2>&1 || log "  (could not copy the CLI into $PARTITION_NODE)"
part_port="$(port_of "$PARTITION_NODE")"
# Values are binary (and may hold newlines), so keep only lines that start like a YCSB key.
mapfile -t probe_keys < <("$CLI" scan --limit 8 --endpoint "$ENDPOINTS" 2>/dev/null | grep -aoE '^user[0-9]+' | head -8)
probed=0
split_fail=0
docker network disconnect "$net" "$part_cid" || fail "network disconnect failed"
cut_at=$SECONDS
cut_clock="$(date -u +%s.%N)"
downed_after=""
last_probe=""
while (( SECONDS - cut_at < PARTITION_MAX_SECS )); do
  state="$(docker inspect -f '{{.State.Status}} {{.State.ExitCode}}' "$part_cid")"
  if [[ -z "$downed_after" && "$state" == "exited 3" ]]; then downed_after=$((SECONDS - cut_at)); fi
  if [[ -n "$downed_after" ]] && (( SECONDS - cut_at >= PARTITION_SECS )); then break; fi
  if [[ "$state" == running* ]]; then
    # What the minority itself reports (members it sees reachable, shards it leads and serves).
    probe="$(docker exec "$part_cid" timeout 10 dotnet /tmp/actorlsm-cli/actorlsm.dll status --json --endpoint "127.0.0.1:$part_port" 2>/dev/null \
      | python3 -c '
import json, sys
try: s = json.load(sys.stdin)
except Exception: print("no answer"); sys.exit()
me = s.get("node", "")
reach = sum(1 for m in s.get("members", []) if m.get("reachable") and m.get("status") == "up")
host = lambda a: (a or "").split("@")[-1].split(":")[0]
own = [x for x in s.get("shards", []) if host(x.get("leader")) == host(me)]
print("sees %d reachable up; leads %d shards, %d available" % (reach, len(own), sum(1 for x in own if x.get("available"))))
 ' 2>/dev/null || true)"
    if [[ "$probe" != "$last_probe" ]]; then log "  minority at +$((SECONDS - cut_at))s: $probe"; last_probe="$probe"; fi
    # Once, after the majority has had time to take over (and before the resolver decides): ask
    # the minority itself to read and to overwrite some loaded keys. An acknowledged write here
    # would be a split-brain write and fails the step. The timeouts run inside the container: one
    # around `docker exec` would leave the CLI running there, holding requests that the server
    # drains (shutdown-timeout) before it exits when downed.
    if [[ $probed == 0 ]] && (( SECONDS - cut_at >= 12 )) && (( ${#probe_keys[@]} > 0 )); then
      probed=1
      at=$((SECONDS - cut_at)); reads_ok=0; writes_ok=0; pids=()
      for k in "${probe_keys[@]}"; do
        docker exec "$part_cid" timeout 8 dotnet /tmp/actorlsm-cli/actorlsm.dll get "$k" --endpoint "127.0.0.1:$part_port" >"$OUT/probe-get-$k" 2>&1 &
        pids+=("get:$!")
        docker exec "$part_cid" timeout 8 dotnet /tmp/actorlsm-cli/actorlsm.dll put "$k" minority-probe --endpoint "127.0.0.1:$part_port" >"$OUT/probe-put-$k" 2>&1 &
        pids+=("put:$!")
      done
      for p in "${pids[@]}"; do
        if wait "${p#*:}"; then [[ ${p%%:*} == get ]] && reads_ok=$((reads_ok + 1)) || writes_ok=$((writes_ok + 1)); fi
      done
      minority_io="at +${at}s the minority answered $reads_ok/${#probe_keys[@]} reads and acknowledged $writes_ok/${#probe_keys[@]} writes"
      log "  $minority_io (errors: $(cat "$OUT"/probe-put-* | grep -o 'NOT_[A-Z_]*\|UNAVAILABLE\|STALE_EPOCH\|cannot reach\|refused' | sort | uniq -c | tr -s ' \n' ' '))"
      [[ $writes_ok == 0 ]] || split_fail=1
      [[ $writes_ok == 0 ]] || fail "the minority acknowledged $writes_ok writes while cut off"
    fi
  fi
  sleep 1
done
docker logs "$part_cid" >"$OUT/minority.log" 2>&1 || true
for n in "${majority[@]}"; do docker logs "$(cid "$n")" >"$OUT/majority-$n.log" 2>&1 || true; done
# The partition's timeline from the nodes' own log lines (HH:MM:SS.mmm, UTC, same clock as the
# host), in seconds after the cut: when the minority saw the others unreachable, when the majority's
# nodes led the minority's shards again, when the resolver downed the minority, when it exited.
timeline="$(python3 - "$cut_clock" "$OUT/minority.log" "$OUT"/majority-*.log <<'PY'
import re, sys, datetime
cut = float(sys.argv[1])
day = datetime.datetime.fromtimestamp(cut, datetime.timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
def events(path):
    for line in open(path, errors="replace"):
        m = re.match(r"(\d\d):(\d\d):(\d\d\.\d+) ", line)
        if not m: continue
        t = day.timestamp() + int(m[1]) * 3600 + int(m[2]) * 60 + float(m[3])
        if t >= cut: yield t - cut, line
def first(path, pattern):
    return next((round(dt, 1) for dt, line in events(path) if re.search(pattern, line)), None)
mino, majs = sys.argv[2], sys.argv[3:]
relead = [dt for p in majs for dt, line in events(p) if re.search(r"shard \d+: leader at epoch", line)]
out = "unreachable +%ss; majority re-led %d shards by +%ss; downed +%ss; exited +%ss" % (
    first(mino, "Marking node\\(s\\) as UNREACHABLE"), len(relead), round(max(relead), 1) if relead else None,
    first(mino, "downed by the cluster"), first(mino, "shards closed; stopped"))
print(out)
PY
)"
log "  timeline after the cut: $timeline"
minority_ok=0
if [[ -n "$downed_after" ]] && grep -q 'actorlsm-server downed, stopping' "$OUT/minority.log"; then
  if "$CLI" status --endpoint "127.0.0.1:$(port_of "$PARTITION_NODE")" >"$OUT/minority.txt" 2>&1; then
    log "  minority still answers on its client port"; cat "$OUT/minority.txt"
  else
    minority_ok=1
    log "  minority downed itself ${downed_after}s after the cut (exit 3); its port: $(head -1 "$OUT/minority.txt")"
  fi
else
  log "  minority state after $((SECONDS - cut_at))s: $(docker inspect -f '{{.State.Status}} {{.State.ExitCode}}' "$part_cid")"
fi
if wait_status "$(endpoints_of "${majority[@]}")" 2 2; then
  majority_status="$LAST_STATUS"
  ycsb --phase run -p operationcount=2000 --seed 3 --endpoint "$(endpoints_of "${majority[@]}")" >"$OUT/run-majority.txt" 2>"$OUT/run-majority.err"
  read -r mok merr _ < <(ycsb_figures "$OUT/run-majority.txt" UPDATE)
  read -r mrok mrerr _ < <(ycsb_figures "$OUT/run-majority.txt" READ)
  majority_ok=$(( merr == 0 && mrerr == 0 && mok + mrok == 2000 ))
else
  majority_status="$LAST_STATUS"; majority_ok=0
fi
held=$((SECONDS - cut_at))
docker network connect --alias "$PARTITION_NODE" "$net" "$part_cid" || fail "network connect failed"
wait "$split_pid"; split_rc=$?
read -r suok suerr sumx < <(ycsb_figures "$OUT/run-split.txt" UPDATE)
read -r srok srerr srmx < <(ycsb_figures "$OUT/run-split.txt" READ)
split_figures="cut ${held}s; run across it: updates failed=$suerr max ${sumx} ms, reads failed=$srerr max ${srmx} ms (rc $split_rc)"
log "  $split_figures; majority: $majority_status"
if [[ $split_fail == 0 && $minority_ok == 1 && $majority_ok == 1 && "$suerr" == 0 && "$srerr" == 0 && $split_rc == 0 ]]; then
  record "4 split" ok $((SECONDS - t)) "minority exited ${downed_after}s after the cut ($timeline); ${minority_io:-no minority probe}; majority served 2000 ops; $split_figures"
else
  record "4 split" FAIL $((SECONDS - t)) "minority_ok=$minority_ok (downed after ${downed_after:-never}s) majority_ok=$majority_ok; $split_figures"
  fail "partition check failed"
fi

# ---- 5 rejoin --------------------------------------------------------------------------------------
t=$SECONDS
log "5 rejoin: start $PARTITION_NODE, wait for catch-up, scan --count"
"${COMPOSE[@]}" up -d "${NODES[@]}" >>"$OUT/start.log" 2>&1 || fail "compose up -d failed"
if wait_status "$ENDPOINTS" 3 3 node1,node2,node3; then
  caught="caught up in ${WAITED}s"
  count="$("$CLI" scan --count --endpoint "$ENDPOINTS" 2>"$OUT/scan.err")"
  if [[ "$count" == "$RECORDS" ]]; then
    record "5 rejoin" ok $((SECONDS - t)) "$caught; scan --count = $count"
  else
    record "5 rejoin" FAIL $((SECONDS - t)) "$caught; scan --count = '$count', expected $RECORDS"; fail "record count differs"
  fi
else
  record "5 rejoin" FAIL $((SECONDS - t)) "$LAST_STATUS"; fail "no catch-up after the partition"
fi
for n in "${NODES[@]}"; do "${COMPOSE[@]}" logs --no-color "$n" >"$OUT/$n.log" 2>&1 || true; done
if [[ $FAILED == 0 ]]; then
  t=$SECONDS
  "${COMPOSE[@]}" down -v >"$OUT/down.log" 2>&1 && record "down" ok $((SECONDS - t)) "down -v" || { record "down" FAIL $((SECONDS - t)) "down -v failed"; fail "down failed"; }
fi
