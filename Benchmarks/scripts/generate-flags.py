#!/usr/bin/env python3
"""Writes a folder of realistic generated flag files for measuring the compiler.

Usage: generate-flags.py OUT_DIR [--flags N] [--files F]

The output is deterministic for given arguments. Flags rotate through the kinds the format supports:
boolean with tenant override and window, percentage rollout, environment-only, A/B split with attribute
matchers, plan-based, users and groups, semver targeting, object variants.
"""
import argparse
import os


def flag(i: int, module: str) -> str:
    key = f"{module}.feature_{i}.enabled"
    kind = i % 8
    head = (f"  {key}:\n"
            f"    description: Generated flag {i}.\n"
            f"    owner: team-{module}\n"
            + (f"    expires: 2030-12-31\n    metadata: {{ ticket: GEN-{i} }}\n" if i % 2 == 0 else ""))
    if kind == 0:
        return head + ("    default: false\n    rules:\n"
                       "      - name: pilot tenants\n        when:\n          tenants: [acme, globex, initech]\n"
                       "        until: 2030-01-01T00:00:00Z\n        serve: true\n"
                       "      - rollout: 25\n")
    if kind == 1:
        return head + "    default: false\n    rules:\n      - when:\n          environments: [staging, development]\n        serve: true\n"
    if kind == 2:
        return head + ("    variants:\n      blue: \"#1f6feb\"\n      green: \"#2da44e\"\n      red: \"#cf222e\"\n"
                       "    default: blue\n    rules:\n      - when:\n          segments: [internal_staff]\n        serve: green\n"
                       "      - when:\n          attributes:\n            plan: [pro, enterprise]\n            app_version: { semver_gte: 2.4.0 }\n"
                       "        split: { blue: 33.33, green: 33.33, red: 33.34 }\n        bucket_by: tenant\n")
    if kind == 3:
        return head + ("    default: false\n    rules:\n      - when:\n          users: [user-1, user-2, user-3, beta_user@example.com]\n"
                       "        serve: true\n      - when:\n          groups: [beta, staff]\n        serve: true\n")
    if kind == 4:
        return head + ("    variants:\n      low: 100\n      high: 1000\n    default: low\n    rules:\n"
                       "      - when:\n          attributes:\n            seats: { gte: 50, lt: 5000 }\n        serve: high\n")
    if kind == 5:
        return head + ("    default: false\n    rules:\n      - from: 2026-12-01T00:00:00Z\n        until: 2030-12-26T00:00:00Z\n        serve: true\n")
    if kind == 6:
        return head + ("    variants:\n      compact: { columns: 2, dense: true }\n      roomy: { columns: 3, dense: false }\n"
                       "    default: compact\n    rules:\n      - when:\n          attributes:\n            email: { ends_with: \"@example.com\" }\n"
                       "        serve: roomy\n")
    return head + "    default: true\n"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--flags", type=int, default=10_000)
    parser.add_argument("--files", type=int, default=100)
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    per_file = (args.flags + args.files - 1) // args.files
    total = 0
    for f in range(args.files):
        module = f"mod{f:03d}"
        start = f * per_file
        end = min(args.flags, start + per_file)
        if start >= end:
            break
        body = f"module: {module}\nflags:\n" + "".join(flag(i, module) for i in range(start, end))
        if f == 0:
            body += "segments:\n  internal_staff:\n    when:\n      attributes:\n        email: { ends_with: \"@example.com\" }\n"
        path = os.path.join(args.out, f"{module}.yaml")
        with open(path, "w") as handle:
            handle.write(body)
        total += len(body)
    print(f"wrote {args.flags} flags in {min(args.files, f + 1)} files, {total} bytes, to {args.out}")


if __name__ == "__main__":
    main()
