#!/usr/bin/env bash
# Runs RocksDB's db_bench and `actorlsm dbbench` with the same workloads on the same disk,
# interleaved A/B (RocksDB then ActorLsm in odd rounds, the reverse in even rounds), and prints
# for each benchmark the best ops/sec of each over the rounds and the ratio ActorLsm/RocksDB,
# fsyncs per write for the synced benchmarks, SSTable bytes for the compressed runs and each
# one's peak RSS. Quote ratios, not absolute figures: the machine may be shared.
#
# Usage: deploy/bench-vs-rocksdb.sh [NUM] [SYNC_NUM]
#   NUM       keys of the unsynced and compressed workloads (default 1000000)
#   SYNC_NUM  synced writes per synced workload, split over the threads (default 20000)
# Environment: BENCH_DIR (data folder), ROUNDS (default 2), SETS (default "plain plain-t2 sync
#   compress"), ACTORLSM (an actorlsm binary to run instead of building this checkout, e.g. a
#   copy of another build's bin/Release/net10.0 for before/after runs).
# Sets: plain = the unsynced benchmarks on 1 thread; plain-t2 = the same on 2 threads. As in
#   db_bench 7.x, --num is per thread for every benchmark (each of the 2 threads of fillseq writes
#   keys 0..num-1, fillrandom/overwrite/readrandom/... do num operations each), so plain-t2 does
#   twice plain's operations on the same key space, identically on both sides.
set -euo pipefail

num=${1:-1000000}
snum=${2:-20000}
rounds=${ROUNDS:-2}
sets=${SETS:-plain plain-t2 sync compress}
root=$(cd "$(dirname "$0")/.." && pwd)
work=${BENCH_DIR:-$root/data/bench}
plain=fillseq,fillrandom,overwrite,readrandom,seekrandom,readseq,readwhilewriting,readrandomwriterandom,deleterandom

need_apt=()
command -v db_bench >/dev/null 2>&1 || need_apt+=(rocksdb-tools)
[ -x /usr/bin/time ] || need_apt+=(time)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "installing ${need_apt[*]} ..." >&2
  apt-get update -qq >/dev/null && apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if [ -n "${ACTORLSM:-}" ]; then
  actorlsm=$ACTORLSM
else
  echo "building actorlsm (Release) ..." >&2
  dotnet build -c Release "$root/src/ActorLsm.Cli" -v quiet -nologo >/dev/null
  actorlsm="$root/src/ActorLsm.Cli/bin/Release/net10.0/actorlsm"
fi
rocksdb_version=$(dpkg-query -W -f='${Version}' librocksdb7.8 2>/dev/null || echo '?')

rm -rf "$work" && mkdir -p "$work"
common=(--key_size=16 --value_size=100 --bloom_bits=10 --cache_size=67108864)

# run ENGINE CASE ROUND ARGS... : one process, output in $work/ENGINE.CASE.ROUND.{out,rss,du}
run() {
  local engine=$1 case=$2 round=$3; shift 3
  local out="$work/$engine.$case.$round" db="$work/db-$engine"
  rm -rf "$db"
  if [ "$engine" = rocksdb ]; then
    # --statistics (for rocksdb.wal.synced) costs RocksDB time per operation: synced cases only.
    local stats=()
    [[ $case == sync-* || $case == fillsync ]] && stats=(--statistics)
    /usr/bin/time -f '%M' -o "$out.rss" db_bench "${common[@]}" "${stats[@]}" --db="$db" "$@" >"$out.out" 2>&1
  else
    /usr/bin/time -f '%M' -o "$out.rss" "$actorlsm" dbbench "${common[@]}" --db="$db" "$@" >"$out.out" 2>&1
  fi
  if [ "$engine" = rocksdb ]; then # RocksDB deletes obsolete SSTables at once: every file is live
    find "$db" -name '*.sst' -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }' >"$out.du"
  else # obsolete SSTables may await deletion at the next open: count the live ones dbbench reports
    awk '$1 == "sstables" { print $3; exit }' "$out.out" >"$out.du"
  fi
  rm -rf "$db"
}

# Cases: NAME|BENCHMARKS|EXTRA ARGS (RocksDB gets --compression_type=none unless EXTRA sets it).
cases=()
for set in $sets; do
  case $set in
    plain) cases+=("plain|$plain|--num=$num --threads=1 --write_buffer_size=67108864") ;;
    plain-t2) cases+=("plain-t2|$plain|--num=$num --threads=2 --write_buffer_size=67108864") ;;
    sync)
      cases+=("sync-t1|fillrandom|--num=$snum --threads=1 --sync=true --write_buffer_size=67108864")
      cases+=("sync-t8|fillrandom|--num=$snum --writes=$((snum / 8)) --threads=8 --sync=true --write_buffer_size=67108864")
      cases+=("fillsync|fillsync|--num=$snum --threads=1 --write_buffer_size=67108864") ;;
    compress)
      for c in lz4 zstd; do
        # A 4 MiB write buffer so most data reaches SSTables, whose bytes are compared.
        cases+=("$c|fillrandom,readrandom|--num=$num --threads=1 --compression_type=$c --write_buffer_size=4194304")
      done ;;
  esac
