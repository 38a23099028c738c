#!/usr/bin/env python3
"""Validate OpenFeature Operator resources (written by `flagc compile --openfeature-operator`) against the CRDs.

Usage:
    scripts/check-openfeature-operator.py FILE... [--crds DIR] [--flagd DOCUMENT]

DIR holds the operator's CustomResourceDefinitions `core.openfeature.dev_featureflags.yaml` and
`core.openfeature.dev_featureflagsources.yaml` (default: $OPENFEATURE_OPERATOR_CRDS, else
../shared/openfeature-operator next to the repository). Each YAML document of each FILE must be a resource of
one of those kinds, in a version the CRD serves, and:

- valid against that version's `openAPIV3Schema` (read as JSON Schema draft 4, which OpenAPI v3 schemas are a
  subset of; the `x-kubernetes-*` extensions are not JSON Schema and are handled below);
- free of fields the API server would prune (a field that no `properties`, `additionalProperties` or
  `x-kubernetes-preserve-unknown-fields` declares is silently dropped on apply, and `kubectl diff` shows it
  forever);
- named as Kubernetes names objects (`metadata.name` an RFC 1123 subdomain, `metadata.namespace` an RFC 1123
  label);
- consistent: every `kubernetes` source of a FeatureFlagSource names (`NAMESPACE/NAME`) a FeatureFlag in the
  files.

With --flagd DOCUMENT, the FeatureFlag's `flagSpec`, as a YAML reader reads it (PyYAML, YAML 1.1 like the Go
readers kubectl uses), must equal DOCUMENT (the `--flagd` export of the same compile) without `$schema`, value
for value and type for type.

Prints `path: document N (KIND NAME): error at <path>: message` per problem and a summary line; exits 1 on any
problem, 2 when the CRDs are missing. Needs jsonschema and pyyaml.
"""

import argparse
import json
import os
import re
import sys

import jsonschema
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_CRDS = os.environ.get("OPENFEATURE_OPERATOR_CRDS") or os.path.join(os.path.dirname(ROOT), "shared", "openfeature-operator")
CRD_FILES = ("core.openfeature.dev_featureflags.yaml", "core.openfeature.dev_featureflagsources.yaml")
LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")


def load_crds(directory):
    """{kind: {"group/version": openAPIV3Schema}} for the served versions of each CRD."""
    kinds = {}
    for name in CRD_FILES:
        with open(os.path.join(directory, name), encoding="utf-8") as handle:
            for crd in yaml.safe_load_all(handle):
                if not crd:
                    continue
                spec = crd["spec"]
                versions = kinds.setdefault(spec["names"]["kind"], {})
                for version in spec["versions"]:
                    if version.get("served", False):
                        schema = version["schema"]["openAPIV3Schema"]
                        jsonschema.Draft4Validator.check_schema(schema)
                        versions["%s/%s" % (spec["group"], version["name"])] = schema
    return kinds


def location(parts):
    return "".join("[%s]" % json.dumps(part) for part in parts) or "(root)"


def pruned(value, schema, path, found):
    """Paths of fields the API server's structural pruning would drop."""
    if not isinstance(schema, dict) or schema.get("x-kubernetes-preserve-unknown-fields") is True:
        return
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        additional = schema.get("additionalProperties")
        for key, member in value.items():
            if path == [] and key == "metadata":
                continue  # ObjectMeta: the API server's own schema, checked by metadata_problems
            if key in properties:
                pruned(member, properties[key], path + [key], found)
            elif isinstance(additional, dict):
                pruned(member, additional, path + [key], found)
            else:
                found.append((location(path + [key]), "not declared by the CRD: the API server would prune it"))
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        for index, element in enumerate(value):
            pruned(element, schema["items"], path + [index], found)


def metadata_problems(resource):
    found = []
    metadata = resource.get("metadata")
    if not isinstance(metadata, dict):
        return [("[\"metadata\"]", "missing")]
    name, namespace = metadata.get("name"), metadata.get("namespace")
    if not isinstance(name, str) or len(name) > 253 or not all(LABEL.match(part) for part in name.split(".")):
        found.append(("[\"metadata\"][\"name\"]", "%r is not an RFC 1123 subdomain" % (name,)))
    if namespace is not None and (not isinstance(namespace, str) or not LABEL.match(namespace)):
        found.append(("[\"metadata\"][\"namespace\"]", "%r is not an RFC 1123 label" % (namespace,)))
    for key, value in (metadata.get("labels") or {}).items():
        if not isinstance(value, str):
            found.append(("[\"metadata\"][\"labels\"][%s]" % json.dumps(key), "label values are strings, not %r" % (value,)))
    return found


