#!/bin/sh
# Peak memory and time of `flagc validate` on hostile single files up to the 16 MiB input limit: aliases,
# deep nesting, segment lattices, long lines, huge lists, many flags, many diagnostics. Release build.
#
# Usage: Benchmarks/scripts/measure-hostile-inputs.sh        (SCRATCH=DIR to build in another build folder)
# Prints one line per input: size, exit status, wall seconds, peak RSS (from /usr/bin/time -v).
set -eu
cd "$(dirname "$0")/../.."
scratch=${SCRATCH:-.build}
work=${TMPDIR:-/tmp}/flagc-hostile
rm -rf "$work"
mkdir -p "$work"
python3 - "$work" <<'PY'
import sys
work = sys.argv[1]
limit = 16 << 20

def write(name, text):
    data = text.encode()[:limit]
    open(f"{work}/{name}.yaml", "wb").write(data)

flag = "  demo.f{0}:\n    description: d\n    owner: o\n    default: false\n"
# 1. aliases: one anchor, hundreds of thousands of aliases.
write("aliases", "x: &a 1\nflags:\n" + "".join(f"  k{i}: *a\n" for i in range(1_400_000)))
# 2. deep nesting: flow sequences nested far past the depth limit.
write("nesting", "flags: " + "[" * (limit // 2 - 16) + "]" * (limit // 2 - 16) + "\n")
# 3. a segment lattice (8 wide, 12 deep): exponential once inlined.
lattice = "segments:\n" + "".join(f"  l0_{i}:\n    when: {{ groups: [g{i}] }}\n" for i in range(8))
for level in range(1, 13):
    below = ", ".join(f"l{level - 1}_{i}" for i in range(8))
    lattice += "".join(f"  l{level}_{i}:\n    when: {{ segments: [{below}] }}\n" for i in range(8))
write("lattice", lattice + "flags:\n" + flag.format(0) + "    rules:\n      - when: { segments: [l12_0] }\n        serve: true\n")
# 4. a chain of 99,999 segments (the entry limit), each referencing the previous one: segment-depth.
chain = "segments:\n  c0:\n    when: { groups: [g] }\n" + "".join(f"  c{i}:\n    when: {{ segments: [c{i - 1}] }}\n" for i in range(1, 99_999))
write("chain", chain + "flags:\n" + flag.format(0) + "    rules:\n      - when: { segments: [c99998] }\n        serve: true\n")
# 5. one 16 MiB line: a single long scalar.
write("long-line", "flags:\n  demo.f0:\n    description: " + "x" * (limit - 200) + "\n    owner: o\n    default: false\n")
# 6. a list at the entry limit, with long entries.
write("long-list", "flags:\n" + flag.format(0) + "    rules:\n      - when: { users: [" + ", ".join(f"user-{i:09d}" for i in range(99_999)) + "] }\n        serve: true\n")
# 7. 95,000 valid flags with a rule each, just under 16 MiB.
rich = "  demo.f{0}:\n    description: " + "d" * 40 + "\n    owner: o\n    default: false\n    rules:\n      - when: {{ tenants: [t{0}] }}\n        serve: true\n"
write("many-flags", "flags:\n" + "".join(rich.format(i) for i in range(95_000)))
# 8. 99,999 flags with five problems each: a bad key, an unknown field, no default, no owner, no description.
write("many-diagnostics", "flags:\n" + "".join(f"  Demo-{i}:\n    defualt: false\n    rules: [{{ serve: maybe }}]\n" for i in range(99_999)))
PY
swift build -c release --scratch-path "$scratch" --product flagc >/dev/null
flagc="$(swift build -c release --scratch-path "$scratch" --show-bin-path)/flagc"
printf '%-18s %10s %5s %8s %10s\n' input bytes exit seconds "peak RSS"
for file in "$work"/*.yaml; do
    name=$(basename "$file" .yaml)
    size=$(wc -c < "$file")
    set +e
    /usr/bin/time -v "$flagc" validate "$file" --now 2026-01-01T00:00:00Z > "$work/$name.out" 2> "$work/$name.time"
    status=$?
    set -e
    seconds=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$work/$name.time")
    peak=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$work/$name.time")
    printf '%-18s %10s %5s %8s %7s MB  %s\n' "$name" "$size" "$status" "$seconds" "$((peak / 1024))" "$(tail -1 "$work/$name.out" | cut -c1-60)"
done
