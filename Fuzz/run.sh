#!/usr/bin/env bash
# Builds both libFuzzer targets of the Fuzz package and runs each for $FUZZ_SECONDS seconds (default 600), one
# after the other, then prints per target: executions, exec/s, corpus size, peak RSS, coverage, and whether a
# crash, leak, timeout or out-of-memory happened. Exits non-zero if any did (or a build failed).
#
# A local tool, not for CI: it takes FUZZ_SECONDS per target and both cores. It refuses to run when $CI is set.
#
#   Fuzz/run.sh                    # 600 s per target
#   FUZZ_SECONDS=60 Fuzz/run.sh
#
# Corpora grow in Fuzz/.build/corpus-<target> (kept between runs), seeded from Fuzz/Seeds/<kind>; crashing,
# leaking or slow inputs go to Fuzz/.build/artifacts-<target>/, logs to Fuzz/.build/logs/<target>.log.
# `-timeout=1` makes any input that runs longer than a second a failure.
set -uo pipefail

if [[ -n "${CI:-}" ]]; then
    echo "Fuzz/run.sh is a local tool and does not run in CI (CI=$CI)" >&2
    exit 2
fi

seconds="${FUZZ_SECONDS:-600}"
cd "$(dirname "$0")/.."

echo "== building (release, -sanitize=fuzzer,address)"
if ! swift build --package-path Fuzz -c release -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library; then
    echo "build failed" >&2
    exit 1
fi

# target  seeds  extra libFuzzer options
targets=(
    "SnapshotDecoderFuzzer Fuzz/Seeds/snapshots -max_len=20000"
    "FlagFileFuzzer Fuzz/Seeds/flag-files"
)

summary=()
failed=0
for entry in "${targets[@]}"; do
    read -r target seeds extra <<<"$entry"
    corpus="Fuzz/.build/corpus-$target"
    artifacts="Fuzz/.build/artifacts-$target"
    log="Fuzz/.build/logs/$target.log"
    mkdir -p "$corpus" "$artifacts" "$(dirname "$log")"
    marker="$(mktemp)"

    echo "== $target for ${seconds}s (log: $log)"
    # shellcheck disable=SC2086 # $extra is a list of options
    "Fuzz/.build/release/$target" "$corpus" "$seeds" \
        -max_total_time="$seconds" -timeout=1 -rss_limit_mb=2048 -detect_leaks=1 \
        -print_final_stats=1 -artifact_prefix="$artifacts/" $extra >"$log" 2>&1
    status=$?

    stat() { sed -n "s/^stat::$1: *//p" "$log" | tail -1; }
    last="$(grep -E '^#[0-9]+.* cov: ' "$log" | tail -1)"
    cov="$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<<"$last")"
    ft="$(sed -nE 's/.* ft: ([0-9]+).*/\1/p' <<<"$last")"
    corp="$(sed -nE 's/.* corp: ([0-9]+\/[0-9]+[a-zA-Z]*).*/\1/p' <<<"$last")"
    new_artifacts="$(find "$artifacts" -type f -newer "$marker" | sort | tr '\n' ' ')"
    rm -f "$marker"

    problems=()
    grep -q 'ERROR: LeakSanitizer' "$log" && problems+=("leak")
    grep -q 'ERROR: libFuzzer: timeout' "$log" && problems+=("timeout")
    grep -qE 'ERROR: libFuzzer: (out-of-memory|malloc limit)' "$log" && problems+=("out-of-memory")
    grep -qE 'ERROR: AddressSanitizer|ERROR: libFuzzer: deadly signal|Fatal error|Precondition failed' "$log" \
        && problems+=("crash")
    if ((status != 0)) && ((${#problems[@]} == 0)); then problems+=("exit status $status"); fi
    if ((${#problems[@]} > 0)); then
        failed=1
        verdict="FAILED: ${problems[*]}; inputs: ${new_artifacts:-none saved}"
    else
        verdict="ok"
    fi
    summary+=("$(printf '%-22s executions %s, %s exec/s, corpus %s (%s files on disk), peak RSS %s MB, cov %s, ft %s: %s' \
        "$target" "$(stat number_of_executed_units)" "$(stat average_exec_per_sec)" "${corp:-?}" \
        "$(find "$corpus" -type f | wc -l)" "$(stat peak_rss_mb)" "${cov:-?}" "${ft:-?}" "$verdict")")
done

echo "== summary (${seconds}s per target)"
printf '%s\n' "${summary[@]}"
exit "$failed"
