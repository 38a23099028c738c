#!/bin/sh
# Time of `flagc stale` reading history: 1,000 flags (generate-flags.py, 20 files, `type: release` on each) over
# 2,000 commits. Each commit after the first rewrites one file, changing one rollout (some to 100 %, so flags settle
# along the way), with a commit date one hour after the previous one. Built with git fast-import. Release build.
#
# Usage: Benchmarks/scripts/measure-stale.sh     (SCRATCH=DIR for another build folder, RUNS=N, FLAGS=N, COMMITS=N)
# Prints the median and the range of RUNS runs, with and without history.
set -eu
cd "$(dirname "$0")/../.."
root=$(pwd)
scratch=${SCRATCH:-.build}
runs=${RUNS:-5}
count=${FLAGS:-1000}
commits=${COMMITS:-2000}
work=${TMPDIR:-/tmp}/flagc-stale-bench
rm -rf "$work"
mkdir -p "$work"
swift build -c release --scratch-path "$scratch" --product flagc >/dev/null
flagc="$root/$scratch/release/flagc"
sh Benchmarks/scripts/history-repository.sh "$work/repo" "$count" "$commits"
cd "$work/repo"
measure() {
  label=$1; shift
  python3 "$root/Benchmarks/scripts/median-time.py" "$runs" "$label" --summary 'findings in' -- "$@"
}
measure "history of $commits commits" "$flagc" stale flags --now 2026-06-01T00:00:00Z
measure "no history" "$flagc" stale flags --now 2026-06-01T00:00:00Z --no-history
