#!/usr/bin/env bash
# The GitHub Action's work (action.yml builds or restores flagc, then runs this): validate the flag files, run their
# test files, and on a pull request diff them against the base branch; annotations on standard output, a results
# table and the diff in the step summary, the counts as step outputs, JSON reports in a folder.
#
# Runs anywhere bash and git do, so it is tested outside GitHub (Tests/FlagcEndToEndTests/ActionScriptTests.swift)
# with the variables GitHub sets. It reads:
#
#   FLAGC                the flagc binary (default: flagc on PATH)
#   INPUT_PATHS          flag files or folders, separated by spaces or newlines (default: flags)
#   INPUT_FORMATS        comma-separated, any of github (annotations), text (plain diagnostics in the log),
#                        markdown (the step summary) (default: github,markdown)
#   INPUT_STRICT         true: warnings fail too (default: false)
#   INPUT_FAIL_ON        error (default) or warning (flagc validate --fail-on; the same as strict: true)
#   INPUT_DIFF_BASE      the revision to diff against (default: origin/$GITHUB_BASE_REF on a pull request, else
#                        no diff); none: no diff
#   INPUT_DIFF_FAIL_ON   risk ids (flagc diff --fail-on, comma-separated) that fail the step when the diff has them
#   INPUT_REPORT_DIR     where validate.json, validate.sarif, test.json and diff.json go (default: $RUNNER_TEMP/flagc-reports)
#   GITHUB_WORKSPACE     the checkout (default: the current folder)
#   GITHUB_BASE_REF      the pull request's base branch (set by GitHub on pull_request events)
#   GITHUB_STEP_SUMMARY  the step summary file (appended to, when set and markdown is among the formats)
#   GITHUB_OUTPUT        the step outputs file (appended to, when set): errors, warnings, files, tests-passed,
#                        tests-failed, changed-flags, report-dir, sarif-file, result
#
# Exit status: 0 when validate (and test, when there are test files) passed; 1 when either failed, the diff could
# not run (its base is missing) or has a risk of INPUT_DIFF_FAIL_ON; 2 for a bad input.
set -euo pipefail
set -f  # INPUT_PATHS is split on whitespace below; no globbing of its words

flagc="${FLAGC:-flagc}"
cd "${GITHUB_WORKSPACE:-.}"

usage_error() {
    echo "::error title=flagc action::$*"
    echo "flagc action: $*" >&2
    exit 2
}

# --- inputs ---------------------------------------------------------------------------------------------------------

paths=()
for path in ${INPUT_PATHS:-flags}; do paths+=("$path"); done
[ "${#paths[@]}" -gt 0 ] || paths=(flags)

show_github=false show_text=false show_markdown=false
IFS=', ' read -r -a formats <<<"${INPUT_FORMATS:-github,markdown}"
for format in "${formats[@]}"; do
    case "$format" in
        github) show_github=true ;;
        text) show_text=true ;;
        markdown) show_markdown=true ;;
        "") ;;
        *) usage_error "formats: unknown format '$format'; use github, text and markdown, comma-separated" ;;
    esac
done

strict=false
case "${INPUT_STRICT:-false}" in
    true | True | TRUE | 1 | yes) strict=true ;;
    false | False | FALSE | 0 | no | "") ;;
    *) usage_error "strict: '$INPUT_STRICT' is not true or false" ;;
esac
fail_on=error
case "${INPUT_FAIL_ON:-error}" in
    error | "") ;;
    warning) fail_on=warning ;;
    *) usage_error "fail-on: '$INPUT_FAIL_ON' is not error or warning" ;;
esac
# strict: true is fail-on: warning; flagc validate takes either.
[ "$strict" = true ] && fail_on=warning
strict_arguments=(--fail-on "$fail_on")
[ "$fail_on" = warning ] && strict=true
diff_fail_on="$(echo "${INPUT_DIFF_FAIL_ON:-}" | tr -d ' \n')"
diff_arguments=()
[ -n "$diff_fail_on" ] && diff_arguments=(--fail-on "$diff_fail_on")

if ! command -v "$flagc" >/dev/null 2>&1; then
    usage_error "no flagc at '$flagc'; set FLAGC to the binary or put flagc on PATH"
fi

report_dir="${INPUT_REPORT_DIR:-${RUNNER_TEMP:-${TMPDIR:-/tmp}}/flagc-reports}"
mkdir -p "$report_dir"
rm -f "$report_dir/validate.json" "$report_dir/test.json" "$report_dir/diff.json" "$report_dir/diff.md"

