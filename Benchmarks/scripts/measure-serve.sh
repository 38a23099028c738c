#!/bin/sh
# Load test of `flagc serve`: wrk against single-flag evaluation, bulk evaluation and the bare Hummingbird route
# (`--fixed-route`, POST /_fixed, a constant JSON body: the framework's floor), with 1 and 64 connections, while a
# background loop swaps the snapshot every second (two compiles of flags/ alternated by atomic rename). Reports
# requests/s, p50/p99 latency, errors (non-2xx and socket errors), RSS before and after, and the load average.
#
# Usage: Benchmarks/scripts/measure-serve.sh            (DURATION=30 seconds per run)
#        DURATION=10 Benchmarks/scripts/measure-serve.sh  (a quick run)
# Environment: DURATION (seconds per run), FLAG (the single-flag key), SCRATCH (build folder, default .build),
# FLAGC (a flagc binary to measure instead of building one, e.g. a copy of an earlier build), KEEP=1 keeps the
# work folder.
set -eu
cd "$(dirname "$0")/../.."
duration=${DURATION:-30}
flag=${FLAG:-project.beta_features}
scratch=${SCRATCH:-.build}
work=$(mktemp -d "${TMPDIR:-/tmp}/flagc-serve-load.XXXXXX")
server=""
swapper=""
cleanup() {
    [ -n "$swapper" ] && kill "$swapper" 2>/dev/null || true
    [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null || true
    [ "${KEEP:-0}" = 1 ] && echo "kept $work" || rm -rf "$work"
}
trap cleanup EXIT INT TERM

if ! command -v wrk >/dev/null 2>&1; then
    echo "installing wrk (apt-get)" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >/dev/null && apt-get install -y -q wrk >/dev/null
fi

if [ -n "${FLAGC:-}" ]; then
    flagc=$FLAGC
else
    swift build -c release --scratch-path "$scratch" --product flagc >/dev/null
    flagc="$(swift build -c release --scratch-path "$scratch" --show-bin-path)/flagc"
fi

# Two snapshots of flags/ that differ (the revision), so that every swap is a real reload.
"$flagc" compile flags --out "$work/a" --revision load-a >/dev/null
"$flagc" compile flags --out "$work/b" --revision load-b >/dev/null
mkdir -p "$work/serve"
cp "$work/a/snapshot.json" "$work/serve/snapshot.json"

cat > "$work/post.lua" <<'LUA'
-- POSTs one evaluation context; reports requests/s, p50/p99 (µs) and errors on one line.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"context":{"targetingKey":"user-1842","groups":["beta-testers"],"plan":"pro","tenant":"acme","country":"DE","app_version":"4.2.0"}}'
function done(summary, latency, requests)
  local e = summary.errors
  local seconds = summary.duration / 1e6
  io.write(string.format("RESULT rps=%.0f p50_us=%d p99_us=%d requests=%d non2xx=%d socket_errors=%d\n",
    summary.requests / seconds, latency:percentile(50), latency:percentile(99), summary.requests,
    e.status, e.connect + e.read + e.write + e.timeout))
end
LUA

"$flagc" serve "$work/serve/snapshot.json" --host 127.0.0.1 --port 0 --fixed-route --log-level warning \
    > "$work/serve.out" 2> "$work/serve.err" &
server=$!
for _ in $(seq 1 100); do
    grep -q "^listening on " "$work/serve.out" 2>/dev/null && break
    sleep 0.1
done
address=$(sed -n 's/^listening on \([^ ]*\).*/\1/p' "$work/serve.out")
[ -n "$address" ] || { echo "flagc serve did not start:" >&2; cat "$work/serve.err" >&2; exit 1; }
rss() { awk '/^VmRSS/ { print $2 }' "/proc/$server/status"; }

# The swapper: every second, the other snapshot replaces the served one by rename in the same folder.
(
    n=0
    while :; do
        sleep 1
        n=$((n + 1))
        if [ $((n % 2)) = 1 ]; then from=b; else from=a; fi
        cp "$work/$from/snapshot.json" "$work/serve/.snapshot.tmp"
        mv "$work/serve/.snapshot.tmp" "$work/serve/snapshot.json"
        echo "$n" > "$work/swaps"
    done
) &
swapper=$!

# Warm up each route briefly (first-request costs and NIO's allocator pools) before measuring.
for path in "/ofrep/v1/evaluate/flags/$flag" /ofrep/v1/evaluate/flags /_fixed; do
    wrk -t1 -c8 -d2s -s "$work/post.lua" "http://$address$path" >/dev/null
done
rss_before=$(rss)

echo "flagc serve load test: $(nproc) cores, ${duration} s per run, snapshot swapped every second, flag $flag"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-8s %5s %10s %9s %9s %8s %8s %9s %8s\n' route conns "req/s" "p50 ms" "p99 ms" non2xx sockerr "RSS KiB" load1
for connections in 1 64; do
    threads=$([ "$connections" = 1 ] && echo 1 || echo 2)
    for route in single bulk fixed; do
        case $route in
            single) path="/ofrep/v1/evaluate/flags/$flag" ;;
            bulk) path=/ofrep/v1/evaluate/flags ;;
            fixed) path=/_fixed ;;
        esac
        line=$(wrk -t"$threads" -c"$connections" -d"${duration}s" --latency -s "$work/post.lua" "http://$address$path" | grep '^RESULT')
        # shellcheck disable=SC2086
        set -- $line
        rps=${2#rps=}; p50=${3#p50_us=}; p99=${4#p99_us=}; non2xx=${6#non2xx=}; sockerr=${7#socket_errors=}
        printf '%-8s %5s %10s %9s %9s %8s %8s %9s %8s\n' "$route" "$connections" "$rps" \
            "$(awk "BEGIN { printf \"%.3f\", $p50 / 1000 }")" "$(awk "BEGIN { printf \"%.3f\", $p99 / 1000 }")" \
            "$non2xx" "$sockerr" "$(rss)" "$(cut -d' ' -f1 /proc/loadavg)"
        echo "$route $connections $rps" >> "$work/rates"
    done
done
rss_after=$(rss)
echo "RSS before: $rss_before KiB, after: $rss_after KiB; snapshot swaps: $(cat "$work/swaps" 2>/dev/null || echo 0)"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
for connections in 1 64; do
    awk -v c="$connections" '$2 == c { rate[$1] = $3 } END {
        printf "%d connection(s): single = %.0f%% of the fixed route, bulk = %.0f%%\n", c, 100 * rate["single"] / rate["fixed"], 100 * rate["bulk"] / rate["fixed"] }' "$work/rates"
done
if grep -q "error" "$work/serve.err"; then
    echo "server errors logged:"; grep "error" "$work/serve.err" | head -5
fi
