#!/usr/bin/env python3
"""Validate flagd flag-definition documents (written by `flagc compile --flagd`) against flagd's JSON Schema.

Usage:
    scripts/check-flagd.py DOCUMENT... [--schemas DIR]

DIR holds flagd's published schemas (draft-07) `flags.json` and `targeting.json`, from
open-feature/flagd-schemas (default: ../shared/flagd-schemas next to the repository, or $FLAGD_SCHEMAS).
`flags.json` refers to `./targeting.json`; draft-07 ignores the `$id` beside a root `$ref`, so both schemas are
registered under their `$id` (https://flagd.dev/schema/v0/...) and the relative reference resolves to
targeting.json's `$id`.

Prints `path: error at <json path>: message` per problem and a summary line; exits 1 on any failure, 2 when
the schemas are missing. Needs jsonschema (4.18 or later, for `referencing`).
"""

import argparse
import json
import os
import sys

import jsonschema
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_SCHEMAS = os.environ.get("FLAGD_SCHEMAS") or os.path.join(os.path.dirname(ROOT), "shared", "flagd-schemas")


def load_validator(schema_dir):
    """A draft-07 validator for flags.json with targeting.json registered under its $id."""
    schemas = {}
    for name in ("flags.json", "targeting.json"):
        with open(os.path.join(schema_dir, name), encoding="utf-8") as handle:
            schemas[name] = json.load(handle)
    registry = Registry()
    for schema in schemas.values():
        registry = registry.with_resource(schema["$id"], Resource.from_contents(schema, default_specification=DRAFT7))
    flags = schemas["flags.json"]
    jsonschema.Draft7Validator.check_schema(flags)
    jsonschema.Draft7Validator.check_schema(schemas["targeting.json"])
    # Resolve from flags.json's $id, so that "./targeting.json" means targeting.json's $id.
    return jsonschema.Draft7Validator({"$ref": flags["$id"]}, registry=registry)


def errors(validator, document):
    """(location, message) of each schema error in a document."""
    found = []
    for error in sorted(validator.iter_errors(document), key=lambda e: list(map(str, e.absolute_path))):
        location = "".join("[%s]" % json.dumps(part) for part in error.absolute_path) or "(root)"
        found.append((location, error.message[:300]))
    return found


def check(validator, path, cache=None):
    """Problems in one document, as printable lines.

    The schema constrains each member of `flags` on its own (patternProperties → anyFlag), so the document is
    valid exactly when it is valid with `flags` emptied and each flag is valid alone in `{"flags": {key: flag}}`.
    Checking flag by flag lets `cache` (a dict) skip flags already checked in another document: exports of one
    folder for several environments share most flags, and the schema's nested anyOf/oneOf make validation slow.
    """
    try:
        with open(path, encoding="utf-8") as handle:
            document = json.load(handle)
    except (OSError, ValueError) as error:
        return ["%s: cannot read: %s" % (path, error)]
    cache = {} if cache is None else cache
    found = []
    flags = document.get("flags") if isinstance(document, dict) else None
    if not isinstance(flags, dict):
        found = errors(validator, document)
    else:
        found += errors(validator, dict(document, flags={}))
        for key, flag in flags.items():
            single = {"flags": {key: flag}}
            text = json.dumps(single, sort_keys=True)
            if text not in cache:
                cache[text] = errors(validator, single)
            found += cache[text]
    return ["%s: error at %s: %s" % (path, location, message) for location, message in found]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("documents", nargs="+", metavar="DOCUMENT")
    parser.add_argument("--schemas", default=DEFAULT_SCHEMAS, metavar="DIR")
    arguments = parser.parse_args()
    if not os.path.isfile(os.path.join(arguments.schemas, "flags.json")):
        print("flagd schemas not found in %s (pass --schemas DIR)" % arguments.schemas, file=sys.stderr)
        return 2
    validator = load_validator(arguments.schemas)
    problems = []
    cache = {}
    for path in arguments.documents:
        problems += check(validator, path, cache)
    for line in problems:
        print(line)
    print("%d problem(s) in %d flagd document(s) (schema: %s)" % (len(problems), len(arguments.documents), os.path.join(arguments.schemas, "flags.json")))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
