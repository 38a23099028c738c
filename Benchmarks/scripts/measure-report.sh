#!/bin/sh
# Time of `flagc report`: 10,000 generated flags (generate-flags.py, 100 files) without history, and 1,000 flags over
# 2,000 commits with --history (the repository of history-repository.sh, as measure-stale.sh uses). Release build.
#
# Usage: Benchmarks/scripts/measure-report.sh   (SCRATCH=DIR for another build folder, RUNS=N, FLAGS=N, HISTORY_FLAGS=N, COMMITS=N)
# Prints the median and the range of RUNS runs of each.
set -eu
cd "$(dirname "$0")/../.."
root=$(pwd)
scratch=${SCRATCH:-.build}
runs=${RUNS:-5}
count=${FLAGS:-10000}
history_count=${HISTORY_FLAGS:-1000}
commits=${COMMITS:-2000}
work=${TMPDIR:-/tmp}/flagc-report-bench
rm -rf "$work"
mkdir -p "$work"
swift build -c release --scratch-path "$scratch" --product flagc >/dev/null
flagc="$root/$scratch/release/flagc"
python3 Benchmarks/scripts/generate-flags.py "$work/generated" --flags "$count" --files 100 >/dev/null
sh Benchmarks/scripts/history-repository.sh "$work/repo" "$history_count" "$commits"
measure() {
  label=$1; shift
  python3 "$root/Benchmarks/scripts/median-time.py" "$runs" "$label" --summary 'wrote' -- "$@"
}
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || uptime)"
measure "$count flags, no history" "$flagc" report "$work/generated" --out "$work/site" --now 2026-12-01T00:00:00Z
cd "$work/repo"
measure "$history_count flags, history of $commits commits" "$flagc" report flags --out "$work/history-site" --history --now 2026-06-01T00:00:00Z
measure "$history_count flags, no history" "$flagc" report flags --out "$work/plain-site" --now 2026-06-01T00:00:00Z
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || uptime)"
