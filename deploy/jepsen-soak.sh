#!/usr/bin/env bash
# The Jepsen-style soak: at least 100 fault cycles against three actorlsm-server processes, each in
# its own network namespace (tests/ActorLsm.Jepsen.Tests, the Soak_ test), then the result table.
#
#   sudo deploy/jepsen-soak.sh [CYCLES]       CYCLES fault cycles (default 100, at least 1)
#
# Needs root (ip netns, veth, a bridge, iptables inside the node namespaces; nothing in the root
# namespace's firewall is changed). The cycles run in runs of ACTORLSM_JEPSEN_CYCLES_PER_RUN
# (default 25): each run starts a fresh cluster and ends by reading back every acknowledged add and
# comparing every shard's replicas by content. Faults are drawn at random from: isolate a node
# (link down), split 2/1 (iptables), kill -9 and restart, SIGSTOP/SIGCONT of the leader of most
# shards, kill -9 of the version manager's node, and a second kill -9 while a node catches up.
#
# Environment:
#   ACTORLSM_JEPSEN_SEED            repeat a schedule (the seed is printed at the start)
#   ACTORLSM_JEPSEN_CYCLES_PER_RUN  cycles per fresh cluster (default 25)
#   ACTORLSM_JEPSEN_OUT             where results go (default ./jepsen-results); a directory per
#                                   soak holds soak.log (every fault and cycle verdict, as it runs),
#                                   report.md (the table, rewritten after each run) and test.log
#   ACTORLSM_JEPSEN_NO_BUILD=1      skip the Release build
#
# Exit code: 0 when no acknowledged write was lost, no wrong value was read and replicas agree
# (stale reads from an old leader are reported but do not fail while read leases do not exist:
# tests/ActorLsm.Jepsen.Tests/Harness/Results.cs, KnownAnomalies); 1 otherwise; 2 for bad usage.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

cycles="${1:-100}"
if ! [[ "$cycles" =~ ^[0-9]+$ ]] || (( cycles < 1 )); then
  echo "usage: $0 [CYCLES]   (CYCLES >= 1, default 100)" >&2
  exit 2
fi
if [[ "$(id -u)" != 0 ]]; then
  echo "$0 needs root (network namespaces, veth, iptables)" >&2
  exit 2
fi

out="${ACTORLSM_JEPSEN_OUT:-./jepsen-results}/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out"
out=$(cd "$out" && pwd)

if [[ "${ACTORLSM_JEPSEN_NO_BUILD:-}" != 1 ]]; then
  echo "building tests/ActorLsm.Jepsen.Tests and the server (Release)..."
  dotnet build tests/ActorLsm.Jepsen.Tests -c Release >"$out/build.log" 2>&1 || { tail -n 30 "$out/build.log" >&2; exit 1; }
fi

echo "soak: $cycles cycles; log $out/soak.log; table $out/report.md"
status=0
ACTORLSM_JEPSEN_SOAK_CYCLES="$cycles" \
ACTORLSM_JEPSEN_LOG="$out/soak.log" \
ACTORLSM_JEPSEN_REPORT="$out/report.md" \
  dotnet test tests/ActorLsm.Jepsen.Tests -c Release --no-build \
    --filter "FullyQualifiedName~JepsenTests.Soak_" >"$out/test.log" 2>&1 || status=$?

if [[ -f "$out/report.md" ]]; then
  cat "$out/report.md"
else
  echo "no report was written; the end of the test output:" >&2
  tail -n 40 "$out/test.log" >&2
fi
grep -E "^(Passed|Failed)!|Skipped" "$out/test.log" || true
exit $(( status == 0 ? 0 : 1 ))
