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

    /// The whole report: every diagnostic, then (for text) a summary line.
    public func report(_ diagnostics: [Diagnostic], fileCount: Int) -> String {
        switch format {
        case .text: return text(diagnostics, fileCount: fileCount)
        case .json: return json(diagnostics, fileCount: fileCount)
        case .github: return diagnostics.map(github).map { $0 + "\n" }.joined()
        }
    }

    private func text(_ diagnostics: [Diagnostic], fileCount: Int) -> String {
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
        output += DiagnosticFormatter.summary(diagnostics, fileCount: fileCount) + "\n"
        return output
    }

    /// `2 errors, 1 warning in 12 files`.
    public static func summary(_ diagnostics: [Diagnostic], fileCount: Int) -> String {
        let errors = diagnostics.filter { $0.severity == .error }.count
        let warnings = diagnostics.count - errors
        func plural(_ count: Int, _ word: String) -> String { "\(count) \(word)\(count == 1 ? "" : "s")" }
        return "\(plural(errors, "error")), \(plural(warnings, "warning")) in \(plural(fileCount, "file"))"
    }

    private func json(_ diagnostics: [Diagnostic], fileCount: Int) -> String {
        let errors = diagnostics.filter { $0.severity == .error }.count
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
        let document: JSONValue = .object([
            "version": .integer(1),
            "diagnostics": .array(items),
            "summary": .object([
                "errors": .integer(Int64(errors)),
                "warnings": .integer(Int64(diagnostics.count - errors)),
                "files": .integer(Int64(fileCount)),
            ]),
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
