import FlagRuntime

/// Renders diagnostics for people (text), machines (JSON) or GitHub Actions annotations.
public enum DiagnosticFormat: String, Sendable, CaseIterable {
    /// `path:line:col: error[rule-id]: message`, with colour on a terminal.
    case text
    /// One stable, sorted JSON document.
    case json
    /// GitHub Actions workflow commands (`::error file=…,line=…,col=…,title=…::message`).
    case github
}

/// Formats a run's diagnostics.
public struct DiagnosticFormatter: Sendable {
    /// The output format.
    public var format: DiagnosticFormat
    /// Whether text output may use ANSI colour.
    public var colour: Bool

    /// Creates a formatter.
    public init(format: DiagnosticFormat, colour: Bool = false) {
        self.format = format
        self.colour = colour
    }

    /// The whole report: every diagnostic, then (for text) a summary line. Diagnostics suppressed by the
    /// collector's limits are counted in the summary and named by rule in a line of their own.
    public func report(_ diagnostics: [Diagnostic], suppressed: SuppressedDiagnostics = SuppressedDiagnostics(), fileCount: Int) -> String {
        switch format {
        case .text: return text(diagnostics, suppressed: suppressed, fileCount: fileCount)
        case .json: return json(diagnostics, suppressed: suppressed, fileCount: fileCount)
        case .github:
            var lines = diagnostics.map(github)
            if suppressed.count > 0 {
                let command = suppressed.errors > 0 ? "error" : "warning"
                lines.append("::\(command) title=flagc::\(DiagnosticFormatter.escapeData(DiagnosticFormatter.suppressedLine(suppressed)))")
            }
            return lines.map { $0 + "\n" }.joined()
        }
    }

    /// `… and 119,800 more diagnostics not shown, all of rules yaml-anchor (119,800); fix those above and run again`.
    public static func suppressedLine(_ suppressed: SuppressedDiagnostics) -> String {
        let rules = suppressed.rules.map { "\($0.rawValue) (\(suppressed.countsByRule[$0] ?? 0))" }.joined(separator: ", ")
        let noun = suppressed.count == 1 ? "diagnostic" : "diagnostics"
        return "… and \(suppressed.count) more \(noun) not shown (at most \(DiagnosticCollector.perFileLimit) per file and \(DiagnosticCollector.perRunLimit) per run), all of the rules \(rules); fix those above and run again"
    }

    private func text(_ diagnostics: [Diagnostic], suppressed: SuppressedDiagnostics, fileCount: Int) -> String {
        var output = ""
        for diagnostic in diagnostics {
            // One diagnostic per line, whatever a quoted name contains.
            var diagnostic = diagnostic
            diagnostic.message = diagnostic.message.replacingAll("\n", with: "\\n").replacingAll("\r", with: "\\r")
            let position = diagnostic.location.map { "\(diagnostic.file):\($0.line):\($0.column)" } ?? diagnostic.file
            let label = "\(diagnostic.severity.rawValue)[\(diagnostic.rule.rawValue)]"
            if colour {
                let code = diagnostic.severity == .error ? "\u{1B}[1;31m" : "\u{1B}[1;33m"
                output += "\u{1B}[1m\(position):\u{1B}[0m \(code)\(label):\u{1B}[0m \(diagnostic.message)\n"
            } else {
                output += "\(position): \(label): \(diagnostic.message)\n"
            }
            for related in diagnostic.related {
                output += "\(related.file):\(related.location.line):\(related.location.column): note: \(related.message)\n"
            }
        }
        if suppressed.count > 0 { output += DiagnosticFormatter.suppressedLine(suppressed) + "\n" }
        output += DiagnosticFormatter.summary(diagnostics, suppressed: suppressed, fileCount: fileCount) + "\n"
        return output
    }

