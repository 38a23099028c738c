#!/bin/bash
# One-connection ratio of `flagc serve`'s single-flag evaluation to the bare Hummingbird route (`POST /_fixed`),
# settled on a shared machine: wrk -c1 runs 1 s slices that alternate between the two routes (and between the
# binaries given), ROUNDS times, so that load that comes and goes falls on both routes alike. Prints the mean
# requests/s of each route and their ratio, per binary, and the load average.
#
# Usage: Benchmarks/scripts/measure-serve-interleaved.sh [FLAGC...]   (default: a release build of this tree)
# Environment: ROUNDS (default 15), CONNECTIONS (default 1; wrk uses 2 threads above 1), FLAG (the single-flag
# key), SCRATCH (build folder, default .build).
# Compare two builds: measure-serve-interleaved.sh /tmp/flagc-before .build/release/flagc
set -eu
cd "$(dirname "$0")/../.."
rounds=${ROUNDS:-15}
connections=${CONNECTIONS:-1}
threads=$([ "$connections" -gt 1 ] && echo 2 || echo 1)
flag=${FLAG:-project.beta_features}
scratch=${SCRATCH:-.build}
command -v wrk >/dev/null 2>&1 || { echo "wrk is needed (apt-get install wrk)" >&2; exit 1; }
if [ $# = 0 ]; then
    swift build -c release --scratch-path "$scratch" --product flagc >/dev/null
    set -- "$(swift build -c release --scratch-path "$scratch" --show-bin-path)/flagc"
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/flagc-serve-interleaved.XXXXXX")
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT INT TERM

binaries=("$@")
"$1" compile flags --out "$work/snapshot" >/dev/null
cat > "$work/post.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"context":{"targetingKey":"user-1842","groups":["beta-testers"],"plan":"pro","tenant":"acme","country":"DE","app_version":"4.2.0"}}'
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d\n", summary.requests, e.status + e.connect + e.read + e.write + e.timeout))
end
LUA
ports=()
for index in "${!binaries[@]}"; do
    binary=${binaries[$index]}
    "$binary" serve "$work/snapshot/snapshot.json" --host 127.0.0.1 --port 0 --fixed-route --log-level warning > "$work/serve.$index" 2>/dev/null &
    pids+=($!)
    for _ in $(seq 1 100); do grep -q "^listening on " "$work/serve.$index" 2>/dev/null && break; sleep 0.1; done
    port=$(sed -n 's/^listening on [^:]*:\([0-9]*\).*/\1/p' "$work/serve.$index")
    [ -n "$port" ] || { echo "$binary serve did not start" >&2; exit 1; }
    ports+=("$port")
done
single="/ofrep/v1/evaluate/flags/$flag"
for port in "${ports[@]}"; do
    for path in "$single" /_fixed; do wrk -t1 -c8 -d2s -s "$work/post.lua" "http://127.0.0.1:$port$path" >/dev/null; done
done
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
declare -A requests errors
for _ in $(seq 1 "$rounds"); do
    for index in "${!ports[@]}"; do
        for route in single fixed; do
            path=$([ "$route" = single ] && echo "$single" || echo /_fixed)
            # shellcheck disable=SC2046
            set -- $(wrk -t"$threads" -c"$connections" -d1s -s "$work/post.lua" "http://127.0.0.1:${ports[$index]}$path" | awk '/^RESULT/ { print $2, $3 }')
            requests[$index.$route]=$(( ${requests[$index.$route]:-0} + $1 ))
            errors[$index.$route]=$(( ${errors[$index.$route]:-0} + $2 ))
        done
    done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
for index in "${!ports[@]}"; do
    s=${requests[$index.single]}; f=${requests[$index.fixed]}
    echo "${binaries[$index]}: single $((s / rounds)) req/s, fixed $((f / rounds)) req/s," \
        "single = $((100 * s / f))% of fixed; errors ${errors[$index.single]} + ${errors[$index.fixed]}; $rounds rounds of 1 s slices, $connections connection(s)"
done
