import FlagCompiler
import FlagRuntime

/// Renders a `FlagDiff` in the four `flagc diff` formats.
struct DiffOutput {
    let diff: FlagDiff
    let base: DiffSide
    let head: DiffSide
    let colour: Bool
    /// The machine-readable formats (JSON, GitHub) name files from this repository's root.
    var paths: RepositoryPaths? = nil

    private func machinePath(_ path: String) -> String { paths?.fromRoot(path) ?? path }

    // MARK: Summary

    /// `3 flags changed: 1 added, 1 removed, 1 modified`, or `no flag changed`.
    var summaryLine: String {
        let keys = Set(diff.flags.map(\.key))
        guard !keys.isEmpty else { return "no flag changed" }
        var counts: [(String, Int)] = []
        for kind in [FlagChange.Kind.added, .removed, .renamed, .modified] {
            let count = Set(diff.flags.filter { $0.kind == kind }.map(\.key)).count
            if count > 0 { counts.append((kind.rawValue, count)) }
        }
        return "\(keys.count) flag\(keys.count == 1 ? "" : "s") changed: " + counts.map { "\($0.1) \($0.0)" }.joined(separator: ", ")
    }

    var heading: String {
        "\(diff.base.label) → \(diff.head.label)"
    }

    static func symbol(_ kind: FlagChange.Kind) -> String {
        switch kind {
        case .added: "+"
        case .removed: "-"
        case .modified: "~"
        case .renamed: "→"
        }
    }

    static func title(_ change: FlagChange) -> String {
        let renamed = change.renamedFrom.map { " (renamed from \($0))" } ?? ""
        return change.key + renamed + (change.environment.map { " [\($0)]" } ?? "")
    }

    /// `15.00 % of the rule's audience: false → true (exact)`.
    static func impactText(_ impact: Impact) -> String {
        let moves = impact.transitions.prefix(4).map { "\($0.from) → \($0.to) \(FlagDifferText.percent($0.share))" }.joined(separator: ", ")
        let how = impact.reshuffle ? "expected, reshuffle" : impact.exact ? "exact" : "expected"
        return "\(FlagDifferText.percent(impact.share)) of the rule's audience changes variant (\(how))" + (moves.isEmpty ? "" : ": \(moves)")
    }

    static func populationText(_ population: PopulationImpact) -> String {
        let share = population.total == 0 ? 0 : Double(population.changed) / Double(population.total)
        let moves = population.transitionCounts.prefix(4).map { "\($0.from) → \($0.to) \($0.count)" }.joined(separator: ", ")
        return "\(population.changed) of \(population.total) contexts change (\(FlagDifferText.percent(share)), sampled)" + (moves.isEmpty ? "" : ": \(moves)")
    }

    // MARK: Text

