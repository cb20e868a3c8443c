#!/usr/bin/env bash
# Coverage-guided fuzzing of the client frame decoder (FrameCodec and the Request/Response parsers
# behind it) and of the RESP parser, with AFL++ and SharpFuzz (fuzz/ActorLsm.Fuzz).
#
#   deploy/fuzz.sh [SECONDS] [TARGET...]      TARGET: frame, resp (default both, one after the other)
#
# Installs what is missing (afl++ from apt, the SharpFuzz.CommandLine 2.3.0 dotnet tool), publishes
# fuzz/ActorLsm.Fuzz, instruments ActorLsm.Protocol.dll, ActorLsm.Resp.dll and Google.Protobuf.dll
# with `sharpfuzz`, then runs afl-fuzz on each target for SECONDS (default 600), starting from the
# seed corpus in fuzz/ActorLsm.Fuzz/corpus/TARGET. Prints per target: executions, execs/s, corpus
# size (paths found), crashes, hangs. Findings stay in OUT/TARGET/default/{crashes,hangs} (OUT:
# $FUZZ_OUT, default /tmp/actorlsm-fuzz); replay one with
#   dotnet OUT/bin/ActorLsm.Fuzz.dll TARGET < FILE
# Run it niced on a shared machine: nice -n 10 deploy/fuzz.sh. Exit 0 when no crash and no hang.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-600}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(frame resp)
out=${FUZZ_OUT:-/tmp/actorlsm-fuzz}
export PATH="$PATH:$HOME/.dotnet/tools"

sudo_cmd=""
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null; then sudo_cmd=sudo; fi
if ! command -v afl-fuzz >/dev/null; then
  echo "fuzz.sh: installing afl++" >&2
  $sudo_cmd apt-get update -qq && $sudo_cmd apt-get install -y -qq afl++ >/dev/null
fi
if ! command -v sharpfuzz >/dev/null; then
  echo "fuzz.sh: installing SharpFuzz.CommandLine 2.3.0" >&2
  dotnet tool install --global SharpFuzz.CommandLine --version 2.3.0 >/dev/null
fi

rm -rf "$out"
mkdir -p "$out"
dotnet publish -c Release fuzz/ActorLsm.Fuzz -o "$out/bin" --nologo -v quiet >"$out/publish.log" 2>&1 \
  || { cat "$out/publish.log" >&2; exit 1; }
for dll in ActorLsm.Protocol.dll ActorLsm.Resp.dll Google.Protobuf.dll; do
  sharpfuzz "$out/bin/$dll" >/dev/null
done

# The runtime is not an AFL binary (SharpFuzz talks the fork-server protocol itself); no UI, no CPU
# pinning on a shared machine, and core dumps may go to a handler.
export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_NO_AFFINITY=1 AFL_SKIP_CPUFREQ=1 \
  AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_QUIET=1
status=0
summary=()
for target in "${targets[@]}"; do
  echo "fuzz.sh: fuzzing $target for $seconds s (log $out/$target.log)" >&2
  # -t: a run over 5 s is a hang; -m none: the runtime reserves far more virtual memory than it uses
  # (the targets check their own allocation bound).
  # The first dry run now and then reports "No instrumentation detected" on a loaded machine (seen
  # once in four starts, not with AFL_DEBUG); a fresh start then works.
  for attempt in 1 2 3; do
    rm -rf "${out:?}/$target"
    if afl-fuzz -i "fuzz/ActorLsm.Fuzz/corpus/$target" -o "$out/$target" -t 5000 -m none -V "$seconds" \
      -- dotnet "$out/bin/ActorLsm.Fuzz.dll" "$target" >"$out/$target.log" 2>&1; then
      break
    fi
    if [ "$attempt" -lt 3 ] && grep -q "No instrumentation detected" "$out/$target.log"; then
      echo "fuzz.sh: afl-fuzz saw no instrumentation in its first run of $target; starting again" >&2
      continue
    fi
    echo "fuzz.sh: afl-fuzz failed for $target:" >&2; tail -20 "$out/$target.log" >&2; exit 1
  done
  stats="$out/$target/default/fuzzer_stats"
  stat() { awk -v k="$1" '$1 == k { print $3 }' "$stats"; }
  execs=$(stat execs_done) run=$(stat run_time) corpus=$(stat corpus_count)
  crashes=$(stat saved_crashes) hangs=$(stat saved_hangs) found=$(stat corpus_found)
  rate=$(awk -v e="$execs" -v t="$run" 'BEGIN { printf "%.0f", (t > 0 ? e / t : 0) }')
  line="$target: $execs executions in $run s ($rate execs/s), corpus $corpus ($found new paths), $crashes crashes, $hangs hangs"
  summary+=("$line")
  if [ "$crashes" != 0 ] || [ "$hangs" != 0 ]; then
    status=1
    line="$line; findings in $out/$target/default/crashes and hangs"
  fi
  echo "$line"
done
echo "fuzz.sh summary ($(date -u +%FT%TZ), load average $(cut -d' ' -f1-3 /proc/loadavg)):"
printf '  %s\n' "${summary[@]}"
exit "$status"