    /// `2 errors, 1 warning in 12 files`, suppressed diagnostics included in the counts.
    public static func summary(_ diagnostics: [Diagnostic], suppressed: SuppressedDiagnostics = SuppressedDiagnostics(), fileCount: Int) -> String {
        let errors = diagnostics.filter { $0.severity == .error }.count + suppressed.errors
        let warnings = diagnostics.count + suppressed.count - errors
        func plural(_ count: Int, _ word: String) -> String { "\(count) \(word)\(count == 1 ? "" : "s")" }
        return "\(plural(errors, "error")), \(plural(warnings, "warning")) in \(plural(fileCount, "file"))"
    }

    private func json(_ diagnostics: [Diagnostic], suppressed: SuppressedDiagnostics, fileCount: Int) -> String {
        let errors = diagnostics.filter { $0.severity == .error }.count + suppressed.errors
        let items: [JSONValue] = diagnostics.map { diagnostic in
            var object: [String: JSONValue] = [
                "file": .string(diagnostic.file),
                "rule": .string(diagnostic.rule.rawValue),
                "severity": .string(diagnostic.severity.rawValue),
                "message": .string(diagnostic.message),
            ]
            if let location = diagnostic.location {
                object["line"] = .integer(Int64(location.line))
                object["column"] = .integer(Int64(location.column))
            }
            if !diagnostic.related.isEmpty {
                object["related"] = .array(diagnostic.related.map {
                    .object([
                        "file": .string($0.file),
                        "line": .integer(Int64($0.location.line)),
                        "column": .integer(Int64($0.location.column)),
                        "message": .string($0.message),
                    ])
                })
            }
            return .object(object)
        }
        var summary: [String: JSONValue] = [
            "errors": .integer(Int64(errors)),
            "warnings": .integer(Int64(diagnostics.count + suppressed.count - errors)),
            "files": .integer(Int64(fileCount)),
        ]
        if suppressed.count > 0 {
            var rules: [String: JSONValue] = [:]
            for (rule, count) in suppressed.countsByRule { rules[rule.rawValue] = .integer(Int64(count)) }
            summary["suppressed"] = .object(["count": .integer(Int64(suppressed.count)), "rules": .object(rules)])
        }
        let document: JSONValue = .object([
            "version": .integer(1),
            "diagnostics": .array(items),
            "summary": .object(summary),
        ])
        return JSONWriter(style: .pretty).string(document)
    }

    private func github(_ diagnostic: Diagnostic) -> String {
        var properties = ["file=\(DiagnosticFormatter.escapeProperty(diagnostic.file))"]
        if let location = diagnostic.location {
            properties.append("line=\(location.line)")
            properties.append("col=\(location.column)")
        }
        properties.append("title=\(DiagnosticFormatter.escapeProperty("flagc \(diagnostic.rule.rawValue)"))")
        let command = diagnostic.severity == .error ? "error" : "warning"
        return "::\(command) \(properties.joined(separator: ","))::\(DiagnosticFormatter.escapeData(diagnostic.message))"
    }

    /// Escapes a workflow command's message as GitHub's toolkit does: `%`, CR and LF.
    public static func escapeData(_ text: String) -> String {
        text.replacingAll("%", with: "%25").replacingAll("\r", with: "%0D").replacingAll("\n", with: "%0A")
    }

    /// Escapes a workflow command's property value: as data, plus `:` and `,`.
    public static func escapeProperty(_ text: String) -> String {
        escapeData(text).replacingAll(":", with: "%3A").replacingAll(",", with: "%2C")
    }
}

extension String {
    /// Replaces every occurrence of one Unicode scalar (scalars, not characters, so that the CR of a CRLF is found).
    func replacingAll(_ target: Unicode.Scalar, with replacement: String) -> String {
        guard unicodeScalars.contains(target) else { return self }
        var result = String.UnicodeScalarView()
        for scalar in unicodeScalars {
            if scalar == target { result.append(contentsOf: replacement.unicodeScalars) } else { result.append(scalar) }
        }
        return String(result)
    }
}