    func text() -> String {
        func paint(_ text: String, _ code: String) -> String { colour ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }
        var lines = ["flagc diff \(heading)", summaryLine + (diff.risks.isEmpty ? "" : " (risks: \(diff.risks.map(\.rawValue).joined(separator: ", ")))")]
        for change in diff.flags {
            lines.append("")
            let code = switch change.kind {
            case .added: "32"
            case .removed: "31"
            case .modified, .renamed: "33"
            }
            lines.append(paint("\(Self.symbol(change.kind)) \(Self.title(change))", code))
            for field in change.changes {
                lines.append("    \(field.summary)")
                if let impact = field.impact { lines.append("      impact: \(Self.impactText(impact))") }
            }
            if let population = change.population { lines.append("    population: \(Self.populationText(population))") }
            if !change.risks.isEmpty { lines.append(paint("    risks: \(change.risks.map(\.rawValue).joined(separator: ", "))", "31")) }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    // MARK: Markdown

    func markdown() -> String {
        func cell(_ text: String) -> String {
            text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
        }
        func value(_ json: JSONValue?) -> String {
            guard let json else { return "" }
            var text = JSONWriter(style: .compact).string(json)
            if case .string(let string) = json { text = string }
            // A code span holding a backtick needs a longer fence (and spaces when it starts or ends with one).
            return text.contains("`") ? "`` \(cell(text)) ``" : "`\(cell(text))`"
        }
        var out = "## flagc diff: \(heading)\n\n**\(summaryLine)**"
        if !diff.risks.isEmpty { out += " · risks: " + diff.risks.map { "⚠️ `\($0.rawValue)`" }.joined(separator: " ") }
        out += "\n"
        if let size = diff.populationSize { out += "\nPopulation: \(size) contexts evaluated on both sides.\n" }
        for change in diff.flags {
            out += "\n### \(Self.symbol(change.kind)) `\(change.key)`"
            if let from = change.renamedFrom { out += " (renamed from `\(from)`)" }
            if let environment = change.environment { out += " · \(environment)" }
            out += "\n\n"
            if !change.risks.isEmpty { out += change.risks.map { "⚠️ `\($0.rawValue)`" }.joined(separator: " ") + "\n\n" }
            let rows = change.changes.map { field -> String in
                let impact = field.impact.map { Self.impactText($0) } ?? ""
                return "| \(cell(field.summary)) | \(value(field.before)) | \(value(field.after)) | \(cell(impact)) |"
            }
            let header = "| change | before | after | impact |\n| --- | --- | --- | --- |\n"
            if rows.count <= 10 {
                out += header + rows.joined(separator: "\n") + "\n"
            } else {
                out += header + rows.prefix(10).joined(separator: "\n") + "\n\n<details><summary>\(rows.count - 10) more changes</summary>\n\n"
                    + header + rows.dropFirst(10).joined(separator: "\n") + "\n\n</details>\n"
            }
            if let population = change.population { out += "\nPopulation: \(Self.populationText(population))\n" }
        }
        return out
    }

    // MARK: JSON

    func json() -> String {
        func side(_ side: FlagDiff.Side) -> JSONValue {
            var object: [String: JSONValue] = ["label": .string(side.label), "id": .string(side.id)]
            object["revision"] = side.revision.map(JSONValue.string) ?? .null
            return .object(object)
        }
        func impact(_ impact: Impact) -> JSONValue {
            var object: [String: JSONValue] = [
                "share": .double(impact.share), "exact": .bool(impact.exact), "reshuffle": .bool(impact.reshuffle),
                "transitions": .array(impact.transitions.map { .object(["from": .string($0.from), "to": .string($0.to), "share": .double($0.share)]) }),
            ]
            if let main = impact.transitions.first {
                object["from"] = .string(main.from)
                object["to"] = .string(main.to)
            }
            return .object(object)
        }
        let flags: [JSONValue] = diff.flags.map { change in
            var object: [String: JSONValue] = [
                "key": .string(change.key),
                "change": .string(change.kind.rawValue),
                "environment": change.environment.map(JSONValue.string) ?? .null,
                "risks": .array(change.risks.map { .string($0.rawValue) }),
                "changes": .array(change.changes.map { field in
                    var object: [String: JSONValue] = ["kind": .string(field.kind), "path": .string(field.path), "summary": .string(field.summary)]
                    object["before"] = field.before ?? .null
                    object["after"] = field.after ?? .null
                    if let value = field.impact { object["impact"] = impact(value) }
                    return .object(object)
                }),
            ]
            if let from = change.renamedFrom { object["renamedFrom"] = .string(from) }
            if let location = location(change, field: nil) {
                object["location"] = .object(["file": .string(machinePath(location.file)), "line": .integer(Int64(location.location.line)), "column": .integer(Int64(location.location.column))])
            }
            if let population = change.population {
                object["population"] = .object([
                    "changed": .integer(Int64(population.changed)), "total": .integer(Int64(population.total)),
                    "share": .double(population.total == 0 ? 0 : Double(population.changed) / Double(population.total)), "exact": .bool(false),
                    "transitions": .array(population.transitionCounts.map { .object(["from": .string($0.from), "to": .string($0.to), "count": .integer(Int64($0.count))]) }),
                ])
            }
            return .object(object)
        }
        var document: [String: JSONValue] = [
            "version": 1, "base": side(diff.base), "head": side(diff.head), "flags": .array(flags),
            "environments": .array(diff.environments.map(JSONValue.string)),
            "risks": .array(diff.risks.map { .string($0.rawValue) }),
            "summary": .string(summaryLine),
        ]
        if let size = diff.populationSize { document["populationSize"] = .integer(Int64(size)) }
        return JSONWriter(style: .pretty).string(.object(document))
    }

    // MARK: GitHub

    /// Where a change is written: the head's file (the base's for a removed flag or rule).
    func location(_ change: FlagChange, field: FieldChange?) -> (file: String, location: SourceLocation)? {
        // A change the same in every environment was found in each; the first environment's lowering maps its rules.
        let environment = change.environment ?? diff.environments.first
        if change.kind == .removed || field?.ruleIsInBase == true {
            return base.location(of: change.renamedFrom ?? change.key, rule: field?.rule, environment: environment)
        }
        return head.location(of: change.key, rule: field?.rule, environment: environment)
    }

    func github() -> String {
        var lines: [String] = []
        for change in diff.flags {
            let level = change.risks.isEmpty ? "notice" : "warning"
            let risks = change.risks.isEmpty ? "" : " (risks: \(change.risks.map(\.rawValue).joined(separator: ", ")))"
            let title = DiagnosticFormatter.escapeProperty("flagc diff: \(Self.symbol(change.kind)) \(Self.title(change))")
            // One annotation per rule touched, and one on the flag for the rest.
            var byLocation: [String: (file: String, location: SourceLocation, lines: [String])] = [:]
            var order: [String] = []
            for field in change.changes {
                guard let place = location(change, field: field.rule == nil ? nil : field) else { continue }
                let id = "\(place.file):\(place.location.line)"
                if byLocation[id] == nil { order.append(id); byLocation[id] = (place.file, place.location, []) }
                byLocation[id]!.lines.append(field.summary + (field.impact.map { "; " + Self.impactText($0) } ?? ""))
            }
            for id in order {
                let entry = byLocation[id]!
                let message = DiagnosticFormatter.escapeData(entry.lines.joined(separator: "\n") + risks)
                lines.append("::\(level) file=\(DiagnosticFormatter.escapeProperty(machinePath(entry.file))),line=\(entry.location.line),col=\(entry.location.column),title=\(title)::\(message)")
            }
        }
        lines.append("::notice title=flagc diff::\(DiagnosticFormatter.escapeData(summaryLine + " (\(heading))"))")
        return lines.joined(separator: "\n") + "\n"
    }
}
