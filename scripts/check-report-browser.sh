#!/usr/bin/env bash
# End-to-end check of flagc report in headless Chromium: renders the report of the example flags/ and of a
# generated 10,000-flag tree, then drives each index through the Chrome DevTools Protocol (scripts/report-browser.py,
# standard library only): screenshots of the index, a flag page and a filtered view into ARTIFACTS, every flag in
# the DOM data, search and filters driven from the test, no console error, no broken internal link.
#
# Usage: scripts/check-report-browser.sh [FLAGC]   (ARTIFACTS=DIR, default .build/report-artifacts; FLAGS=N, default 10000)
# Installs Debian's chromium when it is missing (as root, or through sudo).
set -euo pipefail
cd "$(dirname "$0")/.."
flagc=${1:-"$(swift build --show-bin-path)/flagc"}
artifacts=${ARTIFACTS:-.build/report-artifacts}
count=${FLAGS:-10000}

browser=""
for candidate in chromium chromium-browser google-chrome; do
  if command -v "$candidate" >/dev/null 2>&1; then browser=$(command -v "$candidate"); break; fi
done
if [ -z "$browser" ]; then
  echo "installing chromium"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -q
  $sudo apt-get install -y -q chromium
  browser=$(command -v chromium)
fi
echo "browser: $("$browser" --version 2>/dev/null || echo "$browser")"

rm -rf "$artifacts"
mkdir -p "$artifacts"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$flagc" report flags --out "$artifacts/example" --refs . --history --now 2026-12-01T00:00:00Z --title "flagc example flags"
python3 Benchmarks/scripts/generate-flags.py "$work/generated" --flags "$count" --files 100 >/dev/null
start=$(date +%s.%N)
"$flagc" report "$work/generated" --out "$artifacts/large" --now 2026-12-01T00:00:00Z --title "$count generated flags"
end=$(date +%s.%N)
python3 -c "print(f'report of $count flags: {$end - $start:.2f} s')"

# The snapshots name every flag the DOM must hold, independently of the report.
"$flagc" compile flags --out "$work/example-snapshot" >/dev/null
"$flagc" compile "$work/generated" --out "$work/large-snapshot" >/dev/null
python3 scripts/report-browser.py --browser "$browser" --artifacts "$artifacts" \
  --site "$artifacts/example" --snapshot "$work/example-snapshot/snapshot.json" --flag billing.invoice_auto_generate --search invoice --filter state=rolling-out \
  --site "$artifacts/large" --snapshot "$work/large-snapshot/snapshot.json" --flag - --search feature_42 --filter state=ab-test
