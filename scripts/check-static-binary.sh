#!/usr/bin/env bash
# The self-contained flagc binary (what action.yml builds and caches): builds it with scripts/build-static-flagc.sh
# (release, --static-swift-stdlib, libyaml's archive when installed) and checks that it runs on a machine without
# Swift, that is:
#
# - every library it loads (ldd) is a glibc-level system library: the C library and its loader, libm, libpthread,
#   libdl, librt, and the C++ runtime the statically linked Swift runtime, Foundation's ICU and BoringSSL need
#   (libstdc++, libgcc_s), which every glibc distribution installs; no libswift*, Foundation, ICU, libdispatch or
#   libBlocksRuntime; no libyaml either, unless the machine has no libyaml.a to link (then it is allowed, and said);
# - its RUNPATH names nothing outside the binary's folder (no toolchain path);
# - it starts and validates this checkout's flags/ with an empty environment (no PATH, no LD_LIBRARY_PATH).
#
# Prints PASS or FAIL; exits 0 or 1.
# Usage: scripts/check-static-binary.sh           (builds, then checks)
#        scripts/check-static-binary.sh BINARY    (checks BINARY only; `.build/debug/flagc` fails, as it should)
set -euo pipefail
cd "$(dirname "$0")/.."

start=$SECONDS
if [ $# -gt 0 ]; then
    binary="$1"
    [ -x "$binary" ] || { echo "FAIL: $binary is not an executable"; exit 1; }
else
    mkdir -p .build
    if ! binary="$(bash scripts/build-static-flagc.sh 2>.build/static-build.log | tail -1)" || [ ! -x "$binary" ]; then
        cat .build/static-build.log
        echo "FAIL: the self-contained flagc did not build (log above)"
        exit 1
    fi
fi
build_seconds=$((SECONDS - start))

allowed='^(linux-vdso\.so|linux-gate\.so|ld-linux[-a-z0-9_.]*\.so|libc\.so|libm\.so|libpthread\.so|libdl\.so|librt\.so|libutil\.so|libstdc\+\+\.so|libgcc_s\.so)'
libdir="$(pkg-config --variable=libdir yaml-0.1 2>/dev/null || true)"
yaml_archive=false
[ -n "$libdir" ] && [ -f "$libdir/libyaml.a" ] && yaml_archive=true

failures=()
notes=()
loaded="$(ldd "$binary" | awk '{print $1}' | sed 's|.*/||')"
echo "loads: $(echo "$loaded" | tr '\n' ' ')"
while read -r library; do
    [ -z "$library" ] && continue
    if [[ "$library" =~ $allowed ]]; then continue; fi
    if [[ "$library" == libyaml* ]] && [ "$yaml_archive" = false ]; then
        notes+=("$library is linked dynamically: this machine has no libyaml.a, so the binary needs libyaml where it runs")
        continue
    fi
    failures+=("loads $library")
done <<<"$loaded"
if ldd "$binary" | grep -q 'not found'; then
    failures+=("a library is not found: $(ldd "$binary" | grep 'not found' | tr '\n' ' ')")
fi
runpath="$(readelf -d "$binary" | sed -n 's/.*(\(RUNPATH\|RPATH\)).*\[\(.*\)\]/\2/p')"
if [ -n "$runpath" ] && [ "$runpath" != '$ORIGIN' ]; then
    failures+=("RUNPATH $runpath names folders outside the binary's")
fi
if ! env -i "$binary" --version >/dev/null; then
    failures+=("flagc --version did not run with an empty environment")
elif ! env -i "$binary" validate flags >/dev/null; then
    failures+=("flagc validate flags failed with an empty environment")
fi
# The version names the commit the binary was built from.
if head="$(git rev-parse HEAD 2>/dev/null)"; then
    version="$(env -i "$binary" --version)"
    case "$version" in
        *"(commit $head)"* | *"(commit $head-dirty)"*) ;;
        *) failures+=("flagc --version says '$version', not the commit $head it was built from") ;;
    esac
fi

for note in "${notes[@]+"${notes[@]}"}"; do echo "note: $note"; done
size_mib="$(du -m "$binary" | cut -f1)"
if [ "${#failures[@]}" -gt 0 ]; then
    for failure in "${failures[@]}"; do echo "  $failure"; done
    echo "FAIL: $binary is not self-contained"
    exit 1
fi
echo "PASS: $binary ($size_mib MiB, built in ${build_seconds} s) loads only system libraries$([ "$yaml_archive" = true ] && echo ', libyaml linked in')"
