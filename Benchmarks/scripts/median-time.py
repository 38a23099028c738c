#!/usr/bin/env python3
"""Runs a command RUNS times and prints the median wall time, the range, and one line of its output.

Usage: median-time.py RUNS LABEL [--summary REGEX] -- COMMAND...
The summary is the first output line matching REGEX (default: the last line). A failing run stops with its output.
"""
import re
import subprocess
import sys
import time

runs, label = int(sys.argv[1]), sys.argv[2]
rest = sys.argv[3:]
pattern = None
if rest[:1] == ["--summary"]:
    pattern, rest = re.compile(rest[1]), rest[2:]
command = rest[1:] if rest[:1] == ["--"] else rest
times = []
for _ in range(runs):
    start = time.perf_counter()
    result = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    times.append(time.perf_counter() - start)
    if result.returncode != 0:
        sys.exit(f"{label}: exit {result.returncode}: {(result.stdout + result.stderr).decode()[-800:]}")
lines = result.stdout.decode().splitlines() or [""]
summary = next((line for line in lines if pattern.search(line)), "") if pattern else lines[-1]
times.sort()
print(f"{label}: median {times[len(times) // 2]:.3f} s (min {times[0]:.3f}, max {times[-1]:.3f}) over {runs} runs; {summary.strip()}")
