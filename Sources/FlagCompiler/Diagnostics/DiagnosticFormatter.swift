import FlagRuntime

/// Renders diagnostics for people (text), machines (JSON) or GitHub Actions annotations.
public enum DiagnosticFormat: String, Sendable, CaseIterable {
    /// `path:line:col: error[rule-id]: message`, with colour on a terminal.
    case text
    /// One stable, sorted JSON document.
    case json
    /// GitHub Actions workflow commands (`::error file=…,line=…,col=…,title=…::message`).
    case github
    /// One SARIF 2.1.0 document (GitHub code scanning, GitLab, IDEs).
    case sarif
}

/// Formats a run's diagnostics.
public struct DiagnosticFormatter: Sendable {
    /// The output format.
    public var format: DiagnosticFormat
    /// Whether text output may use ANSI colour.
    public var colour: Bool
    /// For the machine-readable formats (JSON, GitHub, SARIF): paths are written from this repository's root.
    /// Nil writes them as given, as text always does.
    public var paths: RepositoryPaths?
    /// The version SARIF names the tool with.
    public var toolVersion: String?

    /// Creates a formatter.
    public init(format: DiagnosticFormat, colour: Bool = false, paths: RepositoryPaths? = nil, toolVersion: String? = nil) {
        self.format = format
        self.colour = colour
        self.paths = paths
        self.toolVersion = toolVersion
    }

    /// A path as the machine-readable formats write it: from the repository's root when `paths` is set.
    func machinePath(_ path: String) -> String {
        paths?.fromRoot(path) ?? path
    }

    /// The whole report: every diagnostic, then (for text) a summary line. Diagnostics suppressed by the
    /// collector's limits are counted in the summary and named by rule in a line of their own. Diagnostics that
    /// `# flagc:ignore` comments silenced are counted in the summary, listed with their reasons in JSON, and are
    /// suppressed results in SARIF.
    public func report(_ diagnostics: [Diagnostic], suppressed: SuppressedDiagnostics = SuppressedDiagnostics(), ignored: [IgnoredDiagnostic] = [], fileCount: Int) -> String {
        switch format {
        case .text: return text(diagnostics, suppressed: suppressed, ignored: ignored, fileCount: fileCount)
        case .json: return json(diagnostics, suppressed: suppressed, ignored: ignored, fileCount: fileCount)
        case .sarif: return sarif(diagnostics, ignored: ignored)
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

    private func text(_ diagnostics: [Diagnostic], suppressed: SuppressedDiagnostics, ignored: [IgnoredDiagnostic], fileCount: Int) -> String {
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
        output += DiagnosticFormatter.summary(diagnostics, suppressed: suppressed, fileCount: fileCount)
        if !ignored.isEmpty { output += " (\(ignored.count) ignored by '# flagc:ignore')" }
        return output + "\n"
    }

    /// `2 errors, 1 warning in 12 files`, suppressed diagnostics included in the counts.
    public static func summary(_ diagnostics: [Diagnostic], suppressed: SuppressedDiagnostics = SuppressedDiagnostics(), fileCount: Int) -> String {
        let errors = diagnostics.filter { $0.severity == .error }.count + suppressed.errors
        let warnings = diagnostics.count + suppressed.count - errors
        func plural(_ count: Int, _ word: String) -> String { "\(count) \(word)\(count == 1 ? "" : "s")" }
        return "\(plural(errors, "error")), \(plural(warnings, "warning")) in \(plural(fileCount, "file"))"
    }

    private func json(_ diagnostics: [Diagnostic], suppressed: SuppressedDiagnostics, ignored: [IgnoredDiagnostic], fileCount: Int) -> String {
        let errors = diagnostics.filter { $0.severity == .error }.count + suppressed.errors
        let items: [JSONValue] = diagnostics.map(jsonObject)
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
        var document: [String: JSONValue] = [
            "version": .integer(1),
            "diagnostics": .array(items),
            "summary": .object(summary),
        ]
        if !ignored.isEmpty {
            summary["ignored"] = .integer(Int64(ignored.count))
            document["summary"] = .object(summary)
            document["ignored"] = .array(ignored.map { silenced in
                guard case .object(var object) = jsonObject(silenced.diagnostic) else { return .null }
                object["reason"] = .string(silenced.reason)
                object["comment"] = .object(["line": .integer(Int64(silenced.comment.line)), "column": .integer(Int64(silenced.comment.column))])
                return .object(object)
            })
        }
        return JSONWriter(style: .pretty).string(.object(document))
    }

    /// One diagnostic as a JSON object: `{file, line?, column?, rule, severity, message, related?}`.
    private func jsonObject(_ diagnostic: Diagnostic) -> JSONValue {
        do {
            var object: [String: JSONValue] = [
                "file": .string(machinePath(diagnostic.file)),
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
                        "file": .string(machinePath($0.file)),
                        "line": .integer(Int64($0.location.line)),
                        "column": .integer(Int64($0.location.column)),
                        "message": .string($0.message),
                    ])
                })
            }
            return .object(object)
        }
    }

    /// The diagnostic's annotation, then one `notice` annotation per related place (GitHub shows an annotation
    /// only at its own file and line, so "first defined here" needs one of its own).
    private func github(_ diagnostic: Diagnostic) -> String {
        let command = diagnostic.severity == .error ? "error" : "warning"
        var lines = [annotation(command, file: diagnostic.file, at: diagnostic.location, title: "flagc \(diagnostic.rule.rawValue)", message: diagnostic.message)]
        for related in diagnostic.related {
            let position = diagnostic.location.map { "\(machinePath(diagnostic.file)):\($0.line)" } ?? machinePath(diagnostic.file)
            lines.append(annotation("notice", file: related.file, at: related.location, title: "flagc \(diagnostic.rule.rawValue)", message: "\(related.message) (see \(position))"))
        }
        return lines.joined(separator: "\n")
    }

    private func annotation(_ command: String, file: String, at location: SourceLocation?, title: String, message: String) -> String {
        var properties = ["file=\(DiagnosticFormatter.escapeProperty(machinePath(file)))"]
        if let location {
            properties.append("line=\(location.line)")
            properties.append("col=\(location.column)")
        }
        properties.append("title=\(DiagnosticFormatter.escapeProperty(title))")
        return "::\(command) \(properties.joined(separator: ","))::\(DiagnosticFormatter.escapeData(message))"
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
