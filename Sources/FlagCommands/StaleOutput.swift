import FlagCompiler
import FlagRuntime

/// `flagc stale` results as text, JSON, Markdown or GitHub annotations, in the report's order (file, position, id).
struct StaleOutput {
    let report: StaleReport
    /// The machine-readable formats (JSON, GitHub) name files from this repository's root.
    var paths: RepositoryPaths? = nil

    private func machinePath(_ path: String) -> String { paths?.fromRoot(path) ?? path }

    private func plural(_ count: Int, _ word: String) -> String { "\(count) \(word)\(count == 1 ? "" : "s")" }

    func summary() -> String {
        var history = "history not read"
        if report.readHistory { history = "\(plural(report.commits, "commit")) of history read" }
        return "\(plural(report.findings.count, "finding")) in \(plural(report.flagCount, "flag")) and \(plural(report.segmentCount, "segment")); \(history)"
    }

    func text() -> String {
        var lines = report.findings.map { finding in
            "\(finding.file):\(finding.location.line):\(finding.location.column): stale[\(finding.id)]: \(finding.message); \(finding.action)"
        }
        lines.append(summary())
        return lines.joined(separator: "\n") + "\n"
    }

    func json() -> String {
        let findings: [JSONValue] = report.findings.map { finding in
            var object: [String: JSONValue] = [
                "id": .string(finding.id), "kind": .string(finding.kind.rawValue), "subject": .string(finding.subject),
                "file": .string(machinePath(finding.file)), "line": .integer(Int64(finding.location.line)), "column": .integer(Int64(finding.location.column)),
                "message": .string(finding.message), "action": .string(finding.action),
            ]
            if let since = finding.since { object["since"] = .string(Timestamp.format(since)) }
            if let days = finding.days { object["days"] = .integer(Int64(days)) }
            if let served = finding.served { object["served"] = .string(served) }
            if let addedIn = finding.addedIn { object["addedIn"] = .string(addedIn) }
            return .object(object)
        }
        var history: [String: JSONValue] = ["read": .bool(report.readHistory)]
        if report.readHistory {
            history["commits"] = .integer(Int64(report.commits))
            history["versions"] = .integer(Int64(report.versions))
        }
        if let reason = report.historyUnavailable { history["unavailable"] = .string(reason) }
        let lifetimes: [String: JSONValue] = Dictionary(uniqueKeysWithValues: FlagKind.allCases.map { kind in
            (kind.rawValue, report.settings.lifetimeDays(of: kind).map { .integer(Int64($0)) } ?? .null)
        })
        let document: JSONValue = .object([
            "version": .integer(1),
            "now": .string(Timestamp.format(report.now)),
            "settings": .object(["lifetimes": .object(lifetimes), "settledDays": .integer(Int64(report.settings.settledDays))]),
            "history": .object(history),
            "counts": .object(["flags": .integer(Int64(report.flagCount)), "segments": .integer(Int64(report.segmentCount)), "findings": .integer(Int64(report.findings.count))]),
            "findings": .array(findings),
        ])
        return JSONWriter(style: .pretty).string(document)
    }

    func markdown() -> String {
        var lines = ["### Stale flags", "", summary() + ".", ""]
        guard !report.findings.isEmpty else { return (lines + ["Nothing is stale."]).joined(separator: "\n") + "\n" }
        lines += ["| finding | since | where | what to do |", "| --- | --- | --- | --- |"]
        for finding in report.findings {
            let since = finding.since.map { "\(Timestamp.format($0).prefix(10))" + (finding.days.map { " (\(plural($0, "day")))" } ?? "") } ?? ""
            lines.append("| `\(finding.id)` | \(since) | `\(finding.file):\(finding.location.line)` | \(cell(finding.action)) |")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func cell(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "'", with: "`")
    }

    func github() -> String {
        var lines = report.findings.map { finding in
            let properties = [
                "file=\(DiagnosticFormatter.escapeProperty(machinePath(finding.file)))", "line=\(finding.location.line)", "col=\(finding.location.column)",
                "title=\(DiagnosticFormatter.escapeProperty("flagc stale \(finding.id)"))",
            ]
            return "::warning \(properties.joined(separator: ","))::\(DiagnosticFormatter.escapeData("\(finding.message); \(finding.action)"))"
        }
        lines.append(DiagnosticFormatter.escapeData(summary()))
        return lines.joined(separator: "\n") + "\n"
    }
}
