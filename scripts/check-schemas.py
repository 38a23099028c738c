#!/usr/bin/env python3
"""Validate flag files, the project config and snapshots against the JSON Schemas in schemas/.

Usage:
    scripts/check-schemas.py [FLAGS_DIR] [--snapshot PATH]... [--diff PATH]... [--test-results PATH]... [--refs PATH]... [--stale PATH]... [--sarif PATH]... [--openfeature-manifest PATH]...

* Every *.yaml / *.yml file under FLAGS_DIR (default: flags) is checked against schemas/flags.schema.json,
  except the project config flagc.yaml (FLAGS_DIR/flagc.yaml, or the one above the folder that flagc would
  use), which is checked against schemas/flagc-config.schema.json. Like flagc, files named flagc.yaml are
  never flag files, hidden files and folders are skipped and symbolic links are followed.
* Every *.test.yaml / *.test.yml file under FLAGS_DIR is a test file, checked against
  schemas/flag-test.schema.json.
* Each --snapshot PATH is checked against schemas/snapshot.schema.json, each --diff PATH against
  schemas/diff.schema.json, each --test-results PATH against schemas/flag-test-results.schema.json and each
  --refs PATH (`flagc refs --format json`) against schemas/refs.schema.json.
  --stale PATH (`flagc stale --format json`) against schemas/stale.schema.json.
  --sarif PATH (`flagc validate --format sarif`) against OASIS's SARIF 2.1.0 schema, kept beside the repository in
    ../shared/sarif (SARIF_SCHEMA names another file); SKIPPED, loudly, when it is absent.
  --openfeature-manifest PATH (`flagc compile --openfeature-manifest`) against the OpenFeature CLI's flag-manifest
    schema in ../shared/openfeature-cli (OPENFEATURE_MANIFEST_SCHEMA names another file); SKIPPED when absent.
* The schema files themselves are checked against their meta-schemas.

YAML is read the way flagc reads it (YAML 1.2 core schema): 2027-06-30 and timestamps stay strings, only
true/false (True, TRUE, ...) are booleans, yes/no/on/off are strings, numbers are plain decimals (010, which
YAML 1.1 reads as octal and flagc rejects as a number, stays text), and mapping keys are the text as written
(JSON object keys are strings). Duplicate keys and multiple documents are reported; an empty file passes (flagc
only warns).

The flag schema holds the default conventions; this script applies the project's flagc.yaml on top, as flagc
does: its naming.pattern replaces the default key pattern, its `require` list (default: description, owner)
becomes required flag fields, and a non-empty `environments` list limits environment names.

Prints `path: error at <json path>: message` per problem and a summary line; exits 1 on any failure.
Needs only jsonschema and PyYAML.
"""

import argparse
import copy
import decimal
import json
import os
import re
import sys

import jsonschema
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCHEMA_DIR = os.path.join(ROOT, "schemas")
FLAGS_SCHEMA = os.path.join(SCHEMA_DIR, "flags.schema.json")
CONFIG_SCHEMA = os.path.join(SCHEMA_DIR, "flagc-config.schema.json")
SNAPSHOT_SCHEMA = os.path.join(SCHEMA_DIR, "snapshot.schema.json")
DIFF_SCHEMA = os.path.join(SCHEMA_DIR, "diff.schema.json")
TEST_SCHEMA = os.path.join(SCHEMA_DIR, "flag-test.schema.json")
TEST_RESULTS_SCHEMA = os.path.join(SCHEMA_DIR, "flag-test-results.schema.json")
REFS_SCHEMA = os.path.join(SCHEMA_DIR, "refs.schema.json")
STALE_SCHEMA = os.path.join(SCHEMA_DIR, "stale.schema.json")
TEST_SUFFIXES = (".test.yaml", ".test.yml")
CONFIG_NAME = "flagc.yaml"
DEFAULT_REQUIRED = ["description", "owner"]


# MARK: YAML loading (YAML 1.2 core schema, like flagc)

