#!/bin/bash
# Instructions per request of `flagc serve` (callgrind): single-flag evaluation of FLAG and the bare Hummingbird
# route (`POST /_fixed`), both with the 6-attribute body of measure-serve.sh. The figure that does not move with
# the machine's load, unlike the requests/s of measure-serve.sh and measure-serve-interleaved.sh.
#
# valgrind 3.19 crashes in Swift's async main (the main thread parks in `dispatch_main`), so the server runs in a
# harness (profile-serve/main.swift, a synchronous main) compiled and linked with the exact commands SwiftPM used
# for `flagc` (read from its build manifest), with flagc's own main left out: the objects measured are the release
# build's. A Python client sends WARMUP keep-alive requests per route, then COUNT between `callgrind_control -z`
# and `-d`; user-space instructions of the whole process (every thread) divided by COUNT.
#
# Usage: Benchmarks/scripts/profile-serve.sh
#        SAVE_HARNESS=/tmp/harness-before Benchmarks/scripts/profile-serve.sh   (keeps the harness, to compare later)
#        HARNESS=/tmp/harness-before FLAGC=/tmp/flagc-before Benchmarks/scripts/profile-serve.sh   (an earlier build)
# Environment: COUNT (default 2000), WARMUP (default 300), FLAG (default project.beta_features), SCRATCH (build
# folder, default .build), KEEP=1 keeps the work folder (callgrind.out.* for callgrind_annotate).
set -eu
cd "$(dirname "$0")/../.."
count=${COUNT:-2000}
warmup=${WARMUP:-300}
flag=${FLAG:-project.beta_features}
scratch=${SCRATCH:-.build}
if ! command -v valgrind >/dev/null 2>&1; then
    echo "installing valgrind (apt-get)" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >/dev/null && apt-get install -y -q valgrind >/dev/null
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/flagc-serve-profile.XXXXXX")
server=""
cleanup() {
    [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null || true
    [ "${KEEP:-0}" = 1 ] && echo "kept $work" || rm -rf "$work"
}
trap cleanup EXIT INT TERM

here=Benchmarks/scripts/profile-serve
if [ -n "${HARNESS:-}" ]; then
    harness=$HARNESS
    flagc=${FLAGC:?set FLAGC to a flagc binary (to compile the snapshot) along with HARNESS}
else
    swift build -c release --scratch-path "$scratch" --product flagc >/dev/null
    flagc="$(swift build -c release --scratch-path "$scratch" --show-bin-path)/flagc"
    python3 "$here/harness_commands.py" "$scratch/release.yaml" "$PWD/$here/main.swift" "$work" > "$work/commands"
    sh "$work/commands"
    # valgrind 3.19 cannot read the DWARF 5 debug information Swift 6 writes (it gives up on the image); the
    # symbol table is enough for callgrind's per-function figures.
    strip --strip-debug -o "$work/serve-profile.nodebug" "$work/serve-profile"
    harness="$work/serve-profile.nodebug"
    [ -x "$harness" ] || { echo "the harness did not link" >&2; exit 1; }
    [ -n "${SAVE_HARNESS:-}" ] && cp "$harness" "$SAVE_HARNESS"
fi

"$flagc" compile flags --out "$work/snapshot" >/dev/null
valgrind --tool=callgrind --callgrind-out-file="$work/callgrind.out.%p" "$harness" "$work/snapshot/snapshot.json" \
    > "$work/serve.out" 2> "$work/valgrind.err" &
server=$!
for _ in $(seq 1 600); do
    grep -q "^listening on " "$work/serve.out" 2>/dev/null && break
    kill -0 "$server" 2>/dev/null || { echo "the harness exited under valgrind:" >&2; tail -20 "$work/valgrind.err" >&2; exit 1; }
    sleep 0.1
done
port=$(sed -n 's/^listening on [^:]*:\([0-9]*\).*/\1/p' "$work/serve.out")
[ -n "$port" ] || { echo "the harness did not start" >&2; tail -20 "$work/valgrind.err" >&2; exit 1; }

echo "flagc serve under callgrind: $count requests per route after $warmup of warm-up, $(nproc) cores"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
dumps=0
for route in single fixed; do
    path=$([ "$route" = single ] && echo "/ofrep/v1/evaluate/flags/$flag" || echo /_fixed)
    python3 "$here/client.py" "$port" "$server" "$path" "$warmup" "$count"
    dumps=$((dumps + 1))
    dump="$work/callgrind.out.$server.$dumps"
    for _ in $(seq 1 100); do [ -s "$dump" ] && break; sleep 0.1; done
    total=$(sed -n 's/^totals: *\([0-9]*\).*/\1/p; s/^summary: *\([0-9]*\).*/\1/p' "$dump" | head -1)
    echo "$route: $((total / count)) instructions per request ($total for $count; $path)"
    echo "$route $((total / count))" >> "$work/figures"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
awk '{ n[$1] = $2 } END { printf "fixed / single = %.0f%%\n", 100 * n["fixed"] / n["single"] }' "$work/figures"
