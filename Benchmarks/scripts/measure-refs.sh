#!/bin/sh
# Throughput of `flagc refs`: the project's flags (flags/) looked for in a real source tree, by default the Swift
# package checkouts under .build/checkouts (walked as a plain folder: GIT_CEILING_DIRECTORIES keeps git from
# finding this repository, in which .build is ignored). Release build; the files are read once before timing, so
# the figure is the scan's, from the page cache.
#
# Usage: Benchmarks/scripts/measure-refs.sh        (SCRATCH=DIR to build in another build folder, RUNS=N, SOURCE=DIR)
# Prints the median and range of RUNS runs, the bytes scanned and the median throughput in MB/s (10^6 bytes).
set -eu
cd "$(dirname "$0")/../.."
root=$(pwd)
scratch=${SCRATCH:-.build}
runs=${RUNS:-7}
source=$(cd "${SOURCE:-.build/checkouts}" && pwd)
swift build -c release --scratch-path "$scratch" --product flagc >/dev/null
flagc="$root/$scratch/release/flagc"
cd "$source"
export GIT_CEILING_DIRECTORIES="$(dirname "$source")"
bytes=$("$flagc" refs --flags "$root/flags" --format json | python3 -c 'import json, sys; print(json.load(sys.stdin)["files"]["bytes"])')
line=$(python3 "$root/Benchmarks/scripts/median-time.py" "$runs" "flagc refs $source" -- "$flagc" refs --flags "$root/flags")
echo "$line"
median=$(echo "$line" | sed -n 's/.*median \([0-9.]*\) s.*/\1/p')
python3 -c "import sys; b, t = int(sys.argv[1]), float(sys.argv[2]); print(f'{b / 1e6:.1f} MB scanned; {b / 1e6 / t:.0f} MB/s (median); load average {open(\"/proc/loadavg\").read().split()[0]}; {__import__(\"os\").cpu_count()} cores')" "$bytes" "$median"
