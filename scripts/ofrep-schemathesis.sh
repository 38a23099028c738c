#!/usr/bin/env bash
# Runs schemathesis (PyPI) against a live `flagc serve` with OFREP's own OpenAPI document
# (../shared/ofrep/openapi.yaml, or OFREP_OPENAPI): no 5xx, and every response conforms to the document.
#
# The run checks a copy of the document with two changes, each documented in docs/serve.md:
# - the server sends OpenFeature's reason DEFAULT ("no rule matched"), as flagd does, and OFREP 0.3.0's reason enum
#   lists UNKNOWN but not DEFAULT: DEFAULT is added to that one enum;
# - the value of a success is `oneOf` boolean, string, integer, float (number), object or no value, and every
#   integer is also a number, so no response with an integer value (or a float like 10.0, which JSON Schema counts
#   as an integer) can match exactly one: that `oneOf` becomes `anyOf`.
# Every other part of every response is checked as the document says.
#
# Usage: scripts/ofrep-schemathesis.sh FLAGC PYTHON      (PYTHON: a venv with schemathesis and pyyaml)
# Prints SKIPPED, loudly, and exits 0 when the document is absent.
set -euo pipefail
cd "$(dirname "$0")/.."
flagc="$1" python="$2"
document="${OFREP_OPENAPI:-$(cd .. && pwd)/shared/ofrep/openapi.yaml}"
if [ ! -f "$document" ]; then
    echo "SKIPPED: OFREP's OpenAPI document is not at $document (set OFREP_OPENAPI); schemathesis did not run"
    exit 0
fi
work="$(mktemp -d)"
trap 'kill "${server:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT
"$python" - "$document" "$work/openapi.yaml" <<'PY'
import sys, yaml
with open(sys.argv[1]) as handle:
    document = yaml.safe_load(handle)
reason = document["components"]["schemas"]["evaluationSuccess"]["allOf"][0]["properties"]["reason"]
assert "DEFAULT" not in reason["enum"], "the document lists DEFAULT now: drop this deviation"
reason["enum"].append("DEFAULT")
values = document["components"]["schemas"]["evaluationSuccess"]["allOf"][1]
assert "oneOf" in values, "the value schemas are no longer a oneOf: drop this deviation"
values["anyOf"] = values.pop("oneOf")
with open(sys.argv[2], "w") as handle:
    yaml.safe_dump(document, handle, sort_keys=False)
PY
"$flagc" compile flags --out "$work/build" >/dev/null
"$flagc" serve "$work/build/snapshot.json" --port 0 >"$work/serve.out" 2>"$work/serve.err" &
server=$!
for _ in $(seq 1 100); do
    grep -q '^listening on ' "$work/serve.out" 2>/dev/null && break
    sleep 0.1
done
address="$(sed -n 's/^listening on \([^ ]*\).*/\1/p' "$work/serve.out")"
[ -n "$address" ] || { echo "flagc serve did not start: $(cat "$work/serve.err")"; exit 1; }
"$(dirname "$python")/schemathesis" run "$work/openapi.yaml" --url "http://$address" \
    --checks not_a_server_error,response_schema_conformance --max-examples 50 --seed 1 --no-color