done

for round in $(seq 1 "$rounds"); do
  for entry in "${cases[@]}"; do
    IFS='|' read -r name benchmarks extra <<<"$entry"
    # shellcheck disable=SC2086
    rargs=(--benchmarks="$benchmarks" $extra)
    [[ $extra == *compression_type* ]] || rargs+=(--compression_type=none)
    # shellcheck disable=SC2086
    aargs=(--benchmarks="$benchmarks" $extra)
    echo "round $round: $name ..." >&2
    if [ $((round % 2)) -eq 1 ]; then
      run rocksdb "$name" "$round" "${rargs[@]}"; run actorlsm "$name" "$round" "${aargs[@]}"
    else
      run actorlsm "$name" "$round" "${aargs[@]}"; run rocksdb "$name" "$round" "${rargs[@]}"
    fi
  done
done

ops() { # file benchmark -> ops/sec
  awk -v b="$2" '$1 == b && $2 == ":" { for (i = 1; i <= NF; i++) if ($i == "ops/sec") { print $(i-1); exit } }' "$1"
}
opcount() { # file benchmark -> operations
  awk -v b="$2" '$1 == b && $2 == ":" { for (i = 1; i <= NF; i++) if ($i == "operations;") { print $(i-1); exit } }' "$1"
}
best() { # engine case benchmark -> best ops/sec over the rounds
  local m=0 v
  for round in $(seq 1 "$rounds"); do
    v=$(ops "$work/$1.$2.$round.out" "$3"); v=${v:-0}
    [ "$v" -gt "$m" ] && m=$v
  done
  echo "$m"
}
maxfile() { # engine case ext -> max over the rounds
  local m=0 v
  for round in $(seq 1 "$rounds"); do v=$(cat "$work/$1.$2.$round.$3"); [ "$v" -gt "$m" ] && m=$v; done
  echo "$m"
}
fsyncs_per_write() { # engine case benchmark -> fsyncs per write, first round
  local f="$work/$1.$2.1.out"
  if [ "$1" = rocksdb ]; then
    awk -v s="$(awk '$1 == "rocksdb.wal.synced" { print $4 }' "$f")" -v n="$(opcount "$f" "$3")" \
      'BEGIN { if (n > 0) printf "%.4f", s / n; else print "n/a" }'
  else
    awk -v b="$3" '$1 == b && $2 == ":" { found = 1; next } found && $1 == "wal:" { printf "%.4f", $2 / $5; exit }' "$f"
  fi
}
ratio() { awk -v a="$1" -v r="$2" 'BEGIN { if (r > 0) printf "%.2f", a / r; else print "n/a" }'; }

printf '\nRocksDB %s db_bench vs actorlsm dbbench; key_size=16 value_size=100 bloom_bits=10 cache=64MiB write_buffer=64MiB; best of %s interleaved rounds\n' "$rocksdb_version" "$rounds"
printf 'load average at the end: %s\n\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '| %-28s | %14s | %14s | %8s | %s\n' case "RocksDB ops/s" "ActorLsm ops/s" ratio "notes"
printf '|%s|%s|%s|%s|%s\n' ------------------------------ ---------------- ---------------- ---------- -------
for entry in "${cases[@]}"; do
  IFS='|' read -r name benchmarks extra <<<"$entry"
  for b in ${benchmarks//,/ }; do
    r=$(best rocksdb "$name" "$b"); a=$(best actorlsm "$name" "$b")
    note=""
    case $name in
      sync-*|fillsync) note="fsyncs/write RocksDB $(fsyncs_per_write rocksdb "$name" "$b"), ActorLsm $(fsyncs_per_write actorlsm "$name" "$b")" ;;
      lz4|zstd) note="SSTable bytes RocksDB $(maxfile rocksdb "$name" du), ActorLsm $(maxfile actorlsm "$name" du)" ;;
    esac
    printf '| %-28s | %14s | %14s | %8s | %s\n' "$name $b" "$r" "$a" "$(ratio "$a" "$r")" "$note"
  done
  rr=$(maxfile rocksdb "$name" rss); ar=$(maxfile actorlsm "$name" rss)
  printf '| %-28s | %10s MiB | %10s MiB | %8s |\n' "$name peak RSS" "$((rr / 1024))" "$((ar / 1024))" "$(ratio "$ar" "$rr")"
done
echo
echo "full outputs: $work/{rocksdb,actorlsm}.CASE.ROUND.out"