def same(left, right):
    """Equal as JSON values, types included (True is not 1, 1 is not 1.0)."""
    if type(left) is not type(right):
        return False
    if isinstance(left, dict):
        return left.keys() == right.keys() and all(same(left[key], right[key]) for key in left)
    if isinstance(left, list):
        return len(left) == len(right) and all(same(a, b) for a, b in zip(left, right))
    return left == right


def check(kinds, path, flagd=None):
    """(problems as printable lines, FeatureFlag references, kubernetes source references) of one file."""
    try:
        with open(path, encoding="utf-8") as handle:
            documents = [document for document in yaml.safe_load_all(handle) if document is not None]
    except (OSError, yaml.YAMLError) as error:
        return ["%s: cannot read: %s" % (path, error)], set(), []
    lines, flags, sources = [], set(), []
    if not documents:
        lines.append("%s: no resources" % path)
    for number, resource in enumerate(documents, start=1):
        kind = resource.get("kind") if isinstance(resource, dict) else None
        name = (resource.get("metadata") or {}).get("name") if isinstance(resource, dict) else None
        place = "%s: document %d (%s %s)" % (path, number, kind, name)
        if kind not in kinds:
            lines.append("%s: not a resource of %s" % (place, ", ".join(sorted(kinds))))
            continue
        schema = kinds[kind].get(resource.get("apiVersion"))
        if schema is None:
            lines.append("%s: apiVersion %r is not served (served: %s)" % (place, resource.get("apiVersion"), ", ".join(sorted(kinds[kind]))))
            continue
        found = []
        validator = jsonschema.Draft4Validator(schema)
        for error in sorted(validator.iter_errors(resource), key=lambda e: list(map(str, e.absolute_path))):
            found.append((location(error.absolute_path), error.message[:300]))
        pruned(resource, schema, [], found)
        found += metadata_problems(resource)
        reference = "%s/%s" % ((resource.get("metadata") or {}).get("namespace", "default"), name)
        if kind == "FeatureFlag":
            flags.add(reference)
            if flagd is not None:
                expected = dict(flagd)
                expected.pop("$schema", None)
                if not same(resource.get("spec", {}).get("flagSpec"), expected):
                    found.append(("[\"spec\"][\"flagSpec\"]", "differs from the flagd document given with --flagd"))
        if kind == "FeatureFlagSource":
            for index, source in enumerate((resource.get("spec") or {}).get("sources") or []):
                if isinstance(source, dict) and source.get("provider") == "kubernetes":
                    sources.append(("%s: error at [\"spec\"][\"sources\"][%d]" % (place, index), source.get("source")))
        lines += ["%s: error at %s: %s" % (place, where, message) for where, message in found]
    return lines, flags, sources


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", metavar="FILE")
    parser.add_argument("--crds", default=DEFAULT_CRDS, metavar="DIR")
    parser.add_argument("--flagd", metavar="DOCUMENT")
    arguments = parser.parse_args()
    if not all(os.path.isfile(os.path.join(arguments.crds, name)) for name in CRD_FILES):
        print("the OpenFeature Operator's CRDs are not in %s (pass --crds DIR)" % arguments.crds, file=sys.stderr)
        return 2
    kinds = load_crds(arguments.crds)
    flagd = None
    if arguments.flagd:
        with open(arguments.flagd, encoding="utf-8") as handle:
            flagd = json.load(handle)
    problems, flags, sources = [], set(), []
    for path in arguments.files:
        lines, file_flags, file_sources = check(kinds, path, flagd)
        problems += lines
        flags |= file_flags
        sources += file_sources
    for place, reference in sources:
        if reference not in flags:
            problems.append("%s: source %r names no FeatureFlag in the files (NAMESPACE/NAME)" % (place, reference))
    for line in problems:
        print(line)
    print("%d problem(s) in %d file(s) (CRDs: %s)" % (len(problems), len(arguments.files), arguments.crds))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
