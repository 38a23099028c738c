#!/usr/bin/env bash
# The FlagAccessors build plugin, with the real compiler: builds Tests/Fixtures/FlagAccessorsPackage (a package whose
# target applies the plugin and reads its flags through the generated handles) twice, from a fresh copy each:
#
# a. as it is: the build succeeds, and the compiler warns that checkout.legacy_cart (expires 2020-01-31) is
#    deprecated, and warns about no other flag (theirs expire in 2099);
# b. with a source file that reads `Flags.checkout.expresPay`: the build fails with the compiler's
#    "type 'Flags.checkout' has no member 'expresPay'";
# c. (in the same build as b) with checkout.express_pay removed from the flag file, the code unchanged: the build
#    fails with "has no member 'expressPay'".
#
# The copy is made at the fixture's depth below the checkout (.build-flag-accessors/check/FlagAccessorsPackage), so
# its path dependency `../../..` is this checkout, and removed at exit. It builds in the checkout's .build, with the
# checkout's pins, so FlagRuntime is the one `swift build` compiled. The flagc the plugin runs is a plugin tool,
# which SwiftPM builds apart (its `*-tool` modules); with Swift 6.3 each build compiled those again
# (838 steps; a run with the three cases in three builds took 15m57s on a loaded 2-core machine, so b and c share one). Prints PASS or FAIL for each case, and a
# failure's build output; exits 1 when any failed.
#
# Usage: scripts/check-flag-accessors-plugin.sh
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
fixture="$root/Tests/Fixtures/FlagAccessorsPackage"
work="$root/.build-flag-accessors"
copy="$work/check/FlagAccessorsPackage"
log="$work/build.log"
trap 'rm -rf "$work"' EXIT

failed=0

# A fresh copy of the fixture (new files, so the build compiles them and prints their warnings again).
fresh_copy() {
    rm -rf "$copy"
    mkdir -p "$(dirname "$copy")"
    cp -R "$fixture" "$copy"
    if [ -f "$root/Package.resolved" ]; then cp "$root/Package.resolved" "$copy/Package.resolved"; fi
}

# Builds the copy; sets `status` and leaves the output in $log.
build() {
    status=0
    swift build --package-path "$copy" --scratch-path "$root/.build" >"$log" 2>&1 || status=$?
}

# fail_case NAME EXPECTED: prints what was expected and the build output.
fail_case() {
    echo "----- build output ($1) -----"
    cat "$log"
    echo "-----"
    echo "FAIL: $1: expected $2 (exit status $status)"
    failed=1
}

# a. Good code builds; the expired flag warns at its read, the others do not.
fresh_copy
build
expired="warning: 'legacyCart' is deprecated: flag 'checkout.legacy_cart' expired at the end of 2020-01-31"
others="$(grep -E "warning: '[A-Za-z]+' is deprecated: flag '" "$log" | grep -vF "flag 'checkout.legacy_cart'" || true)"
if [ "$status" -ne 0 ]; then
    fail_case "good code" "the package to build"
elif ! grep -qF "$expired" "$log"; then
    fail_case "good code" "the compiler's warning \"$expired\""
elif [ -n "$others" ]; then
    fail_case "good code" "no deprecation warning for the flags that expire in 2099, but: $others"
else
    echo "PASS: good code builds, with a deprecation warning for the expired flag only: $(grep -F "$expired" "$log" | head -1 | sed "s|^$copy/||")"
fi

# b and c in one build (each build of the package costs the plugin tool's build again, see above): a misspelled
# accessor, and a flag removed from the flag files while the code still reads it, are compile errors naming them.
# Both reads are in the same file, so one compiler job reports both.
fresh_copy
cat >>"$copy/Sources/Checkout/Checkout.swift" <<'EOF'

func expressPayWithATypo(_ store: FlagStore) -> Bool { store.isEnabled(Flags.checkout.expresPay) }
EOF
flag_file="$copy/Sources/Checkout/flags/checkout.yaml"
sed -i '/^  checkout\.express_pay:$/,/^$/d' "$flag_file"
typo="error: type 'Flags.checkout' has no member 'expresPay'"
removed="error: type 'Flags.checkout' has no member 'expressPay'"
if grep -q '^  checkout\.express_pay:' "$flag_file"; then
    echo "FAIL: removed flag: checkout.express_pay is still in $flag_file after removing its block; the fixture changed shape"
    failed=1
else
    build
    if [ "$status" -eq 0 ]; then
        fail_case "misspelled accessor and removed flag" "the build to fail with \"$typo\" and \"$removed\""
    elif ! grep -qF "$typo" "$log"; then
        fail_case "misspelled accessor" "the compiler's \"$typo\""
    elif ! grep -qF "$removed" "$log"; then
        fail_case "removed flag" "the compiler's \"$removed\""
    else
        echo "PASS: a misspelled accessor does not compile: $(grep -F "$typo" "$log" | head -1 | sed "s|^$copy/||")"
        echo "PASS: reading a flag removed from the flag files does not compile: $(grep -F "$removed" "$log" | head -1 | sed "s|^$copy/||")"
    fi
fi

exit "$failed"
