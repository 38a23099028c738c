#!/usr/bin/env bash
# Builds the flagc executable in release mode so that it runs on a machine without Swift: the Swift standard
# library and Foundation linked statically (--static-swift-stdlib), and libyaml too when its archive is installed
# (Debian's libyaml-dev ships libyaml.a). What is left are glibc-level system libraries (scripts/check-static-binary.sh
# checks the list). Used by action.yml and scripts/check-static-binary.sh.
#
# libyaml: SwiftPM links it as -lyaml, with the -L folder that pkg-config names (yaml-0.1.pc), and the linker takes
# libyaml.so over libyaml.a when both are in one folder. So the script writes a yaml-0.1.pc of its own, whose -L names
# a folder holding only the archive, and puts it first on PKG_CONFIG_PATH for this build: the same -lyaml then
# picks the archive, without changing the package for anyone else.
#
# Usage: scripts/build-static-flagc.sh [extra swift build arguments]
# Prints the built binary's path as its last line of standard output (the build log goes to standard error).
set -euo pipefail
cd "$(dirname "$0")/.."

arguments=(-c release --static-swift-stdlib --product flagc)
# The commit `flagc --version` prints (-dirty with local changes), handed to C as a string macro (CFlagcBuildInfo).
if commit="$(git rev-parse HEAD 2>/dev/null)"; then
    [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ] && commit="$commit-dirty"
    arguments+=(-Xcc "-DFLAGC_COMMIT=\"$commit\"")
fi
libdir="$(pkg-config --variable=libdir yaml-0.1 2>/dev/null || true)"
if [ -n "$libdir" ] && [ -f "$libdir/libyaml.a" ]; then
    static_dir="$PWD/.build/static-libyaml"
    mkdir -p "$static_dir/lib" "$static_dir/pkgconfig"
    ln -sf "$libdir/libyaml.a" "$static_dir/lib/libyaml.a"
    pc="$(printf '%s\n' \
        "Name: LibYAML" \
        "Description: libyaml's archive only, for a flagc binary that does not need libyaml.so (scripts/build-static-flagc.sh)" \
        "Version: $(pkg-config --modversion yaml-0.1)" \
        "Cflags: -I$(pkg-config --variable=includedir yaml-0.1)" \
        "Libs: -L$static_dir/lib -lyaml")"
    # Rewritten only when it changes, so a second build links nothing again.
    if [ ! -f "$static_dir/pkgconfig/yaml-0.1.pc" ] || [ "$(cat "$static_dir/pkgconfig/yaml-0.1.pc")" != "$pc" ]; then
        printf '%s\n' "$pc" >"$static_dir/pkgconfig/yaml-0.1.pc"
    fi
    export PKG_CONFIG_PATH="$static_dir/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
    echo "libyaml: linked statically from $libdir/libyaml.a" >&2
else
    echo "libyaml: no libyaml.a (looked in '${libdir:-nowhere: pkg-config knows no yaml-0.1}'); linked dynamically, so the binary needs libyaml-0.so.2 where it runs" >&2
fi

swift build "${arguments[@]}" "$@" >&2
echo "$(swift build "${arguments[@]}" "$@" --show-bin-path)/flagc"
