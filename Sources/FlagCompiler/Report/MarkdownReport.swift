import FlagRuntime

/// The report as markdown pages for a wiki: the same index (counts and the table of every flag) and the same
/// flag, segment and owner pages as `HTMLReport`, with relative links (absolute under `--base-url`).
package struct MarkdownReport: Sendable {
    /// What is rendered.
    package var model: ReportModel

    /// Creates a renderer.
    package init(_ model: ReportModel) {
        self.model = model
    }

    /// Every file, sorted by path.
    package func files() -> [ReportFile] {
        var files = [ReportFile(path: "index.md", text: index()), ReportFile(path: "segments.md", text: segmentList()), ReportFile(path: "owners.md", text: ownerList())]
        files += ConcurrentMap.map(model.flags) { ReportFile(path: ReportPaths.flag($0.key, "md"), text: flagPage($0)) }
        files += model.segments.map { segment in
            var text = "# Segment `\(segment.name)`\n\n" + (segment.description.map { "\(Self.escape($0))\n\n" } ?? "")
            text += "Defined in `\(segment.file)`. Matches \(segment.conditions.isEmpty ? "everyone" : Self.escape(segment.conditions.joined(separator: ", "))).\n\n## Flags that use it\n\n"
            text += segment.flags.isEmpty ? "No flag uses it.\n" : segment.flags.map { "- \(link($0, ReportPaths.flag($0, "md"), depth: 1))\n" }.joined()
            text += segment.findings.map { "\n- stale: `\($0.id)`: \(Self.escape($0.message))\n" }.joined()
            return ReportFile(path: ReportPaths.segment(segment.name, "md"), text: text)
        }
        let byKey = Dictionary(model.flags.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        files += model.owners.map { owner in
            ReportFile(path: ReportPaths.owner(owner.name, "md"), text: "# Owner `\(owner.name)`\n\n" + table(owner.flags.compactMap { byKey[$0] }, depth: 1))
        }
        return files.sorted { precedesByUTF8($0.path, $1.path) }
    }

    func index() -> String {
        let counts = model.counts
        var text = "# \(Self.escape(model.options.title))\n\n"
        text += "\(counts.flags) flags · \(counts.stale) stale · \(counts.expiringThisMonth) expiring this month · \(counts.rollingOut) rolling out\n\n"
        text += "[Segments](\(href("segments.md", depth: 0))) · [Owners](\(href("owners.md", depth: 0)))\n\n"
        return text + table(model.flags, depth: 0) + footer()
    }

    func table(_ flags: [ReportModel.FlagEntry], depth: Int) -> String {
        var text = "| Flag | Module | Owner | Type | State | Environments | Last change |\n| --- | --- | --- | --- | --- | --- | --- |\n"
        for flag in flags {
            let owner = flag.flag.metadata.owner.map { link($0, ReportPaths.owner($0, "md"), depth: depth) } ?? "—"
            let states = flag.states.enumerated().map { $0.offset == 0 ? flag.stateSummary : $0.element.label }.joined(separator: ", ")
            text += "| \(link(flag.key, ReportPaths.flag(flag.key, "md"), depth: depth)) | \(Self.cell(flag.module)) | \(owner) | \(Self.cell((flag.kind.map { $0.rawValue + ", " } ?? "") + flag.flag.type.rawValue)) | \(states) | "
            text += "\(Self.cell(flag.environments.isEmpty ? "all" : flag.environments.joined(separator: ", "))) | \(flag.history.first.map { ReportDates.day($0.time) } ?? "—") |\n"
        }
        return text
    }

    func flagPage(_ entry: ReportModel.FlagEntry) -> String {
        let flag = entry.flag
        var text = "# `\(flag.key)`\n\n"
        text += "State: \(entry.states.enumerated().map { $0.offset == 0 ? entry.stateSummary : $0.element.label }.joined(separator: ", "))\n\n"
        if let description = flag.metadata.description { text += "\(Self.escape(description))\n\n" }
        var file = "`\(entry.file):\(entry.line)`"
        if let links = model.options.links { file = "[\(file)](\(links.file(entry.rootPath, line: entry.line)))" }
        text += "- Owner: \(flag.metadata.owner.map { link($0, ReportPaths.owner($0, "md"), depth: 1) } ?? "none")\n- Module: \(Self.escape(entry.module))\n"
        text += "- Type: \((entry.kind.map { $0.rawValue + ", " } ?? "") + flag.type.rawValue)\n- Expires: \(flag.metadata.expires.map(ReportDates.expiry) ?? "never")\n"
        text += "- Enabled: \(flag.enabled ? "yes" : "no (kill switch off)")\n- Environments: \(entry.environments.isEmpty ? "all" : entry.environments.joined(separator: ", "))\n- Defined in: \(file)\n\n"
        text += "## Variants\n\n| Variant | Value |\n| --- | --- |\n"
        for variant in flag.variants {
            text += "| \(Self.cell(variant.name))\(variant.name == flag.defaultVariant ? " (default)" : "") | \(Self.code(ReportValues.text(variant.value))) |\n"
        }
        text += "\n## Rules\n\n"
        for (index, rule) in entry.rules.enumerated() {
            text += "\(index + 1). " + (rule.name.map { "**\(Self.escape($0))**: " } ?? "") + Self.escape(rule.text) + "\n"
        }
        text += (entry.rules.isEmpty ? "" : "\n") + Self.escape(RuleWording.fallback(of: flag)) + "\n\n## Segments\n\n"
        text += entry.segments.isEmpty ? "Uses no segment.\n" : entry.segments.map { "- \(link($0, ReportPaths.segment($0, "md"), depth: 1))\n" }.joined()
        text += "\n## References in code\n\n"
        if let references = entry.references {
            text += references.isEmpty ? "No reference found: a candidate for removal.\n" : references.map { location in
                let place = "`\(location.file):\(location.line)`"
                return "- " + (model.options.links.map { "[\(place)](\($0.file(location.file, line: location.line)))" } ?? place) + "\n"
            }.joined()
        } else {
            text += "Not scanned (`flagc report --refs`).\n"
        }
        text += "\n## Tests\n\n" + (entry.tests.isEmpty ? "No `flagc test` case covers it.\n" : entry.tests.map { "- `\($0.file)`: \(HTMLReport.count($0.cases, "case"))\n" }.joined())
        text += "\n## Stale findings\n\n" + (entry.findings.isEmpty ? "None.\n" : entry.findings.map { "- `\($0.id)`: \(Self.escape($0.message)); \(Self.escape($0.action))\n" }.joined())
        text += "\n## History\n\n"
        if model.options.history == nil {
            text += "Not read (`flagc report --history`).\n"
        } else if entry.history.isEmpty {
            text += "No commit on the branch changed it.\n"
        } else {
            text += "| Date | Commit | Author | Change |\n| --- | --- | --- | --- |\n"
            for change in entry.history {
                let short = "`\(change.commit.prefix(7))`"
                let commit = model.options.links.map { "[\(short)](\($0.commit(change.commit)))" } ?? short
                text += "| \(ReportDates.day(change.time)) | \(commit) \(Self.cell(change.subject)) | \(Self.cell(change.author)) | \(Self.cell(change.summaries.joined(separator: "; "))) |\n"
            }
        }
        return text + footer()
    }

    func segmentList() -> String {
        "# Segments\n\n" + (model.segments.isEmpty ? "The project defines no segment.\n" : model.segments.map { "- \(link($0.name, ReportPaths.segment($0.name, "md"), depth: 0)): used by \(HTMLReport.count($0.flags.count, "flag"))\n" }.joined())
    }

    func ownerList() -> String {
        "# Owners\n\n" + model.owners.map { "- \(link($0.name, ReportPaths.owner($0.name, "md"), depth: 0)): \(HTMLReport.count($0.flags.count, "flag"))\n" }.joined()
    }

    private func footer() -> String {
        "\n---\nWritten by `flagc report`\(model.options.revision.map { " at `\($0.prefix(12))`" } ?? ""); states as of \(ReportDates.long(model.options.now)).\n"
    }

    /// `[text](path)`: relative to a page `depth` folders down, or absolute under `--base-url`.
    private func link(_ text: String, _ path: String, depth: Int) -> String { "[\(Self.escape(text))](\(href(path, depth: depth)))" }

    private func href(_ path: String, depth: Int) -> String {
        model.options.baseURL.map { HTMLReport.joined($0, path) } ?? String(repeating: "../", count: depth) + path
    }

    /// Markdown's special characters in running text, escaped.
    static func escape(_ text: String) -> String {
        var escaped = ""
        for character in text {
            if "\\`*_[]<>|#".contains(character) { escaped.append("\\") }
            escaped.append(character == "\n" ? " " : character)
        }
        return escaped
    }

    /// Text as inline code in a table cell: backslashes do not escape inside code, so only `|` (which GitHub's
    /// tables let `\|` escape there too) and backticks are changed.
    static func code(_ text: String) -> String {
        "`" + text.replacingOccurrences(of: "`", with: "'").replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ") + "`"
    }

    /// A table cell: escaped, on one line.
    static func cell(_ text: String) -> String { escape(text) }
}
