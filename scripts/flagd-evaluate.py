#!/usr/bin/env python3
"""Evaluate flag × context pairs with OpenFeature's flagd evaluator (the `openfeature-flagd-core` package), for
the differential test of `flagc compile --flagd` (Tests/FlagdExportTests).

Usage:
    scripts/flagd-evaluate.py MANIFEST.json [--schemas DIR]
    scripts/flagd-evaluate.py --check-environment

MANIFEST.json is `{"runs": [{"document": PATH, "cases": PATH, "results": PATH}, ...]}`. Each `document` is a
flagd flag-definition document; each line of `cases` is one evaluation:

    {"flag": "billing.invoice_auto_generate", "targetingKey": "user-1", "attributes": {"tenant": "acme"}, "at": 1767225599}

(`targetingKey` may be absent; `at` is the evaluation time in Unix seconds, what flagd puts in
`$flagd.timestamp`). Each line of `results` answers the case on the same line of `cases`:
`{"variant": "true", "reason": "TARGETING_MATCH"}`, or `{"variant": null, "reason": "DISABLED"}`, or
`{"error": "FLAG_NOT_FOUND", "message": "..."}`. The flag is resolved with the typed call its variants ask for
(boolean, string, integer, float, object), as an OpenFeature SDK would.

With --schemas DIR, every document is also validated against flagd's schema first (see check-flagd.py); a
document that does not validate stops the run with exit status 1.

--check-environment prints the versions in use and exits 0 when openfeature-flagd-core 1.0.0 is importable,
3 otherwise (with the reason on standard error).
"""

import argparse
import importlib.metadata
import importlib.util
import json
import logging
import os
import sys
import time

REQUIRED_VERSION = "1.0.0"


def check_environment():
    try:
        version = importlib.metadata.version("openfeature-flagd-core")
        from openfeature.contrib.tools.flagd.core import FlagdCore  # noqa: F401
    except Exception as error:  # noqa: BLE001 - any import problem means "not available"
        print("openfeature-flagd-core is not importable: %s" % error, file=sys.stderr)
        return 3
    if version != REQUIRED_VERSION:
        print("openfeature-flagd-core %s is installed; the differential test needs %s (its fractional is flagd's "
              "pre-2.x algorithm, the one flagc uses)" % (version, REQUIRED_VERSION), file=sys.stderr)
        return 3
    print("python %s, openfeature-flagd-core %s" % (sys.version.split()[0], version))
    return 0


class FixedClock:
    """Stands in for the `time` module inside flagd-core's targeting: `time.time()` is the case's instant."""

    def __init__(self):
        self.now = 0

    def time(self):
        return self.now


def resolver(core, variants):
    """The typed resolve call an SDK would make for a flag with these variant values, and its default value."""
    values = list(variants.values())
    if all(isinstance(value, bool) for value in values):
        return core.resolve_boolean_value, False
    if all(isinstance(value, str) for value in values):
        return core.resolve_string_value, ""
    if all(isinstance(value, int) and not isinstance(value, bool) for value in values):
        return core.resolve_integer_value, 0
    if all(isinstance(value, (int, float)) and not isinstance(value, bool) for value in values):
        return core.resolve_float_value, 0.0
    return core.resolve_object_value, {}


def evaluate_run(run, clock):
    from openfeature.contrib.tools.flagd.core import FlagdCore
    from openfeature.evaluation_context import EvaluationContext
    from openfeature.exception import OpenFeatureError

    with open(run["document"], encoding="utf-8") as handle:
        document = json.load(handle)
    core = FlagdCore()
    core.set_flags(json.dumps(document))
    flags = document.get("flags", {})
    count = 0
    with open(run["cases"], encoding="utf-8") as cases, open(run["results"], "w", encoding="utf-8") as results:
        for line in cases:
            case = json.loads(line)
            clock.now = case["at"]
            context = EvaluationContext(targeting_key=case.get("targetingKey"), attributes=case.get("attributes", {}))
            flag = flags.get(case["flag"])
            resolve, default = resolver(core, flag["variants"]) if flag else (core.resolve_boolean_value, False)
            try:
                details = resolve(case["flag"], default, context)
                reason = getattr(details.reason, "value", details.reason)
                answer = {"variant": details.variant, "reason": reason}
            except OpenFeatureError as error:
                code = getattr(error.error_code, "value", error.error_code)
                answer = {"error": code, "message": str(error)}
            results.write(json.dumps(answer, ensure_ascii=False) + "\n")
            count += 1
    return count


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("manifest", nargs="?")
    parser.add_argument("--schemas", metavar="DIR")
    parser.add_argument("--check-environment", action="store_true")
    arguments = parser.parse_args()
    if arguments.check_environment:
        return check_environment()
    if not arguments.manifest:
        parser.error("pass MANIFEST.json or --check-environment")
    status = check_environment()
    if status:
        return status

    # flagd-core logs every failed sem_ver parse (an attribute that is not a version) as an exception.
    logging.getLogger("openfeature").setLevel(logging.CRITICAL)
    # The module, not the function of the same name that the package exports.
    targeting_module = importlib.import_module("openfeature.contrib.tools.flagd.core.targeting.targeting")
    clock = FixedClock()
    targeting_module.time = clock

    with open(arguments.manifest, encoding="utf-8") as handle:
        manifest = json.load(handle)
    runs = manifest["runs"]

    started = time.monotonic()
    if arguments.schemas:
        here = os.path.dirname(os.path.abspath(__file__))
        spec = importlib.util.spec_from_file_location("check_flagd", os.path.join(here, "check-flagd.py"))
        check_flagd = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(check_flagd)
        validator = check_flagd.load_validator(arguments.schemas)
        problems = []
        cache = {}
        for run in runs:
            problems += check_flagd.check(validator, run["document"], cache)
        for line in problems:
            print(line, file=sys.stderr)
        if problems:
            print("%d schema problem(s)" % len(problems), file=sys.stderr)
            return 1
        print("%d document(s) valid against %s (%.1f s)" % (len(runs), os.path.join(arguments.schemas, "flags.json"), time.monotonic() - started))

    started = time.monotonic()
    total = 0
    for run in runs:
        total += evaluate_run(run, clock)
    print("%d evaluation(s) in %d document(s) (%.1f s)" % (total, len(runs), time.monotonic() - started))
    return 0


if __name__ == "__main__":
    sys.exit(main())
