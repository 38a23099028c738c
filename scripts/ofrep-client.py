#!/usr/bin/env python3
"""Evaluates flags against a running `flagc serve` with OpenFeature's Python SDK and its OFREP provider
(openfeature-sdk, openfeature-provider-ofrep from PyPI): clients nobody here wrote.

  ofrep-client.py --check-environment
  ofrep-client.py --base-url URL --cases FILE [--reload-context JSON --reload-flag KEY -- RECOMPILE COMMAND...]

FILE is JSON: {"contexts": [{...}], "flags": [{"key": K, "type": "boolean|string|integer|number|object", "default": V}]}.
Prints one JSON document: every flag for every context through the provider (value, variant, reason, errorCode),
the bulk endpoint's ETag and its 304, and with a recompile command: the server-sent refetchEvaluation event
after it, the bulk answer to the old ETag, and the flag's value through the provider afterwards.
"""
import json
import subprocess
import sys
import threading


def check_environment():
    try:
        import openfeature  # noqa: F401
        from openfeature.contrib.provider.ofrep import OFREPProvider  # noqa: F401
        from importlib.metadata import version
    except ImportError as error:
        print(f"the OpenFeature SDK or its OFREP provider is missing ({error})")
        return 1
    print(f"openfeature-sdk {version('openfeature-sdk')}, openfeature-provider-ofrep {version('openfeature-provider-ofrep')}")
    return 0


def evaluate(client, flag, context):
    from openfeature.evaluation_context import EvaluationContext
    attributes = {k: v for k, v in context.items() if k != "targetingKey"}
    ctx = EvaluationContext(targeting_key=context.get("targetingKey"), attributes=attributes)
    method = {
        "boolean": client.get_boolean_details,
        "string": client.get_string_details,
        "integer": client.get_integer_details,
        "number": client.get_float_details,
        "object": client.get_object_details,
    }[flag["type"]]
    details = method(flag["key"], flag["default"], ctx)
    reason = details.reason.value if hasattr(details.reason, "value") else details.reason
    code = details.error_code.value if details.error_code is not None else None
    return {"flag": flag["key"], "value": details.value, "variant": details.variant, "reason": reason, "errorCode": code}


def main(argv):
    if "--check-environment" in argv:
        return check_environment()
    import requests
    from openfeature import api
    from openfeature.contrib.provider.ofrep import OFREPProvider

    recompile = []
    if "--" in argv:
        index = argv.index("--")
        argv, recompile = argv[:index], argv[index + 1:]
    options = dict(zip(argv[0::2], argv[1::2]))
    base = options["--base-url"].rstrip("/")
    with open(options["--cases"]) as handle:
        cases = json.load(handle)

    api.set_provider(OFREPProvider(base))
    client = api.get_client()
    result = {"evaluations": []}
    for index, context in enumerate(cases["contexts"]):
        for flag in cases["flags"]:
            row = evaluate(client, flag, context)
            row["context"] = index
            result["evaluations"].append(row)

    bulk_url = f"{base}/ofrep/v1/evaluate/flags"
    body = {"context": cases["contexts"][0]}
    first = requests.post(bulk_url, json=body, timeout=10)
    etag = first.headers.get("ETag")
    second = requests.post(bulk_url, json=body, headers={"If-None-Match": etag}, timeout=10)
    result["bulk"] = {"status": first.status_code, "etag": etag, "flags": len(first.json()["flags"]),
                      "eventStreams": first.json().get("eventStreams"), "conditionalStatus": second.status_code,
                      "conditionalBodyLength": len(second.content)}

    if recompile:
        stream = requests.get(f"{base}/ofrep/v1/events", stream=True, timeout=30)
        events = []
        ready = threading.Event()

        def read():
            data = None
            for line in stream.iter_lines(decode_unicode=True):
                if line.startswith("retry:"):
                    ready.set()
                if line.startswith("data:"):
                    data = json.loads(line[5:].strip())
                if line == "" and data is not None:
                    events.append(data)
                    return

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        ready.wait(10)
        done = subprocess.run(recompile, capture_output=True, text=True)
        reader.join(30)
        stream.close()
        refetched = requests.post(bulk_url, json=body, headers={"If-None-Match": etag},
                                  params={"flagConfigEtag": events[0]["etag"]} if events else None, timeout=10)
        reload_context = json.loads(options["--reload-context"])
        flag = next(f for f in cases["flags"] if f["key"] == options["--reload-flag"])
        result["reload"] = {"recompileStatus": done.returncode, "recompileOutput": done.stdout + done.stderr,
                            "event": events[0] if events else None, "status": refetched.status_code,
                            "etag": refetched.headers.get("ETag"), "after": evaluate(client, flag, reload_context)}
    json.dump(result, sys.stdout, sort_keys=True)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
