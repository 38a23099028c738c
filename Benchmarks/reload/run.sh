#!/bin/sh
# Measures reload latency with inotify and with polling alone; prints median, p90, p99 and max per mode.
# Usage: Benchmarks/reload/run.sh [--iterations N] [--flags N] [--poll-interval-ms N] [--mode events|polling|both]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
swift build -c release --package-path "$here" --product ReloadLatency >&2
exec "$here/.build/release/ReloadLatency" "$@"