# Prints a field of a JSON report (a Python expression over the document `d`), or '?' when python3 is missing or the
# report is not there (flagc failed before writing it).
# Further arguments are sys.argv[3:] to the expression.
json_field() {
    local file="$1" expression="$2"
    if [ -s "$file" ] && command -v python3 >/dev/null 2>&1; then
        python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$file" "$expression" "${@:3}" 2>/dev/null || echo "?"
    else
        echo "?"
    fi
}

# Runs flagc with the given arguments once per human-facing format chosen (annotations, text); their output goes to
# standard output, so GitHub turns the annotations into marks on the files.
show() {
    if [ "$show_github" = true ]; then "$flagc" "$@" --format github || true; fi
    if [ "$show_text" = true ]; then NO_COLOR=1 "$flagc" "$@" --format text || true; fi
}

# "1 error", "2 errors", "? errors".
count() { if [ "$1" = 1 ]; then echo "1 $2"; else echo "$1 $2s"; fi; }

failed=false

# --- validate -------------------------------------------------------------------------------------------------------

# On a pull request whose base is in the clone with a merge base, a flag defined twice is reported in the file the
# pull request touched (flagc validate --base).
validate_base="${INPUT_DIFF_BASE:-}"
if [ -z "$validate_base" ] && [ -n "${GITHUB_BASE_REF:-}" ]; then validate_base="origin/$GITHUB_BASE_REF"; fi
if [ -n "$validate_base" ] && [ "$validate_base" != none ] && git merge-base HEAD "$validate_base" >/dev/null 2>&1; then
    strict_arguments+=(--base "$validate_base")
fi
echo "flagc validate ${paths[*]} ${strict_arguments[*]}" >&2
validate_status=0
"$flagc" validate "${paths[@]}" "${strict_arguments[@]}" --format json >"$report_dir/validate.json" || validate_status=$?
# For code scanning (github/codeql-action/upload-sarif with the sarif-file output); the same diagnostics.
"$flagc" validate "${paths[@]}" "${strict_arguments[@]}" --format sarif >"$report_dir/validate.sarif" || true
show validate "${paths[@]}" "${strict_arguments[@]}"
errors="$(json_field "$report_dir/validate.json" 'd["summary"]["errors"]')"
warnings="$(json_field "$report_dir/validate.json" 'd["summary"]["warnings"]')"
files="$(json_field "$report_dir/validate.json" 'd["summary"]["files"]')"
strict_note=""
[ "$strict" = true ] && strict_note=", warnings fail (strict)"
case "$validate_status" in
    0) validate_row="✅ $(count "$errors" error), $(count "$warnings" warning) in $(count "$files" file)" ;;
    1) validate_row="❌ $(count "$errors" error), $(count "$warnings" warning) in $(count "$files" file)${strict_note}"
       failed=true ;;
    *) validate_row="❌ flagc validate could not run (exit status $validate_status; see the log)"
       failed=true ;;
esac
# With errors in the flag files, test and diff would only report them again.
flags_broken=false
if [ "$validate_status" -ne 0 ] && [ "$errors" != 0 ]; then flags_broken=true; fi

# --- test -----------------------------------------------------------------------------------------------------------

tests_passed="" tests_failed=""
test_files="$(find "${paths[@]}" \( -name '*.test.yaml' -o -name '*.test.yml' \) -type f 2>/dev/null | head -1 || true)"
if [ -z "$test_files" ]; then
    test_row="➖ no test files (*.test.yaml)"
elif [ "$flags_broken" = true ]; then
    test_row="➖ not run: the flag files have errors"
else
    echo "flagc test ${paths[*]}" >&2
    test_status=0
    "$flagc" test "${paths[@]}" --format json >"$report_dir/test.json" || test_status=$?
    show test "${paths[@]}"
    tests_passed="$(json_field "$report_dir/test.json" 'd["summary"]["passed"]')"
    tests_failed="$(json_field "$report_dir/test.json" 'd["summary"]["failed"]')"
    case "$test_status" in
        0) test_row="✅ $tests_passed passed, $tests_failed failed" ;;
        1) test_row="❌ $tests_passed passed, $tests_failed failed"
           failed=true ;;
        *) test_row="❌ flagc test could not run (exit status $test_status; see the log)"
           failed=true ;;
    esac
fi

