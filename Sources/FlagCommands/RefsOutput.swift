import FlagCompiler
import FlagRuntime

/// `flagc refs` results as text, JSON, Markdown or GitHub annotations. Everything is sorted: flags by key,
/// references and unknown keys by file, line and column.
struct RefsOutput {
    let scan: ReferenceScan
    /// The machine-readable formats (JSON, GitHub, SARIF) name files from this repository's root.
    var paths: RepositoryPaths? = nil

    private func machinePath(_ path: String) -> String { paths?.fromRoot(path) ?? path }

    /// The stable ids of the two findings, as shown in annotations and JSON.
    static let unknownKeyID = "refs-unknown-key"
    static let unreferencedID = "refs-unreferenced"

    private var unreferenced: [ReferenceScan.FlagReferences] { scan.flags.filter(\.references.isEmpty) }

    private func message(_ unknown: ReferenceScan.UnknownKey) -> String {
        if let suggestion = unknown.suggestion {
            return "'\(unknown.key)' is not a defined flag, so this code gets its default; did you mean '\(suggestion)'?"
        }
        return "'\(unknown.key)' follows the flag naming pattern but no flag defines it; define the flag or fix the key"
    }

    private func plural(_ count: Int, _ word: String) -> String { "\(count) \(word)\(count == 1 ? "" : "s")" }

    func summary() -> String {
        let files = scan.files
        let megabytes = (Double(files.bytes) / 1_000_000 * 10).rounded() / 10
        return "\(plural(scan.flags.count, "flag")): \(scan.flags.count - unreferenced.count) with references, \(unreferenced.count) without; "
            + "\(plural(scan.unknownKeys.count, "unknown key")); \(plural(files.scanned, "file")) scanned (\(megabytes) MB), "
            + "\(files.binary) binary, \(files.tooLarge) too large and \(files.unreadable) unreadable skipped"
    }

    func text() -> String {
        var lines: [String] = []
        for flag in scan.flags {
            if flag.references.isEmpty {
                lines.append("\(flag.key): no references; a candidate for removal")
            } else {
                lines.append("\(flag.key): \(plural(flag.references.count, "reference"))")
                lines += flag.references.map { "  \($0.file):\($0.line)" }
            }
        }
        for unknown in scan.unknownKeys {
            lines.append("\(unknown.location.file):\(unknown.location.line):\(unknown.location.column): error[\(Self.unknownKeyID)]: \(message(unknown))")
        }
        lines.append(summary())
        return lines.joined(separator: "\n") + "\n"
    }

    func json() -> String {
        func location(_ location: ReferenceScan.Location) -> [String: JSONValue] {
            ["file": .string(machinePath(location.file)), "line": .integer(Int64(location.line)), "column": .integer(Int64(location.column))]
        }
        let flags: [JSONValue] = scan.flags.map { flag in
            .object(["key": .string(flag.key), "count": .integer(Int64(flag.references.count)), "references": .array(flag.references.map { .object(location($0)) })])
        }
        let unknown: [JSONValue] = scan.unknownKeys.map { unknown in
            var object = location(unknown.location)
            object["key"] = .string(unknown.key)
            object["rule"] = .string(Self.unknownKeyID)
            object["message"] = .string(message(unknown))
            if let suggestion = unknown.suggestion { object["suggestion"] = .string(suggestion) }
            return .object(object)
        }
        let files = scan.files
        let document: JSONValue = .object([
            "version": .integer(1),
            "flags": .array(flags),
            "unreferenced": .array(unreferenced.map { .string($0.key) }),
            "unknownKeys": .array(unknown),
            "files": .object([
                "scanned": .integer(Int64(files.scanned)), "bytes": .integer(Int64(files.bytes)), "binary": .integer(Int64(files.binary)),
                "tooLarge": .integer(Int64(files.tooLarge)), "unreadable": .integer(Int64(files.unreadable)),
            ]),
        ])
        return JSONWriter(style: .pretty).string(document)
    }

    func markdown() -> String {
        var lines = ["### Flag references", "", summary() + ".", ""]
        lines += ["| flag | references | where |", "| --- | ---: | --- |"]
        for flag in scan.flags {
            let places = flag.references.prefix(5).map { "`\($0.file):\($0.line)`" }.joined(separator: ", ")
                + (flag.references.count > 5 ? ", …" : "")
            lines.append("| `\(flag.key)` | \(flag.references.count) | \(flag.references.isEmpty ? "none: a candidate for removal" : places) |")
        }
        if !scan.unknownKeys.isEmpty {
            lines += ["", "#### Unknown keys in code", ""]
            for unknown in scan.unknownKeys {
                lines.append("- `\(unknown.location.file):\(unknown.location.line):\(unknown.location.column)`: \(message(unknown).replacingOccurrences(of: "'", with: "`"))")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The unknown keys as SARIF results of the rule `refs-unknown-key` (flags without references have no place
    /// in code to point at, so they are left to the other formats).
    func sarif() -> String {
        let rule = SARIFLog.Rule(
            id: Self.unknownKeyID, summary: "A quoted key in code that no flag defines.",
            description: "A dotted string in quotes that is close to a defined flag key, or follows the naming pattern under a module some flag uses, but is no flag: the code that evaluates it gets its default.",
            help: "Fix the key (the message suggests the closest defined one), or define the flag (docs/lifecycle.md).",
            level: .error
        )
        var log = SARIFLog(toolVersion: FlagcVersion.current, paths: paths, rules: [rule])
        for unknown in scan.unknownKeys {
            log.add(rule: rule.id, level: .error, message: message(unknown), file: unknown.location.file,
                    at: SourceLocation(line: unknown.location.line, column: unknown.location.column))
        }
        return log.text
    }

    func github() -> String {
        var lines: [String] = []
        for unknown in scan.unknownKeys {
            let properties = [
                "file=\(DiagnosticFormatter.escapeProperty(machinePath(unknown.location.file)))", "line=\(unknown.location.line)", "col=\(unknown.location.column)",
                "title=\(DiagnosticFormatter.escapeProperty("flagc \(Self.unknownKeyID)"))",
            ]
            lines.append("::error \(properties.joined(separator: ","))::\(DiagnosticFormatter.escapeData(message(unknown)))")
        }
        for flag in unreferenced {
            lines.append("::notice title=\(DiagnosticFormatter.escapeProperty("flagc \(Self.unreferencedID)"))::\(DiagnosticFormatter.escapeData("flag '\(flag.key)' has no reference in code; a candidate for removal"))")
        }
        lines.append(DiagnosticFormatter.escapeData(summary()))
        return lines.joined(separator: "\n") + "\n"
    }
}