BOOL_TAG = "tag:yaml.org,2002:bool"
INT_TAG = "tag:yaml.org,2002:int"
FLOAT_TAG = "tag:yaml.org,2002:float"
# Resolvers of YAML 1.1 that flagc does not have: dates, sexagesimal/hex/octal numbers, yes/no booleans,
# the `=` value key and merge keys (flagc rejects `<<`; as a plain key the schema reports it as unknown).
DROPPED_TAGS = {
    "tag:yaml.org,2002:timestamp", BOOL_TAG, INT_TAG, FLOAT_TAG,
    "tag:yaml.org,2002:value", "tag:yaml.org,2002:merge",
}


class FlagYAMLLoader(yaml.SafeLoader):
    """A SafeLoader that resolves plain scalars by the YAML 1.2 core schema, as flagc does."""

    def construct_mapping(self, node, deep=False):
        if not isinstance(node, yaml.MappingNode):
            raise yaml.constructor.ConstructorError(
                None, None, "expected a mapping node, but found %s" % node.id, node.start_mark)
        mapping = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise yaml.constructor.ConstructorError(
                    "while constructing a mapping", node.start_mark,
                    "found a %s as a key; keys must be plain names" % key_node.id, key_node.start_mark)
            key = key_node.value  # the key as written: JSON keys are strings
            if key in mapping:
                raise yaml.constructor.ConstructorError(
                    "while constructing a mapping", node.start_mark,
                    "found duplicate key '%s'" % key, key_node.start_mark)
            mapping[key] = self.construct_object(value_node, deep=deep)
        return mapping

    def construct_core_int(self, node):
        return int(self.construct_scalar(node))

    def construct_core_float(self, node):
        value = float(self.construct_scalar(node))
        # flagc reads numbers that overflow to infinity as text.
        return value if value not in (float("inf"), float("-inf")) else self.construct_scalar(node)

    def construct_core_bool(self, node):
        return self.construct_scalar(node).lower() == "true"


FlagYAMLLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in DROPPED_TAGS]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
FlagYAMLLoader.add_implicit_resolver(
    BOOL_TAG, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
# Decimal integers without a leading zero: flagc rejects 010 where a number is expected (octal to YAML 1.1),
# and takes it as written where a name is, so it stays text here.
FlagYAMLLoader.add_implicit_resolver(
    INT_TAG, re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$"), list("-+0123456789"))
FlagYAMLLoader.add_implicit_resolver(
    FLOAT_TAG,
    re.compile(r"^[-+]?(?:[0-9]+\.[0-9]*(?:[eE][-+]?[0-9]+)?|\.[0-9]+(?:[eE][-+]?[0-9]+)?|[0-9]+[eE][-+]?[0-9]+)$"),
    list("-+.0123456789"))
FlagYAMLLoader.add_constructor(BOOL_TAG, FlagYAMLLoader.construct_core_bool)
FlagYAMLLoader.add_constructor(INT_TAG, FlagYAMLLoader.construct_core_int)
FlagYAMLLoader.add_constructor(FLOAT_TAG, FlagYAMLLoader.construct_core_float)


class EmptyDocument(Exception):
    pass


def load_yaml(path):
    with open(path, "rb") as handle:
        data = yaml.load(handle, Loader=FlagYAMLLoader)  # one document; several are an error
    if data is None:
        raise EmptyDocument()
    return data


def yaml_message(error):
    """`not valid YAML: <problem> (line L, column C)`."""
    mark = getattr(error, "problem_mark", None)
    problem = getattr(error, "problem", None) or str(error)
    context = getattr(error, "context", None)
    text = f"{context} {problem}" if context and not context.startswith("while ") else problem
    where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
    return "not valid YAML: " + " ".join(text.split()) + where


# MARK: Validation

def decimal_multiple_of(validator, divisor, instance, schema):
    """multipleOf in decimal arithmetic, so that 33.33 is a multiple of 0.01 (binary floats say it is not)."""
    if not validator.is_type(instance, "number"):
        return
    try:
        remainder = decimal.Decimal(repr(instance)) % decimal.Decimal(repr(divisor))
    except decimal.InvalidOperation:
        remainder = 1
    if remainder != 0:
        yield jsonschema.ValidationError(f"{instance!r} is not a multiple of {divisor}")


def validator_for(schema):
    cls = jsonschema.validators.validator_for(schema)
    extended = jsonschema.validators.extend(cls, {"multipleOf": decimal_multiple_of})
    return extended(schema)


def json_path(parts):
    path = "$"
    for part in parts:
        if isinstance(part, int):
            path += f"[{part}]"
        elif re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", part):
            path += f".{part}"
        else:
            path += "[" + json.dumps(part) + "]"
    return path


def short(value, limit=60):
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def message(error, is_key=False):
    """A readable message: the schema's own (errorMessage / patternErrorMessage) when it has one."""
    schema = error.schema if isinstance(error.schema, dict) else {}
    if error.validator == "pattern" and "patternErrorMessage" in schema:
        return schema["patternErrorMessage"] if is_key else f"{short(error.instance)}: {schema['patternErrorMessage']}"
    if "errorMessage" in schema:
        return schema["errorMessage"]
    if error.validator in ("anyOf", "oneOf") and error.context:
        # Explain with the alternative that got furthest.
        return message(jsonschema.exceptions.best_match(error.context))
    # jsonschema starts many messages with the offending value as Python repr; show it as (short) JSON.
    text = error.message
    whole = repr(error.instance)
    if text.startswith(whole):
        text = short(error.instance) + text[len(whole):]
    return text


def errors_of(validator, instance):
    found = []
    for error in validator.iter_errors(instance):
        # An unknown operator shows up both as a bad property name and as an additional property; keep one.
        if error.validator == "additionalProperties" and isinstance(error.schema, dict) and "propertyNames" in error.schema:
            continue
        where = list(error.absolute_path)
        is_key = "propertyNames" in error.absolute_schema_path
        if is_key:
            where.append(error.instance)  # a key is wrong: point at it
        found.append((json_path(where), message(error, is_key)))
    return sorted(set(found))


# MARK: Project config

def walk(folder):
    """(directory, file names) of the folder and every folder below it, like flagc: sorted, hidden entries
    skipped, symbolic links followed, each real folder visited once."""
    visited = set()

    def visit(directory):
        real = os.path.realpath(directory)
        if real in visited:
            return
        visited.add(real)
        try:
            entries = sorted(os.listdir(directory))
        except OSError:
            return
        entries = [entry for entry in entries if not entry.startswith(".")]
        yield directory, [entry for entry in entries if os.path.isfile(os.path.join(directory, entry))]
        for entry in entries:
            if os.path.isdir(os.path.join(directory, entry)):
                yield from visit(os.path.join(directory, entry))

    yield from visit(folder)


def project_config(folder):
    """The flagc.yaml flagc uses for the folder: the nearest at or above it (stopping at a repository root,
    a folder holding .git), or else the shallowest one in the folders below it."""
    directory = os.path.abspath(folder)
    while True:
        candidate = os.path.join(directory, CONFIG_NAME)
        if os.path.isfile(candidate):
            return candidate
        if os.path.exists(os.path.join(directory, ".git")):
            break
        parent = os.path.dirname(directory)
        if parent == directory:
            break
        directory = parent
    below = [os.path.join(directory, CONFIG_NAME) for directory, files in walk(folder) if CONFIG_NAME in files]
    return min(below, key=lambda path: path.count(os.sep)) if below else None


def apply_config(flags_schema, config):
    """The flag schema with the project's conventions from flagc.yaml (as read; invalid parts are ignored)."""
    schema = copy.deepcopy(flags_schema)
    config = config if isinstance(config, dict) else {}
    naming = config.get("naming")
    if isinstance(naming, dict) and isinstance(naming.get("pattern"), str):
        pattern = r"\A(?:" + naming["pattern"] + r")\Z"  # flagc matches the whole key
        names = schema["properties"]["flags"]["propertyNames"]
        try:
            re.compile(pattern)
            names["pattern"] = pattern
            names["patternErrorMessage"] = f"a flag key must match the project's naming pattern {naming['pattern']} (flagc.yaml)"
        except re.error:
            del schema["properties"]["flags"]["propertyNames"]  # flagc reports the pattern itself
    required = DEFAULT_REQUIRED
    if isinstance(config.get("require"), list):
        required = [field for field in config["require"] if field in ("description", "owner", "expires", "metadata")]
    flag = schema["definitions"]["flag"]
    flag["required"] = sorted(set(flag.get("required", [])) | set(required))
    if "metadata" in required:
        flag["properties"]["metadata"]["minProperties"] = 1  # empty metadata does not count as present
    environments = config.get("environments")
    if isinstance(environments, list) and environments:
        allowed = [str(name) for name in environments]
        schema["definitions"]["conditions"]["properties"]["environments"] = {
            "type": "array",
            "minItems": 1,
            "items": {
                "enum": allowed + [name for name in environments if not isinstance(name, str)],
                "errorMessage": "not an environment of flagc.yaml; use one of: " + ", ".join(allowed),
            },
        }
    return schema


# MARK: Main

def main(argv):
    parser = argparse.ArgumentParser(description="Validate flag files, flagc.yaml and snapshots against schemas/.")
    parser.add_argument("flags", nargs="?", default="flags", help="the flags folder (default: flags)")
    parser.add_argument("--snapshot", action="append", default=[], metavar="PATH",
                        help="a snapshot.json to validate (may repeat)")
    parser.add_argument("--diff", action="append", default=[], metavar="PATH",
                        help="a `flagc diff --format json` document to validate (may repeat)")
    parser.add_argument("--refs", action="append", default=[], metavar="PATH",
                        help="a `flagc refs --format json` document to validate (may repeat)")
    parser.add_argument("--stale", action="append", default=[], metavar="PATH",
                        help="a `flagc stale --format json` document to validate (may repeat)")
    parser.add_argument("--sarif", action="append", default=[], metavar="PATH",
                        help="a `flagc validate --format sarif` document to validate against the SARIF 2.1.0 schema (may repeat)")
    parser.add_argument("--openfeature-manifest", action="append", default=[], metavar="PATH",
                        help="an OpenFeature CLI flag manifest to validate against the CLI's schema (may repeat)")
    parser.add_argument("--test-results", action="append", default=[], metavar="PATH",
                        help="a `flagc test --format json` document to validate (may repeat)")
    args = parser.parse_args(argv)

    valid = 0
    invalid = 0

    def report(path, problems):
        nonlocal valid, invalid
        if problems:
            invalid += 1
            for where, text in problems:
                print(f"{path}: error at {where or '$'}: {text}")
        else:
            valid += 1

    # (c) The schemas themselves.
    schemas = {}
    for path in (FLAGS_SCHEMA, CONFIG_SCHEMA, SNAPSHOT_SCHEMA, DIFF_SCHEMA, TEST_SCHEMA, TEST_RESULTS_SCHEMA, REFS_SCHEMA, STALE_SCHEMA):
        relative = os.path.relpath(path)
        try:
            with open(path, encoding="utf-8") as handle:
                schema = json.load(handle)
            jsonschema.validators.validator_for(schema).check_schema(schema)
            schemas[path] = schema
            report(relative, [])
        except (OSError, ValueError) as error:
            report(relative, [("", f"cannot read the schema: {error}")])
        except jsonschema.exceptions.SchemaError as error:
            report(relative, [(json_path(error.absolute_path), f"not a valid schema: {error.message}")])
    if len(schemas) < 6:
        print(f"schemas: {valid} files valid, {invalid} invalid")
        return 1

    def check_yaml(path, validator):
        try:
            data = load_yaml(path)
        except EmptyDocument:
            return None, []  # flagc accepts an empty file (with a warning)
        except (OSError, UnicodeDecodeError) as error:
            return None, [("", f"cannot read the file: {error}")]
        except yaml.YAMLError as error:
            return None, [("", yaml_message(error))]
        return data, errors_of(validator, data)

    # (a) The flags folder: flagc.yaml files are project configs, *.test.yaml / *.test.yml files are test files,
    # every other *.yaml / *.yml is a flag file.
    if args.flags != "flags" or os.path.exists(args.flags):
        if not os.path.isdir(args.flags):
            print(f"{args.flags}: error: not a folder of flag files", file=sys.stderr)
            return 2
        config_validator = validator_for(schemas[CONFIG_SCHEMA])
        flag_files, config_files, test_files = [], [], []
        for directory, files in walk(args.flags):
            for name in files:
                if name == CONFIG_NAME:
                    config_files.append(os.path.join(directory, name))
                elif name.endswith(TEST_SUFFIXES):
                    test_files.append(os.path.join(directory, name))
                elif name.endswith((".yaml", ".yml")):
                    flag_files.append(os.path.join(directory, name))
        used_config = project_config(args.flags)
        if used_config and not any(os.path.samefile(used_config, path) for path in config_files):
            config_files.insert(0, os.path.relpath(used_config))  # a flagc.yaml above the folder
        config_data = None
        for path in config_files:
            data, problems = check_yaml(path, config_validator)
            report(path, problems)
            if used_config and os.path.samefile(path, used_config):
                config_data = data
        flags_validator = validator_for(apply_config(schemas[FLAGS_SCHEMA], config_data))
        for path in sorted(flag_files):
            report(path, check_yaml(path, flags_validator)[1])
        test_validator = validator_for(schemas[TEST_SCHEMA])
        for path in sorted(test_files):
            report(path, check_yaml(path, test_validator)[1])

    # (b) Snapshots, diff documents and test results.
    documents = (
        (SNAPSHOT_SCHEMA, args.snapshot, "snapshot"),
        (DIFF_SCHEMA, args.diff, "diff"),
        (TEST_RESULTS_SCHEMA, args.test_results, "test results"),
        (REFS_SCHEMA, args.refs, "refs"),
        (STALE_SCHEMA, args.stale, "stale"),
    )
    for schema_path, paths, what in documents:
        document_validator = validator_for(schemas[schema_path])
        for path in paths:
            try:
                with open(path, encoding="utf-8") as handle:
                    data = json.load(handle)
            except (OSError, ValueError) as error:
                report(path, [("", f"cannot read the {what}: {error}")])
                continue
            report(path, errors_of(document_validator, data))

    # (d) Documents whose schemas are reference data beside the repository (../shared), when it is there.
    shared = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared")
    external = (
        (args.sarif, "SARIF_SCHEMA", os.path.join(shared, "sarif", "sarif-schema-2.1.0.json"), "SARIF 2.1.0"),
        (args.openfeature_manifest, "OPENFEATURE_MANIFEST_SCHEMA", os.path.join(shared, "openfeature-cli", "flag-manifest.json"), "OpenFeature CLI manifest"),
    )
    for paths, variable, default, what in external:
        if not paths:
            continue
        schema_path = os.environ.get(variable) or default
        if not os.path.isfile(schema_path):
            print(f"SKIPPED: the {what} schema is not at {os.path.normpath(schema_path)} (set {variable}); {len(paths)} documents were not schema-checked")
            continue
        with open(schema_path, encoding="utf-8") as handle:
            external_validator = validator_for(json.load(handle))
        for path in paths:
            try:
                with open(path, encoding="utf-8") as handle:
                    data = json.load(handle)
            except (OSError, ValueError) as error:
                report(path, [("", f"cannot read the {what} document: {error}")])
                continue
            report(path, errors_of(external_validator, data))

    print(f"schemas: {valid} files valid, {invalid} invalid")
    return 1 if invalid else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