# --- diff -----------------------------------------------------------------------------------------------------------

base="${INPUT_DIFF_BASE:-}"
if [ -z "$base" ] && [ -n "${GITHUB_BASE_REF:-}" ]; then base="origin/$GITHUB_BASE_REF"; fi
changed_flags="" diff_row="" diff_ran=false
if [ -z "$base" ] || [ "$base" = none ]; then
    :
elif [ "$flags_broken" = true ]; then
    diff_row="➖ not run: the flag files have errors"
else
    if ! git rev-parse --verify --quiet "$base^{commit}" >/dev/null && [ "$base" = "origin/${GITHUB_BASE_REF:-}" ]; then
        # actions/checkout fetches one commit by default; the base branch's tip is all flagc diff needs.
        echo "flagc action: $base is not in this clone; fetching it" >&2
        git fetch --quiet --no-tags --depth=1 origin "+refs/heads/$GITHUB_BASE_REF:refs/remotes/origin/$GITHUB_BASE_REF" >&2 || true
    fi
    if ! git rev-parse --verify --quiet "$base^{commit}" >/dev/null; then
        message="the diff base '$base' is not in this clone; fetch the base branch: use actions/checkout with fetch-depth: 0 (or run git fetch origin ${GITHUB_BASE_REF:-BRANCH} first), or set diff-base: none"
        echo "::error title=flagc diff::$message"
        echo "flagc action: $message" >&2
        diff_row="❌ base \`$base\` not found: fetch it (actions/checkout with \`fetch-depth: 0\`)"
        failed=true
    else
        echo "flagc diff $base ${paths[*]} ${diff_arguments[*]}" >&2
        diff_status=0
        "$flagc" diff "$base" "${paths[@]}" "${diff_arguments[@]}" --format json >"$report_dir/diff.json" || diff_status=$?
        if [ "$diff_status" -eq 0 ] || { [ "$diff_status" -eq 1 ] && [ -n "$diff_fail_on" ] && [ -s "$report_dir/diff.json" ]; }; then
            "$flagc" diff "$base" "${paths[@]}" --format markdown >"$report_dir/diff.md" || true
            [ "$show_github" = true ] && { "$flagc" diff "$base" "${paths[@]}" --format github || true; }
            [ "$show_text" = true ] && { NO_COLOR=1 "$flagc" diff "$base" "${paths[@]}" --format text || true; }
            changed_flags="$(json_field "$report_dir/diff.json" 'len({f["key"] for f in d["flags"]})')"
            diff_row="$(count "$changed_flags" flag) changed against \`$base\`"
            diff_ran=true
            if [ "$diff_status" -eq 1 ]; then
                failing="$(json_field "$report_dir/diff.json" '", ".join(r for r in d["risks"] if r in sys.argv[3].split(","))' "$diff_fail_on")"
                echo "::error title=flagc diff::the pull request has risks that fail this check (diff-fail-on: $diff_fail_on): $failing"
                diff_row="❌ $diff_row, with the risks $failing (diff-fail-on)"
                failed=true
            fi
        else
            diff_row="❌ flagc diff could not run against \`$base\` (exit status $diff_status; see the log)"
            failed=true
        fi
    fi
fi

# --- summary and outputs --------------------------------------------------------------------------------------------

result=success
[ "$failed" = true ] && result=failure

if [ "$show_markdown" = true ] && [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
    {
        echo "## flagc"
        echo
        echo "| check | result |"
        echo "| --- | --- |"
        echo "| validate | $validate_row |"
        echo "| test | $test_row |"
        [ -n "$diff_row" ] && echo "| diff | $diff_row |"
        echo
        if [ "$diff_ran" = true ]; then
            cat "$report_dir/diff.md"
            echo
        fi
    } >>"$GITHUB_STEP_SUMMARY"
fi

if [ -n "${GITHUB_OUTPUT:-}" ]; then
    {
        echo "sarif-file=$report_dir/validate.sarif"
        echo "errors=$errors"
        echo "warnings=$warnings"
        echo "files=$files"
        echo "tests-passed=$tests_passed"
        echo "tests-failed=$tests_failed"
        echo "changed-flags=$changed_flags"
        echo "report-dir=$report_dir"
        echo "result=$result"
    } >>"$GITHUB_OUTPUT"
fi

echo "flagc action: validate: $validate_row; test: $test_row${diff_row:+; diff: $diff_row}" >&2
[ "$result" = success ]
