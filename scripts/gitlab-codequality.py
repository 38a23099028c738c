#!/usr/bin/env python3
"""flagc's JSON reports as a GitLab Code Quality report (docs/ci.md has the GitLab CI job).

Reads the JSON of `flagc validate --format json` (diagnostics) or `flagc test --format json` (failed cases; when the
flags do not compile, the same diagnostics document as validate) and writes GitLab's Code Quality format: a JSON
array of {description, check_name, fingerprint, severity, location: {path, lines: {begin}}}.

- check_name is the rule id (`missing-metadata`, …), or `flagc-test` for a failed case.
- severity: error → major, warning → minor (GitLab's scale: info, minor, major, critical, blocker).
- fingerprint: SHA-256 of the check, the file and the message, without the line, so an issue keeps its identity when
  lines above it move; identical issues in one file are numbered to keep fingerprints unique.
- paths are flagc's, relative to the folder flagc ran in; run flagc from the repository root.

Usage: gitlab-codequality.py REPORT.json... [--output gl-code-quality-report.json]   (- reads standard input)
Exit status: 0 written, 2 a report that is not flagc JSON. Only the Python standard library.
"""

import argparse
import hashlib
import json
import os
import sys
import tempfile

SEVERITIES = {"error": "major", "warning": "minor"}


def issues_of(document, source):
    if not isinstance(document, dict) or document.get("version") != 1:
        raise ValueError(f"{source}: not a flagc JSON report (no \"version\": 1)")
    if "diagnostics" in document:
        for d in document["diagnostics"]:
            yield {
                "check_name": d["rule"],
                "description": f"{d['rule']}: {d['message']}",
                "severity": SEVERITIES.get(d["severity"], "info"),
                "path": d["file"],
                "line": max(1, int(d.get("line") or 1)),
            }
    elif "results" in document:
        for r in document["results"]:
            if r.get("passed"):
                continue
            # One case runs once per environment and matrix row: say which, so the issues differ.
            where = ", ".join([r["flag"]] + ([f"env {r['environment']}"] if r.get("environment") else [])
                              + [f"{m.get('name')}={m.get('value')}" for m in r.get("matrix") or [] if isinstance(m, dict)])
            mismatches = "; ".join(
                f"{m.get('field')}: expected {m.get('expected')}, got {m.get('actual')}" for m in r.get("mismatches", [])
            )
            yield {
                "check_name": "flagc-test",
                "description": f"test '{r['name']}' ({where}) failed" + (f": {mismatches}" if mismatches else ""),
                "severity": "major",
                "path": r["file"],
                "line": max(1, int(r.get("line") or 1)),
            }
    else:
        raise ValueError(f"{source}: a flagc JSON report has 'diagnostics' or 'results'")


def code_quality(issues):
    seen = {}
    report = []
    for issue in issues:
        identity = "\0".join([issue["check_name"], issue["path"], issue["description"]])
        occurrence = seen.get(identity, 0)
        seen[identity] = occurrence + 1
        fingerprint = hashlib.sha256(f"{identity}\0{occurrence}".encode()).hexdigest()
        report.append({
            "check_name": issue["check_name"],
            "description": issue["description"],
            "fingerprint": fingerprint,
            "location": {"lines": {"begin": issue["line"]}, "path": issue["path"]},
            "severity": issue["severity"],
        })
    return report


def main():
    parser = argparse.ArgumentParser(description="flagc JSON reports → GitLab Code Quality report")
    parser.add_argument("reports", nargs="+", help="flagc validate/test --format json output files (- for standard input)")
    parser.add_argument("--output", "-o", default="-", help="the Code Quality file to write (default: standard output)")
    arguments = parser.parse_args()

    issues = []
    try:
        for path in arguments.reports:
            if path == "-":
                document = json.load(sys.stdin)
            else:
                with open(path, encoding="utf-8") as file:
                    text = file.read()
                if not text.strip():
                    continue  # flagc stopped before writing (a usage error, already on its standard error)
                document = json.loads(text)
            issues.extend(issues_of(document, path))
    except (OSError, ValueError, KeyError, TypeError) as error:
        print(f"gitlab-codequality.py: {error}", file=sys.stderr)
        return 2

    text = json.dumps(code_quality(issues), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    if arguments.output == "-":
        sys.stdout.write(text)
    else:
        # Atomically: a temporary file in the same folder, then a rename.
        folder = os.path.dirname(os.path.abspath(arguments.output))
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=folder, delete=False) as file:
            file.write(text)
        os.replace(file.name, arguments.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
