#!/usr/bin/env python3
"""Sends keep-alive POSTs to a server running under callgrind and brackets the measured ones.

Usage: client.py PORT PID PATH WARMUP COUNT
WARMUP requests first, then `callgrind_control -z PID`, COUNT requests, `callgrind_control -d PID`.
Every answer must be 200: a request that fails would be measured as something else.
"""
import http.client
import subprocess
import sys

BODY = ('{"context":{"targetingKey":"user-1842","groups":["beta-testers"],"plan":"pro","tenant":"acme",'
        '"country":"DE","app_version":"4.2.0"}}')


def main():
    port, pid, path, warmup, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
    connection = http.client.HTTPConnection("127.0.0.1", int(port), timeout=120)

    def send(n):
        for _ in range(n):
            connection.request("POST", path, BODY, {"Content-Type": "application/json"})
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                sys.exit(f"{path}: HTTP {response.status}")

    send(warmup)
    subprocess.run(["callgrind_control", "-z", pid], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    send(count)
    subprocess.run(["callgrind_control", "-d", pid], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


if __name__ == "__main__":
    main()
