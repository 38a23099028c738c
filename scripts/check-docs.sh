#!/usr/bin/env bash
# Documentation checks, run by .ci/run:
#
# 1. version: CHANGELOG.md's newest release heading and every `flagc X.Y.Z` in README.md name the version that
#    `flagc --version` prints (FlagcVersion.current in Sources/FlagCommands/Version.swift); either file may not
#    mention one.
# 2. public declarations: swift format lint (.swift-format) finds no public declaration without a `///` comment.
#    Only its AllPublicDeclarationsHaveDocumentation findings fail the check; the rest of the lint (whitespace
#    reflow the code does not follow) is not checked here.
# 3. DocC: FlagRuntime's catalog (Sources/FlagRuntime/FlagRuntime.docc) converts with the toolchain's docc against
#    FlagRuntime's symbol graph, built in its own scratch path (.build-docs/). Any problem in the catalog fails
#    (a topic naming a symbol that is gone or no longer public, a broken link); so does any docc error. Warnings
#    about documentation comments in the sources are printed but do not fail.
#
# Prints PASS or FAIL for each; exits 1 when any failed.
set -euo pipefail
cd "$(dirname "$0")/.."

failed=0
pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; failed=1; }

# 1. version
version="$(sed -n 's/^ *static let current = "\(.*\)"$/\1/p' Sources/FlagCommands/Version.swift)"
if [ -z "$version" ]; then
    fail "no 'static let current = \"…\"' in Sources/FlagCommands/Version.swift"
else
    mismatches=()
    if [ -f CHANGELOG.md ]; then
        released="$(grep -E '^## +\[?v?[0-9]+\.[0-9]+\.[0-9]+' CHANGELOG.md | head -1 | sed -E 's/^## +\[?v?([0-9]+\.[0-9]+\.[0-9]+[-0-9A-Za-z.]*).*/\1/' || true)"
        if [ -n "$released" ] && [ "$released" != "$version" ]; then
            mismatches+=("CHANGELOG.md's newest release is $released")
        fi
    fi
    while read -r mention; do
        [ -z "$mention" ] && continue
        [ "${mention#v}" != "$version" ] && mismatches+=("README.md says flagc $mention")
    done < <(grep -oE 'flagc v?[0-9]+\.[0-9]+\.[0-9]+[-0-9A-Za-z.]*' README.md | awk '{print $2}' || true)
    if [ "${#mismatches[@]}" -gt 0 ]; then
        fail "flagc --version prints $version, but ${mismatches[*]}"
    else
        pass "version $version (Sources/FlagCommands/Version.swift); README.md and CHANGELOG.md name no other"
    fi
fi

# 2. public declarations
lint_status=0
lint="$(swift format lint --configuration .swift-format --recursive Sources 2>&1)" || lint_status=$?
undocumented="$(echo "$lint" | grep -F '[AllPublicDeclarationsHaveDocumentation]' || true)"
if [ "$lint_status" -ne 0 ]; then
    echo "$lint" | grep -v ': warning: ' || true
    fail "swift format lint could not check Sources (exit status $lint_status; its errors above)"
elif [ -n "$undocumented" ]; then
    echo "$undocumented"
    fail "$(echo "$undocumented" | wc -l | tr -d ' ') public declarations have no /// comment"
else
    pass "every public declaration in Sources has a /// comment"
fi

# 3. DocC
scratch=.build-docs
catalog=Sources/FlagRuntime/FlagRuntime.docc
mkdir -p "$scratch/symbol-graphs"
if ! swift build --target FlagRuntime --scratch-path "$scratch" \
    -Xswiftc -emit-symbol-graph -Xswiftc -emit-symbol-graph-dir -Xswiftc "$PWD/$scratch/symbol-graphs" >"$scratch/build.log" 2>&1; then
    cat "$scratch/build.log"
    fail "FlagRuntime's symbol graph did not build (log above)"
else
    rm -rf "$scratch/FlagRuntime.doccarchive" "$scratch/docc-diagnostics.json"
    docc_status=0
    docc convert "$catalog" --additional-symbol-graph-dir "$scratch/symbol-graphs" \
        --output-path "$scratch/FlagRuntime.doccarchive" --diagnostics-file "$scratch/docc-diagnostics.json" \
        --fallback-display-name FlagRuntime --fallback-bundle-identifier flagc.FlagRuntime \
        >"$scratch/docc.log" 2>&1 || docc_status=$?
    if [ ! -f "$scratch/docc-diagnostics.json" ]; then
        cat "$scratch/docc.log"
        fail "docc convert wrote no diagnostics (exit status $docc_status; its output above)"
    else
        # One line per diagnostic: "catalog|source severity file:line: summary".
        diagnostics="$(python3 - "$scratch/docc-diagnostics.json" "$PWD/$catalog" <<'EOF'
import json, sys
from urllib.parse import unquote, urlparse
diagnostics = json.load(open(sys.argv[1]))["diagnostics"]
for d in diagnostics:
    path = unquote(urlparse(d.get("source") or "").path)
    where = "catalog" if path.startswith(sys.argv[2]) else "source"
    line = (d.get("range") or {}).get("start", {}).get("line", 0)
    print(f"{where} {d['severity']} {path}:{line}: {d['summary']}")
EOF
)"
        in_catalog="$(echo "$diagnostics" | grep -E '^catalog ' || true)"
        errors="$(echo "$diagnostics" | grep -E '^[a-z]+ error ' || true)"
        in_sources="$(echo "$diagnostics" | grep -E '^source (warning|information|hint|note) ' || true)"
        [ -n "$in_sources" ] && echo "$in_sources" | sed 's/^source /not failing: /'
        if [ -n "$in_catalog$errors" ] || [ "$docc_status" -ne 0 ]; then
            printf '%s\n' "$in_catalog" "$errors" | sort -u | sed '/^$/d'
            fail "FlagRuntime's DocC catalog has problems (above; docc exit status $docc_status)"
        else
            pass "FlagRuntime's DocC catalog converts ($(echo "$in_sources" | sed '/^$/d' | wc -l | tr -d ' ') documentation-comment warnings in the sources)"
        fi
    fi
fi

exit "$failed"
