#!/bin/sh
# Measures loading a 10,000-flag snapshot, binary versus JSON: file sizes, load times (median of N runs),
# heap kept by the decoded snapshot and peak memory. Release builds throughout.
#
# Usage: Benchmarks/scripts/measure-snapshot-load.sh [FLAGS] [ITERATIONS]
# Set SCRATCH=DIR to build flagc in another build folder than .build.
set -eu
cd "$(dirname "$0")/../.."
flags=${1:-10000}
iterations=${2:-31}
scratch=${SCRATCH:-.build}
work=${TMPDIR:-/tmp}/flagc-snapshot-load
rm -rf "$work"
python3 Benchmarks/scripts/generate-flags.py "$work/flags" --flags "$flags" >/dev/null
swift build -c release --scratch-path "$scratch" --product flagc >/dev/null
"$(swift build -c release --scratch-path "$scratch" --show-bin-path)/flagc" compile "$work/flags" --out "$work/out" --now 2026-01-01T00:00:00Z
swift build -c release --package-path Benchmarks/scripts/snapshot-load >/dev/null
tool="$(swift build -c release --package-path Benchmarks/scripts/snapshot-load --show-bin-path)/snapshot-load"
"$tool" "$work/out/snapshot.bin" "$work/out/snapshot.json" "$iterations"
for form in bin json; do
    peak=$(/usr/bin/time -f %M "$tool" --once "$work/out/snapshot.$form" 2>&1 >/dev/null)
    echo "peak RSS of a process that loads snapshot.$form once: $peak KiB"
done
