#!/usr/bin/env python3
"""Drives flagc report sites in headless Chromium over the DevTools Protocol, with the standard library only.

The protocol runs over --remote-debugging-pipe: Chromium reads commands from its fd 3 and writes replies and
events to its fd 4, each message one JSON document followed by a NUL byte.

For each --site (a folder written by flagc report): every flag of its snapshot (--snapshot, else the pages
on disk) is in the index's data; the first page of rows is rendered; typing into search and choosing a filter
(driven through Runtime.evaluate) shows exactly the rows the data says match; the filter survives in the
address; paging works; the skip link is the first thing Tab reaches; a flag page renders. Screenshots of the
index, a flag page and a filtered view go to --artifacts. Any console error, exception or log error fails the
run, as does any internal link (href/src) of any page that does not resolve to a file (and #anchor).
"""
import argparse
import base64
import html.parser
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.parse


class Browser:
    def __init__(self, executable):
        self.profile = tempfile.mkdtemp(prefix="flagc-report-chromium-")
        to_child_read, self.to_child = os.pipe()
        self.from_child, from_child_write = os.pipe()

        def arrange():
            # Copies first, so that neither pipe end is overwritten by the other's move; dup2 leaves 3 and 4 inheritable.
            reading, writing = os.dup(to_child_read), os.dup(from_child_write)
            os.dup2(reading, 3)
            os.dup2(writing, 4)

        arguments = [executable, "--headless=new", "--remote-debugging-pipe", "--disable-gpu", "--no-first-run",
                     "--no-default-browser-check", "--disable-extensions", "--disable-background-networking",
                     "--disable-dev-shm-usage", f"--user-data-dir={self.profile}", "--window-size=1280,900"]
        if os.geteuid() == 0:
            arguments.append("--no-sandbox")
        self.process = subprocess.Popen(arguments, preexec_fn=arrange, close_fds=False,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_child_read)
        os.close(from_child_write)
        self.buffer = b""
        self.next_id = 0
        self.events = []
        self.errors = []
        self.session = None

    def send(self, method, params=None, session=True):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session and self.session:
            message["sessionId"] = self.session
        os.write(self.to_child, json.dumps(message).encode() + b"\0")
        while True:
            reply = self.receive(timeout=60)
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})

    def receive(self, timeout):
        deadline = time.monotonic() + timeout
        while b"\0" not in self.buffer:
            if time.monotonic() > deadline:
                raise TimeoutError("no message from Chromium")
            chunk = os.read(self.from_child, 1 << 20)
            if not chunk:
                raise RuntimeError("Chromium closed the pipe")
            self.buffer += chunk
        raw, self.buffer = self.buffer.split(b"\0", 1)
        message = json.loads(raw)
        if "method" in message:
            self.note(message)
        return message

    def note(self, event):
        method, params = event["method"], event.get("params", {})
        self.events.append(method)
        if method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            self.errors.append("exception: " + details.get("exception", {}).get("description", details.get("text", "")))
        elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            self.errors.append("console." + params["type"] + ": " + " ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", [])))
        elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
            entry = params["entry"]
            self.errors.append(f"log: {entry.get('text')} {entry.get('url', '')}")

    def wait_for(self, method, timeout=60):
        self.events = [e for e in self.events if e != method]
        deadline = time.monotonic() + timeout
        while method not in self.events:
            self.receive(timeout=max(0.1, deadline - time.monotonic()))

    def open_page(self):
        target = self.send("Target.createTarget", {"url": "about:blank"}, session=False)["targetId"]
        self.session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True}, session=False)["sessionId"]
        for domain in ("Page", "Runtime", "Log"):
            self.send(domain + ".enable")
        self.send("Emulation.setDeviceMetricsOverride", {"width": 1280, "height": 900, "deviceScaleFactor": 1, "mobile": False})

    def navigate(self, url):
        self.send("Page.navigate", {"url": url})
        self.wait_for("Page.loadEventFired")

    def evaluate(self, expression):
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True})
        if "exceptionDetails" in result:
            raise RuntimeError(f"evaluating {expression!r}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def screenshot(self, path):
        data = self.send("Page.captureScreenshot", {"format": "png"})["data"]
        with open(path, "wb") as file:
            file.write(base64.b64decode(data))
        print(f"  screenshot {path}")

    def key(self, key, code, key_code):
        for kind in ("keyDown", "keyUp"):
            self.send("Input.dispatchKeyEvent", {"type": kind, "key": key, "code": code, "windowsVirtualKeyCode": key_code})

    def close(self):
        try:
            self.send("Browser.close", session=False)
        except Exception:
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        subprocess.run(["rm", "-rf", self.profile])


class Links(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self.ids = [], set()

    def handle_starttag(self, tag, attributes):
        for name, value in attributes:
            if name == "id" and value:
                self.ids.add(value)
            if name in ("href", "src") and value is not None and not (tag == "link" and ("canonical", "rel") in [(v, n) for n, v in attributes]):
                self.links.append(value)


def check_links(site):
    """Every relative href/src of every page resolves to a file of the site (and its #anchor to an id)."""
    pages, broken, count = {}, [], 0
    for folder, _, names in os.walk(site):
        for name in names:
            if name.endswith(".html"):
                path = os.path.join(folder, name)
                parser = Links()
                parser.feed(open(path, encoding="utf-8").read())
                pages[os.path.normpath(path)] = parser
    for path, parser in sorted(pages.items()):
        for link in parser.links:
            parts = urllib.parse.urlsplit(link)
            if parts.scheme or parts.netloc:
                if parts.scheme not in ("https", "http") or "canonical" in link:
                    continue
                continue
            count += 1
            target = os.path.normpath(os.path.join(os.path.dirname(path), urllib.parse.unquote(parts.path))) if parts.path else path
            if not os.path.isfile(target):
                broken.append(f"{path}: {link} (no file {target})")
            elif parts.fragment and target.endswith(".html") and parts.fragment not in pages[target].ids:
                broken.append(f"{path}: {link} (no id {parts.fragment})")
    return count, len(pages), broken


def expected_matches(rows, columns, query="", **filters):
    c = {name: index for index, name in enumerate(columns)}
    found = []
    for row in rows:
        if query and query.lower() not in (row[c["key"]] + "\n" + row[c["description"]] + "\n" + row[c["owner"]]).lower():
            continue
        if filters.get("state") and filters["state"] not in row[c["states"]]:
            continue
        if filters.get("module") and row[c["module"]] != filters["module"]:
            continue
        if filters.get("owner") and row[c["owner"]] != filters["owner"]:
            continue
        if filters.get("env") and row[c["environments"]] and filters["env"] not in row[c["environments"]]:
            continue
        found.append(row[c["key"]])
    return found


def check_site(browser, site, flag, search, filters, artifacts, snapshot):
    name = os.path.basename(os.path.normpath(site))
    print(f"site {site}")
    index = os.path.join(os.path.abspath(site), "index.html")
    text = open(index, encoding="utf-8").read()
    start = text.index('<script type="application/json" id="flag-data">') + len('<script type="application/json" id="flag-data">')
    data = json.loads(text[start:text.index("</script>", start)])
    rows, columns = data["flags"], data["columns"]
    keys = [row[0] for row in rows]
    if snapshot:
        flags = json.load(open(snapshot))["flags"]
        expected = sorted(flags if isinstance(flags, dict) else (f["key"] for f in flags))
    else:
        expected = sorted(keys)
    failures = []

    began = time.monotonic()
    browser.navigate("file://" + index)
    load = time.monotonic() - began
    shown = browser.evaluate("window.flagcReport.allKeys()")
    if sorted(shown) != expected:
        failures.append(f"the index's data has {len(shown)} flags, the snapshot {len(expected)}; missing {sorted(set(expected) - set(shown))[:5]}")
    pages = [k for k in expected if not os.path.isfile(os.path.join(site, "flags", k + ".html"))]
    if pages:
        failures.append(f"{len(pages)} flags have no page, e.g. {pages[:3]}")
    visible = browser.evaluate("window.flagcReport.visibleKeys()")
    if visible != keys[:data["pageSize"]]:
        failures.append(f"the first page shows {len(visible)} rows, not the first {data['pageSize']} flags")
    print(f"  {len(shown)} flags in the DOM data, {len(visible)} rows rendered, loaded in {load:.2f} s")
    browser.screenshot(os.path.join(artifacts, f"{name}-index.png"))

    # Keyboard: the first Tab reaches the skip link.
    browser.key("Tab", "Tab", 9)
    if browser.evaluate("document.activeElement && document.activeElement.className") != "skip":
        failures.append("the first Tab does not reach the skip link")

    # Search, typed into the field as a user would (one input event per character).
    typing = ("var s = document.getElementById('search'); s.focus(); s.value = ''; var t = performance.now();"
              "for (var ch of %s) { s.value += ch; s.dispatchEvent(new Event('input', {bubbles: true})); }"
              "performance.now() - t") % json.dumps(search)
    elapsed = browser.evaluate(typing)
    want = expected_matches(rows, columns, search)
    got = browser.evaluate("window.flagcReport.matchingCount()")
    visible = browser.evaluate("window.flagcReport.visibleKeys()")
    if got != len(want) or visible != want[:data["pageSize"]]:
        failures.append(f"search {search!r}: {got} match and {visible[:3]} shown, expected {len(want)}: {want[:3]}")
    print(f"  search {search!r}: {got} flags match ({elapsed:.0f} ms for {len(search)} keystrokes)")

    # A filter chosen in its select, together with the search, then alone.
    field, value = filters.split("=", 1)
    browser.evaluate("var e = document.getElementById(%s); e.value = %s; e.dispatchEvent(new Event('change', {bubbles: true}))" % (json.dumps(field), json.dumps(value)))
    want = expected_matches(rows, columns, search, **{field: value})
    got = browser.evaluate("window.flagcReport.matchingCount()")
    if got != len(want):
        failures.append(f"search {search!r} with {filters}: {got} match, expected {len(want)}")
    browser.evaluate("var s = document.getElementById('search'); s.value = ''; s.dispatchEvent(new Event('input', {bubbles: true}))")
    want = expected_matches(rows, columns, **{field: value})
    got = browser.evaluate("window.flagcReport.matchingCount()")
    visible = browser.evaluate("window.flagcReport.visibleKeys()")
    badges = browser.evaluate("Array.prototype.every.call(document.querySelectorAll('#flags tbody tr'), function (tr) { return tr.querySelector('.state-%s') !== null; })" % value)
    if got != len(want) or visible != want[:data["pageSize"]] or not badges:
        failures.append(f"filter {filters}: {got} match, expected {len(want)}; every row badged: {badges}")
    print(f"  filter {filters}: {got} flags match")
    browser.screenshot(os.path.join(artifacts, f"{name}-filtered.png"))

    # The filtered view is an address: reloading it shows the same rows.
    address = browser.evaluate("location.href")
    browser.navigate("about:blank")
    browser.navigate(address)
    if browser.evaluate("window.flagcReport.matchingCount()") != len(want):
        failures.append(f"the address {address} does not restore the filter")

    # Paging.
    browser.navigate("file://" + index)
    if len(keys) > data["pageSize"]:
        browser.evaluate("document.getElementById('next').click()")
        visible = browser.evaluate("window.flagcReport.visibleKeys()")
        if visible[:1] != keys[data["pageSize"]:data["pageSize"] + 1]:
            failures.append(f"the next page starts with {visible[:1]}, not {keys[data['pageSize']]}")

    flag = flag or keys[len(keys) // 2]
    browser.navigate("file://" + os.path.join(os.path.abspath(site), "flags", flag + ".html"))
    heading = browser.evaluate("document.querySelector('h1').textContent")
    if heading != flag:
        failures.append(f"the page of {flag} has the heading {heading!r}")
    browser.screenshot(os.path.join(artifacts, f"{name}-flag.png"))

    # The dark scheme follows prefers-color-scheme.
    browser.send("Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": "dark"}]})
    background = browser.evaluate("getComputedStyle(document.body).backgroundColor")
    if background != "rgb(13, 17, 23)":
        failures.append(f"the dark scheme's background is {background}")
    browser.screenshot(os.path.join(artifacts, f"{name}-flag-dark.png"))
    browser.send("Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": "light"}]})

    links, pages_checked, broken = check_links(site)
    print(f"  {links} internal links in {pages_checked} pages checked")
    failures += [f"broken link: {b}" for b in broken[:20]]
    return failures


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--browser", required=True)
    parser.add_argument("--artifacts", required=True)
    parser.add_argument("--site", action="append", default=[])
    parser.add_argument("--snapshot", action="append", default=[])
    parser.add_argument("--flag", action="append", default=[])
    parser.add_argument("--search", action="append", default=[])
    parser.add_argument("--filter", action="append", default=[])
    arguments = parser.parse_args()
    browser = Browser(arguments.browser)
    failures = []
    try:
        browser.open_page()
        for position, site in enumerate(arguments.site):
            def nth(values, default=None):
                return values[position] if position < len(values) and values[position] != "-" else default
            failures += check_site(browser, site, nth(arguments.flag), nth(arguments.search, "a"), nth(arguments.filter, "state=on"),
                                   arguments.artifacts, nth(arguments.snapshot))
    finally:
        browser.close()
    failures += [f"browser: {error}" for error in browser.errors]
    for failure in failures:
        print("FAIL " + failure)
    if failures:
        sys.exit(1)
    print("report pages: OK")


if __name__ == "__main__":
    main()
