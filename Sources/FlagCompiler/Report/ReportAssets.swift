/// The report's style sheet and script, kept in the binary so a report needs nothing but `flagc`.
///
/// The script is plain JavaScript without dependencies: it filters and pages the index from the JSON that
/// `index.html` embeds (no `fetch`, which `file://` forbids), and keeps the filters in the address's `#` part so
/// a filtered view can be linked. Without it, the index shows its first page as HTML and links `all.html`.
enum ReportAssets {
    static let css = """
        :root { color-scheme: light dark; --fg: #1b1f24; --bg: #ffffff; --muted: #57606a; --line: #d0d7de; --link: #0550ae; --panel: #f6f8fa;
          --on: #1a7f37; --off: #6e7781; --warn: #9a6700; --bad: #cf222e; --info: #0969da; --ab: #8250df; }
        @media (prefers-color-scheme: dark) {
          :root { --fg: #e6edf3; --bg: #0d1117; --muted: #9198a1; --line: #3d444d; --link: #7cb7ff; --panel: #161b22;
            --on: #3fb950; --off: #9198a1; --warn: #d29922; --bad: #f85149; --info: #58a6ff; --ab: #bc8cff; }
        }
        * { box-sizing: border-box; }
        body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
        a { color: var(--link); }
        a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible { outline: 3px solid var(--info); outline-offset: 2px; }
        code { font: 0.92em ui-monospace, SFMono-Regular, Menlo, monospace; }
        .skip { position: absolute; left: -999px; } .skip:focus { left: 8px; top: 8px; background: var(--bg); padding: 4px 8px; z-index: 1; }
        .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
        header.site { display: flex; flex-wrap: wrap; gap: 1rem; align-items: center; padding: 0.5rem 1.5rem; border-bottom: 1px solid var(--line); background: var(--panel); }
        .site-title { margin: 0; font-weight: 600; } .site-title a { color: inherit; text-decoration: none; }
        nav ul { display: flex; gap: 1rem; list-style: none; margin: 0; padding: 0; }
        main { padding: 1rem 1.5rem; max-width: 80rem; }
        footer { padding: 1rem 1.5rem; color: var(--muted); border-top: 1px solid var(--line); }
        .counts { display: flex; flex-wrap: wrap; gap: 1rem; list-style: none; padding: 0; }
        .counts li { border: 1px solid var(--line); border-radius: 6px; padding: 0.5rem 1rem; background: var(--panel); }
        .counts strong { font-size: 1.4em; display: block; }
        .filters { display: flex; flex-wrap: wrap; gap: 0.5rem 1.5rem; align-items: end; }
        .filters p { margin: 0; } .filters label { display: block; font-size: 0.85em; color: var(--muted); }
        input, select, button { font: inherit; color: inherit; background: var(--bg); border: 1px solid var(--line); border-radius: 6px; padding: 0.25rem 0.5rem; }
        button { cursor: pointer; background: var(--panel); } button:disabled { opacity: 0.5; cursor: default; }
        table { border-collapse: collapse; width: 100%; margin: 0.5rem 0 1rem; }
        th, td { text-align: left; vertical-align: top; padding: 0.3rem 0.6rem; border-bottom: 1px solid var(--line); }
        thead th { font-size: 0.85em; color: var(--muted); }
        tbody th { font-weight: normal; }
        .state { display: inline-block; font-size: 0.8em; padding: 0 0.5em; border-radius: 1em; border: 1px solid currentColor; white-space: nowrap; }
        .state-on { color: var(--on); } .state-off { color: var(--off); border-style: dashed; }
        .state-rolling-out { color: var(--info); } .state-ab-test { color: var(--ab); border-style: double; border-width: 3px; }
        .state-scheduled { color: var(--warn); border-style: dotted; } .state-expired { color: var(--bad); font-weight: 600; }
        .state-stale { color: var(--warn); font-weight: 600; }
        .tag { font-size: 0.8em; color: var(--muted); border: 1px solid var(--line); border-radius: 4px; padding: 0 0.3em; }
        dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.2rem 1rem; } dl.facts dt { color: var(--muted); } dl.facts dd { margin: 0; }
        .description { font-size: 1.1em; }
        .rules li { margin: 0.2rem 0; }
        .split { margin: 0.5rem 0 1rem; } .split figcaption { font-size: 0.85em; color: var(--muted); }
        .bar { display: flex; width: 100%; max-width: 40rem; border: 1px solid var(--line); border-radius: 4px; overflow: hidden; }
        .bucket { padding: 0.15rem 0.4rem; font-size: 0.8em; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; color: #fff; min-width: 0.3rem; }
        .bucket-0 { background: #0969da; } .bucket-1 { background: #57606a; } .bucket-2 { background: #8250df; }
        .bucket-3 { background: #1a7f37; } .bucket-4 { background: #9a6700; } .bucket-5 { background: #cf222e; }
        .bucket + .bucket { border-left: 2px solid var(--bg); }
        ul.plain { list-style: none; padding: 0; margin: 0; }
        .pager { display: flex; gap: 1rem; align-items: center; }
        [hidden] { display: none !important; }

        """

