#!/bin/sh
# Time of `flagc diff` on two 10,000-flag trees (generate-flags.py, three environments), one with every 10th flag changed (rollouts
# raised, tenants added, defaults flipped, flags removed and added), from folders and from two git revisions.
# Release build.
#
# Usage: Benchmarks/scripts/measure-diff.sh        (SCRATCH=DIR to build in another build folder, RUNS=N, FLAGS=N)
# Prints the median and the range of RUNS runs of each.
set -eu
cd "$(dirname "$0")/../.."
root=$(pwd)
scratch=${SCRATCH:-.build}
runs=${RUNS:-5}
count=${FLAGS:-10000}
work=${TMPDIR:-/tmp}/flagc-diff-bench
rm -rf "$work"
mkdir -p "$work"
swift build -c release --scratch-path "$scratch" --product flagc >/dev/null
flagc="$root/$scratch/release/flagc"
python3 Benchmarks/scripts/generate-flags.py "$work/base/flags" --flags "$count" --files 50 >/dev/null
# Three declared environments: each side is lowered and compared three times.
printf 'environments: [development, staging, production]\n' > "$work/base/flags/flagc.yaml"
cp -r "$work/base" "$work/head"
python3 - "$work/head/flags" <<'PY'
import os, re, sys
folder = sys.argv[1]
for index, name in enumerate(sorted(os.listdir(folder))):
    path = os.path.join(folder, name)
    text = open(path).read()
    text = text.replace("rollout: 25", "rollout: 40", 20)
    text = text.replace("tenants: [acme, globex, initech]", "tenants: [acme, globex, initech, umbrella]", 20)
    text = text.replace("default: low", "default: high", 10)
    open(path, "w").write(text)
PY
(cd "$work" && git init -q -b main repo && cp -r base/flags repo/ && cd repo && git add -A \
  && git -c user.name=bench -c user.email=bench@example.com commit -qm base && rm -rf flags && cp -r ../head/flags . \
  && git add -A && git -c user.name=bench -c user.email=bench@example.com commit -qm head)

measure() {
  label=$1; shift
  python3 "$root/Benchmarks/scripts/median-time.py" "$runs" "$label" --summary 'flags changed|no flag changed' -- "$@"
}
measure "folders, text" "$flagc" diff --base-dir "$work/base" --head-dir "$work/head" --now 2026-06-01T00:00:00Z
measure "folders, json" "$flagc" diff --base-dir "$work/base" --head-dir "$work/head" --format json --now 2026-06-01T00:00:00Z
cd "$work/repo"
measure "git revisions, markdown" "$flagc" diff HEAD~1 HEAD --format markdown --now 2026-06-01T00:00:00Z
