#!/bin/sh
# Time of `flagc test` on the project's flags/ with CASES generated cases (default 10,000) in three shapes: one
# entry whose matrix expands to CASES rows, CASES separate entries (50 files), and the same entries run in all
# four configured environments (4 × CASES results). Every case passes, so no explanation is built. Release build.
#
# Usage: Benchmarks/scripts/measure-test-cases.sh   (SCRATCH=DIR to build in another build folder, RUNS=N, CASES=N)
# Prints the median and the range of RUNS runs of each.
set -eu
cd "$(dirname "$0")/../.."
root=$(pwd)
scratch=${SCRATCH:-.build}
runs=${RUNS:-5}
cases=${CASES:-10000}
work=${TMPDIR:-/tmp}/flagc-test-bench
rm -rf "$work"
mkdir -p "$work/matrix" "$work/entries" "$work/everywhere"
swift build -c release --scratch-path "$scratch" --product flagc >/dev/null
flagc="$root/$scratch/release/flagc"
for shape in matrix entries everywhere; do
  cp -r flags "$work/$shape/flags"
  find "$work/$shape/flags" -name '*.test.y*ml' -delete
done
python3 - "$work" "$cases" <<'PY'
import math, os, sys
work, cases = sys.argv[1], int(sys.argv[2])
side = math.isqrt(cases)
assert side * side == cases, "CASES must be a square (100 × 100 matrix)"
# One entry, a 100 × 100 matrix: user × plan, on a flag whose rule reads the plan (project.max_members).
values = ", ".join(f"u{index}" for index in range(side))
plans = ", ".join(["free"] * (side - 2) + ["pro", "enterprise"])
with open(os.path.join(work, "matrix/flags/generated.test.yaml"), "w") as out:
    out.write("tests:\n  - name: members for ${user} on ${plan}\n    flag: project.max_members\n    env: production\n")
    out.write(f"    matrix: {{ user: [{values}], plan: [{plans}] }}\n")
    out.write("    context: { targetingKey: \"${user}\", plan: \"${plan}\" }\n    expect: { variant: \"${plan}\" }\n")
# CASES entries in 50 files, alternating three flags and expect fields.
def entry(index, env):
    kinds = [
        ("project.max_members", "{ targetingKey: u%d, plan: pro }", "{ variant: pro, rule: 2 }"),
        ("ui.density", "{ targetingKey: u%d, locale: ja-JP }", "{ variant: compact, reason: TARGETING_MATCH }"),
        ("auth.two_factor.enforced", "{ targetingKey: u%d, email: staff%d@example.com }", "{ value: true, rule: 1 }"),
    ]
    flag, context, expect = kinds[index % 3]
    context = context.replace("%d", str(index))
    lines = [f"  - name: case {index}", f"    flag: {flag}"]
    if env:
        lines.append("    env: production")
    lines += [f"    context: {context}", f"    expect: {expect}"]
    return "\n".join(lines) + "\n"
for shape, env, count in (("entries", True, cases), ("everywhere", False, cases // 4)):
    for file in range(50):
        with open(os.path.join(work, shape, "flags", f"generated{file:02}.test.yaml"), "w") as out:
            out.write("tests:\n")
            for index in range(file, count, 50):
                out.write(entry(index, env))
PY

measure() {
  label=$1; shift
  python3 "$root/Benchmarks/scripts/median-time.py" "$runs" "$label" -- "$@"
}
measure "one entry, ${cases}-row matrix" "$flagc" test "$work/matrix/flags" --now 2026-06-01T00:00:00Z
measure "${cases} entries in 50 files" "$flagc" test "$work/entries/flags" --now 2026-06-01T00:00:00Z
measure "$((cases / 4)) entries × 4 environments" "$flagc" test "$work/everywhere/flags" --now 2026-06-01T00:00:00Z
measure "${cases} entries, junit" "$flagc" test "$work/entries/flags" --format junit --now 2026-06-01T00:00:00Z
measure "validate ${cases} entries (read and check, no evaluation)" "$flagc" validate "$work/entries/flags" --now 2026-06-01T00:00:00Z