    static let script = #"""
        // flagc report: filters and pages the index from the data embedded in index.html. No dependencies, no requests.
        (function () {
          "use strict";
          var dataElement = document.getElementById("flag-data");
          if (!dataElement) { return; }
          var data = JSON.parse(dataElement.textContent);
          var c = {};
          data.columns.forEach(function (name, index) { c[name] = index; });
          var rows = data.flags;
          var haystacks = rows.map(function (row) { return (row[c.key] + "\n" + row[c.description] + "\n" + row[c.owner]).toLowerCase(); });
          var form = document.getElementById("filters");
          var search = document.getElementById("search");
          var selects = { module: document.getElementById("module"), owner: document.getElementById("owner"), state: document.getElementById("state"), env: document.getElementById("env") };
          var body = document.querySelector("#flags tbody");
          var status = document.getElementById("status");
          var pager = document.getElementById("pager");
          var previous = document.getElementById("previous");
          var next = document.getElementById("next");
          var pageLabel = document.getElementById("page");
          var matching = [];
          var page = 0;
          form.hidden = false;

          function filters() {
            return { q: search.value.trim().toLowerCase(), module: selects.module.value, owner: selects.owner.value, state: selects.state.value, env: selects.env.value };
          }

          function matches(index, f) {
            var row = rows[index];
            if (f.q && haystacks[index].indexOf(f.q) < 0) { return false; }
            if (f.module && row[c.module] !== f.module) { return false; }
            if (f.owner && row[c.owner] !== f.owner) { return false; }
            if (f.state && row[c.states].indexOf(f.state) < 0) { return false; }
            // A flag whose rules name no environment behaves the same in every one.
            if (f.env && row[c.environments].length > 0 && row[c.environments].indexOf(f.env) < 0) { return false; }
            return true;
          }

          function cell(tag, text, href) {
            var element = document.createElement(tag);
            if (tag === "th") { element.scope = "row"; }
            if (href) {
              var link = document.createElement("a");
              link.href = href;
              link.textContent = text;
              element.appendChild(link);
            } else {
              element.textContent = text;
            }
            return element;
          }

          function render() {
            var pages = Math.max(1, Math.ceil(matching.length / data.pageSize));
            page = Math.min(Math.max(0, page), pages - 1);
            var fragment = document.createDocumentFragment();
            matching.slice(page * data.pageSize, (page + 1) * data.pageSize).forEach(function (index) {
              var row = rows[index];
              var tr = document.createElement("tr");
              tr.appendChild(cell("th", row[c.key], row[c.href]));
              tr.appendChild(cell("td", row[c.module]));
              tr.appendChild(cell("td", row[c.owner] || "\u2014", row[c.ownerHref]));
              tr.appendChild(cell("td", row[c.type]));
              var states = document.createElement("td");
              row[c.states].forEach(function (state, position) {
                var badge = document.createElement("span");
                badge.className = "state state-" + state;
                badge.textContent = position === 0 ? row[c.summary] : row[c.labels][position];
                if (position > 0) { states.appendChild(document.createTextNode(" ")); }
                states.appendChild(badge);
              });
              tr.appendChild(states);
              tr.appendChild(cell("td", row[c.environments].length ? row[c.environments].join(", ") : "all"));
              tr.appendChild(cell("td", row[c.changed] || "\u2014"));
              fragment.appendChild(tr);
            });
            body.replaceChildren(fragment);
            var first = matching.length ? page * data.pageSize + 1 : 0;
            var last = Math.min(matching.length, (page + 1) * data.pageSize);
            status.textContent = matching.length === rows.length
              ? "Showing " + first + "\u2013" + last + " of " + rows.length + " flags."
              : matching.length + " of " + rows.length + " flags match; showing " + first + "\u2013" + last + ".";
            pager.hidden = pages < 2;
            pageLabel.textContent = "Page " + (page + 1) + " of " + pages;
            previous.disabled = page === 0;
            next.disabled = page >= pages - 1;
          }

          function apply(keepPage) {
            var f = filters();
            matching = [];
            for (var index = 0; index < rows.length; index++) { if (matches(index, f)) { matching.push(index); } }
            if (!keepPage) { page = 0; }
            render();
            var parts = [];
            if (search.value.trim()) { parts.push("q=" + encodeURIComponent(search.value.trim())); }
            Object.keys(selects).forEach(function (name) { if (selects[name].value) { parts.push(name + "=" + encodeURIComponent(selects[name].value)); } });
            if (page > 0) { parts.push("page=" + (page + 1)); }
            try { history.replaceState(null, "", parts.length ? "#" + parts.join("&") : location.pathname + location.search); } catch (error) { /* file:// in some browsers */ }
          }

          function readAddress() {
            var values = {};
            location.hash.replace(/^#/, "").split("&").forEach(function (part) {
              var equals = part.indexOf("=");
              if (equals > 0) { values[part.slice(0, equals)] = decodeURIComponent(part.slice(equals + 1)); }
            });
            search.value = values.q || "";
            Object.keys(selects).forEach(function (name) {
              var wanted = values[name] || "";
              selects[name].value = Array.prototype.some.call(selects[name].options, function (option) { return option.value === wanted; }) ? wanted : "";
            });
            page = values.page ? parseInt(values.page, 10) - 1 || 0 : 0;
          }

          search.addEventListener("input", function () { apply(false); });
          Object.keys(selects).forEach(function (name) { selects[name].addEventListener("change", function () { apply(false); }); });
          form.addEventListener("submit", function (event) { event.preventDefault(); });
          form.addEventListener("reset", function () { setTimeout(function () { apply(false); }, 0); });
          previous.addEventListener("click", function () { page -= 1; apply(true); });
          next.addEventListener("click", function () { page += 1; apply(true); });
          window.addEventListener("hashchange", function () { readAddress(); apply(true); });
          readAddress();
          apply(true);

          // For scripts and tests: the keys of the rows shown, and how many flags match.
          window.flagcReport = {
            visibleKeys: function () { return Array.prototype.map.call(body.querySelectorAll("th a"), function (link) { return link.textContent; }); },
            matchingCount: function () { return matching.length; },
            allKeys: function () { return rows.map(function (row) { return row[c.key]; }); }
          };
        })();

        """#
}
