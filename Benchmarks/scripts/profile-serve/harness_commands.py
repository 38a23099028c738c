#!/usr/bin/env python3
"""Prints the shell commands that compile and link the callgrind harness (main.swift) exactly as SwiftPM
compiled and linked `flagc`, read from the build manifest (release.yaml), with flagc's own main left out.

Usage: harness_commands.py RELEASE_YAML HARNESS_MAIN WORK_FOLDER
"""
import json
import shlex
import sys


def command_args(manifest, name_suffix):
    """The args of the first manifest command whose name ends with name_suffix."""
    found = False
    for line in manifest:
        stripped = line.strip()
        if stripped.startswith('"C.flagc-') and stripped.endswith(name_suffix + '":') and "-tool" not in stripped:
            found = True
        elif found and stripped.startswith("args: "):
            return json.loads(stripped[len("args: "):])
    sys.exit(f"no flagc command ending in {name_suffix} in the manifest; build flagc in release mode first")


def main():
    manifest_path, harness, work = sys.argv[1:4]
    with open(manifest_path) as file:
        manifest = file.readlines()

    # Compile: flagc's module command, for one file to one object, without the module and dependency outputs.
    compile_args = command_args(manifest, "release.module")
    dropped_with_value = {"-module-name", "-emit-module-path", "-output-file-map", "-num-threads"}
    dropped = {"-emit-dependencies", "-emit-module", "-serialize-diagnostics", "-parseable-output", "-parse-as-library", "-c"}
    compile_command = [compile_args[0], "-module-name", "ServeProfile", "-c", harness, "-o", f"{work}/main.o"]
    skip = False
    for arg in compile_args[1:]:
        if skip:
            skip = False
        elif arg in dropped_with_value:
            skip = True
        elif arg in dropped or arg.startswith("@"):
            continue
        else:
            compile_command.append(arg)

    # Link: flagc's link command, with the harness object in place of flagc's main.
    link_args = command_args(manifest, "release.exe")
    link_command = []
    skip = False
    objects = None
    for arg in link_args:
        if skip:
            skip = False
            link_command.append(f"{work}/serve-profile")
        elif arg == "-o":
            link_command.append(arg)
            skip = True
        elif arg.startswith("@"):
            objects = arg[1:]
            link_command.append(f"@{work}/objects")
        else:
            link_command.append(arg)
    if objects is None:
        sys.exit("the link command names no object list")
    with open(objects) as file:
        listed = [line.strip() for line in file if line.strip()]
    kept = [path for path in listed if "/flagc.build/" not in path.strip('"')]
    if len(kept) == len(listed):
        sys.exit("flagc's main object is not in the link list")
    with open(f"{work}/objects", "w") as file:
        file.write("\n".join(kept + [f"{work}/main.o"]) + "\n")

    print(shlex.join(compile_command))
    print(shlex.join(link_command))


if __name__ == "__main__":
    main()
