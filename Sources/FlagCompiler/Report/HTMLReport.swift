import FlagRuntime

/// The report as a static site: `index.html` (every flag, filtered and paged by `report.js` from data embedded in
/// the page, the first page also as plain HTML), `all.html` (every flag without script), a page per flag, segment
/// and owner, `style.css` and `report.js`. Relative links only, no request leaves the page.
///
/// ```swift
/// let files = HTMLReport(model).files()
/// try ReportSite.write(files, to: "build/report")
/// ```
package struct HTMLReport: Sendable {
    /// The rows the index shows per page (and without script).
    package static let pageSize = 100

    /// What is rendered.
    package var model: ReportModel

    /// Creates a renderer.
    package init(_ model: ReportModel) {
        self.model = model
    }

    /// Every file of the site, sorted by path.
    package func files() -> [ReportFile] {
        var files = [
            ReportFile(path: "style.css", text: ReportAssets.css),
            ReportFile(path: "report.js", text: ReportAssets.script),
            ReportFile(path: "index.html", text: index()),
            ReportFile(path: "all.html", text: allFlags()),
            ReportFile(path: "segments.html", text: segmentList()),
            ReportFile(path: "owners.html", text: ownerList()),
        ]
        files += ConcurrentMap.map(model.flags) { ReportFile(path: ReportPaths.flag($0.key, "html"), text: flagPage($0)) }
        files += model.segments.map { ReportFile(path: ReportPaths.segment($0.name, "html"), text: segmentPage($0)) }
        files += model.owners.map { ReportFile(path: ReportPaths.owner($0.name, "html"), text: ownerPage($0)) }
        return files.sorted { precedesByUTF8($0.path, $1.path) }
    }

    // MARK: Frame

    /// A whole page: `depth` is how many folders below the site's root it is (0 or 1).
    func page(_ title: String, path: String, depth: Int, body: String, script: Bool = false) -> String {
        let up = String(repeating: "../", count: depth)
        var head = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="color-scheme" content="light dark">
            <meta name="generator" content="flagc report">
            <title>\(Self.escape(title)) · \(Self.escape(model.options.title))</title>
            <link rel="icon" href="data:,">
            <link rel="stylesheet" href="\(up)style.css">

            """
        if let base = model.options.baseURL { head += "<link rel=\"canonical\" href=\"\(Self.escape(Self.joined(base, path)))\">\n" }
        let revision = model.options.revision.map { " at <code>\(Self.escape(String($0.prefix(12))))</code>" } ?? ""
        return head + """
            </head>
            <body>
            <a class="skip" href="#main">Skip to content</a>
            <header class="site">
            <p class="site-title"><a href="\(up)index.html">\(Self.escape(model.options.title))</a></p>
            <nav aria-label="Report"><ul>
            <li><a href="\(up)index.html">Flags</a></li>
            <li><a href="\(up)segments.html">Segments</a></li>
            <li><a href="\(up)owners.html">Owners</a></li>
            </ul></nav>
            </header>
            <main id="main">
            \(body)
            </main>
            <footer><p>Written by <code>flagc report</code>\(revision); states as of \(ReportDates.long(model.options.now)).</p></footer>
            \(script ? "<script src=\"\(up)report.js\"></script>\n" : "")</body>
            </html>

            """
    }

    // MARK: Index

    func index() -> String {
        let counts = model.counts
        var body = "<h1>Flags</h1>\n<ul class=\"counts\" aria-label=\"Counts\">\n"
        for (value, label) in [(counts.flags, "flags"), (counts.stale, "stale"), (counts.expiringThisMonth, "expiring this month"), (counts.rollingOut, "rolling out")] {
            body += "<li><strong>\(value)</strong> \(label)</li>\n"
        }
        body += "</ul>\n"
        body += """
            <form class="filters" id="filters" role="search" hidden>
            <p><label for="search">Search</label> <input type="search" id="search" name="q" placeholder="key, description or owner" autocomplete="off"></p>
            \(select("module", "Module", model.modules))
            \(select("owner", "Owner", model.owners.map(\.name)))
            \(select("state", "State", ReportModel.State.allCases.map(\.rawValue), labels: ReportModel.State.allCases.map(\.label)))
            \(select("env", "Environment", model.environments))
            <p><button type="reset" id="reset">Clear filters</button></p>
            </form>
            <p id="status" role="status" aria-live="polite">Showing the first \(min(Self.pageSize, model.flags.count)) of \(model.flags.count) flags. <a href="all.html">Every flag on one page</a>.</p>

            """
        body += table(Array(model.flags.prefix(Self.pageSize)), id: "flags", depth: 0)
        body += "<nav class=\"pager\" id=\"pager\" aria-label=\"Pages\" hidden><button type=\"button\" id=\"previous\">Previous page</button> <span id=\"page\"></span> <button type=\"button\" id=\"next\">Next page</button></nav>\n"
        body += "<script type=\"application/json\" id=\"flag-data\">\(indexData())</script>\n"
        return page("Flags", path: "index.html", depth: 0, body: body, script: true)
    }

    func allFlags() -> String {
        page("Every flag", path: "all.html", depth: 0, body: "<h1>Every flag</h1>\n<p>\(model.flags.count) flags, by key.</p>\n" + table(model.flags, id: "all-flags", depth: 0))
    }

    private func select(_ name: String, _ label: String, _ values: [String], labels: [String]? = nil) -> String {
        var text = "<p><label for=\"\(name)\">\(label)</label> <select id=\"\(name)\" name=\"\(name)\"><option value=\"\">any</option>"
        for (index, value) in values.enumerated() {
            text += "<option value=\"\(Self.escape(value))\">\(Self.escape(labels?[index] ?? value))</option>"
        }
        return text + "</select></p>"
    }

    /// The flags table; `report.js` renders the same cells from the data.
    func table(_ flags: [ReportModel.FlagEntry], id: String, depth: Int) -> String {
        var text = "<table class=\"flags\" id=\"\(id)\">\n<caption class=\"visually-hidden\">Flags</caption>\n"
        text += "<thead><tr><th scope=\"col\">Flag</th><th scope=\"col\">Module</th><th scope=\"col\">Owner</th><th scope=\"col\">Type</th><th scope=\"col\">State</th><th scope=\"col\">Environments</th><th scope=\"col\">Last change</th></tr></thead>\n<tbody>\n"
        let up = String(repeating: "../", count: depth)
        for flag in flags {
            let owner = flag.flag.metadata.owner.map { "<a href=\"\(up)\(ReportPaths.owner($0, "html"))\">\(Self.escape($0))</a>" } ?? "—"
            text += "<tr><th scope=\"row\"><a href=\"\(up)\(ReportPaths.flag(flag.key, "html"))\">\(Self.escape(flag.key))</a></th><td>\(Self.escape(flag.module))</td><td>\(owner)</td>"
            text += "<td>\(Self.escape(typeText(flag)))</td><td>\(badges(flag))</td><td>\(Self.escape(environmentsText(flag)))</td><td>\(flag.history.first.map { ReportDates.day($0.time) } ?? "—")</td></tr>\n"
        }
        return text + "</tbody>\n</table>\n"
    }

    /// `release, boolean`.
    func typeText(_ flag: ReportModel.FlagEntry) -> String {
        (flag.kind.map { $0.rawValue + ", " } ?? "") + flag.flag.type.rawValue
    }

    func environmentsText(_ flag: ReportModel.FlagEntry) -> String {
        flag.environments.isEmpty ? "all" : flag.environments.joined(separator: ", ")
    }

    /// The states as labelled badges (the words carry the meaning; colour only adds to it).
    func badges(_ flag: ReportModel.FlagEntry) -> String {
        flag.states.enumerated().map { index, state in
            "<span class=\"state state-\(state.rawValue)\">\(Self.escape(index == 0 ? flag.stateSummary : state.label))</span>"
        }.joined(separator: " ")
    }

    /// The index data `report.js` filters: one array per flag.
    func indexData() -> String {
        let rows: [JSONValue] = model.flags.map { flag in
            .array([
                .string(flag.key), .string(ReportPaths.flag(flag.key, "html")), .string(flag.module), .string(flag.flag.metadata.owner ?? ""),
                .string(typeText(flag)), .array(flag.states.map { .string($0.rawValue) }), .string(flag.stateSummary),
                .array(flag.states.map { .string($0.label) }), .array(flag.environments.map { .string($0) }),
                .string(flag.history.first.map { ReportDates.day($0.time) } ?? ""), .string(flag.flag.metadata.description ?? ""),
                .string(flag.flag.metadata.owner.map { ReportPaths.owner($0, "html") } ?? ""),
            ])
        }
        let json = JSONWriter(style: .compact).string(.object([
            "columns": .array(["key", "href", "module", "owner", "type", "states", "summary", "labels", "environments", "changed", "description", "ownerHref"].map { .string($0) }),
            "pageSize": .integer(Int64(Self.pageSize)), "flags": .array(rows),
        ]))
        // Inside <script>, `</script>` or `<!--` in a string would end the element: `<` is written as its escape.
        return json.replacingOccurrences(of: "<", with: "\\u003c")
    }

    // MARK: Lists

    func segmentList() -> String {
        var body = "<h1>Segments</h1>\n"
        if model.segments.isEmpty { body += "<p>The project defines no segment.</p>\n" }
        body += "<ul class=\"plain\">\n" + model.segments.map { segment in
            "<li><a href=\"\(ReportPaths.segment(segment.name, "html"))\">\(Self.escape(segment.name))</a>: used by \(Self.count(segment.flags.count, "flag"))</li>\n"
        }.joined() + "</ul>\n"
        return page("Segments", path: "segments.html", depth: 0, body: body)
    }

    func ownerList() -> String {
        var body = "<h1>Owners</h1>\n<ul class=\"plain\">\n"
        body += model.owners.map { "<li><a href=\"\(ReportPaths.owner($0.name, "html"))\">\(Self.escape($0.name))</a>: \(Self.count($0.flags.count, "flag"))</li>\n" }.joined()
        let unowned = model.flags.filter { $0.flag.metadata.owner == nil }.count
        if unowned > 0 { body += "<li>no owner: \(Self.count(unowned, "flag"))</li>\n" }
        return page("Owners", path: "owners.html", depth: 0, body: body + "</ul>\n")
    }

    // MARK: Text

    /// HTML-escapes text for element content and attribute values (`MarkupEscaping`); most text needs nothing.
    static func escape(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == UInt8(ascii: "&") || $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: ">") || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "'") || $0 < 0x20 }) else { return text }
        return MarkupEscaping.escape(text, inAttribute: false)
    }

    /// `3 flags`, `1 flag`.
    static func count(_ count: Int, _ word: String) -> String { "\(count) \(word)\(count == 1 ? "" : "s")" }

    /// `base` and `path` with one `/` between them.
    static func joined(_ base: String, _ path: String) -> String { (base.hasSuffix("/") ? base : base + "/") + path }
}
