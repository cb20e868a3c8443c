#!/usr/bin/env bash
# Runs RocksDB's db_bench and `actorlsm dbbench` with the same workload on the same disk, one
# after the other, and prints ops/sec for each, the ratio ActorLsm/RocksDB and each one's peak RSS.
# Usage: deploy/bench-vs-rocksdb.sh [NUM]   (default 1000000; BENCH_DIR overrides the data folder)
set -euo pipefail

num=${1:-1000000}
root=$(cd "$(dirname "$0")/.." && pwd)
work=${BENCH_DIR:-$root/data/bench}
benchmarks=fillseq,fillrandom,readrandom,seekrandom,readseq

need_apt=()
command -v db_bench >/dev/null 2>&1 || need_apt+=(rocksdb-tools)
[ -x /usr/bin/time ] || need_apt+=(time)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "installing ${need_apt[*]} ..." >&2
  apt-get update -qq >/dev/null && apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

echo "building actorlsm (Release) ..." >&2
dotnet build -c Release "$root/src/ActorLsm.Cli" -v quiet -nologo >/dev/null
actorlsm="$root/src/ActorLsm.Cli/bin/Release/net10.0/actorlsm"

rm -rf "$work" && mkdir -p "$work"
common=(--benchmarks=$benchmarks --num="$num" --key_size=16 --value_size=100
        --bloom_bits=10 --cache_size=67108864 --write_buffer_size=67108864)

echo "running db_bench (RocksDB $(dpkg-query -W -f='${Version}' librocksdb7.8 2>/dev/null || echo '?')) ..." >&2
/usr/bin/time -f '%M' -o "$work/rocksdb.rss" \
  db_bench "${common[@]}" --compression_type=none --threads=1 --db="$work/rocksdb" >"$work/rocksdb.out" 2>&1
rm -rf "$work/rocksdb"

echo "running actorlsm dbbench ..." >&2
/usr/bin/time -f '%M' -o "$work/actorlsm.rss" \
  "$actorlsm" dbbench "${common[@]}" --db="$work/actorlsm" >"$work/actorlsm.out" 2>&1
rm -rf "$work/actorlsm"

ops() { # file benchmark -> ops/sec
  awk -v b="$2" '$1 == b && $2 == ":" { for (i = 1; i <= NF; i++) if ($i == "ops/sec") { print $(i-1); exit } }' "$1"
}

printf '\nnum=%s key_size=16 value_size=100 bloom_bits=10 cache=64MiB write_buffer=64MiB compression=none, 1 thread, WAL on without fsync\n\n' "$num"
printf '| %-11s | %14s | %14s | %15s |\n' benchmark "RocksDB ops/s" "ActorLsm ops/s" "ActorLsm/RocksDB"
printf '|%s|%s|%s|%s|\n' ------------- ---------------- ---------------- -----------------
for b in ${benchmarks//,/ }; do
  r=$(ops "$work/rocksdb.out" "$b"); a=$(ops "$work/actorlsm.out" "$b")
  ratio=$(awk -v a="${a:-0}" -v r="${r:-0}" 'BEGIN { if (r > 0) printf "%.2f", a / r; else print "n/a" }')
  printf '| %-11s | %14s | %14s | %15s |\n' "$b" "${r:-n/a}" "${a:-n/a}" "$ratio"
done
rr=$(cat "$work/rocksdb.rss"); ar=$(cat "$work/actorlsm.rss")
printf '| %-11s | %11s MiB | %11s MiB | %15s |\n' "peak RSS" "$((rr / 1024))" "$((ar / 1024))" \
  "$(awk -v a="$ar" -v r="$rr" 'BEGIN { printf "%.2f", a / r }')"
echo
grep -E 'found' "$work/rocksdb.out" | sed 's/^/rocksdb:  /' || true
grep -E 'found' "$work/actorlsm.out" | sed 's/^/actorlsm: /' || true
echo "full outputs: $work/rocksdb.out $work/actorlsm.out"
