import FlagCompiler
import FlagRuntime

/// `flagc owners --check` results as text, JSON or GitHub annotations. Files are sorted by their path from the
/// repository root; the CODEOWNERS lines GitHub rejects come first.
struct OwnersOutput {
    /// The CODEOWNERS file checked, as given or found.
    let codeOwners: String
    /// Every flag file with owners, and what its deciding rule lacks.
    let findings: [OwnersCheck.Finding]
    /// Flag files outside the repository, which no CODEOWNERS can cover.
    let outside: [String]
    /// The CODEOWNERS lines GitHub rejects (`codeowners-invalid`).
    let problems: [Diagnostic]
    /// The handles owners are written with in suggestions (`OwnersCheck.handle`).
    let handles: [String]
    let organization: String?

    /// The stable ids of the findings, as shown in text, annotations and JSON.
    static let uncoveredID = "owners-uncovered"
    static let missingID = "owners-missing"
    static let outsideID = "owners-outside-repository"

    private var failing: [OwnersCheck.Finding] { findings.filter { !$0.isSatisfied } }

    /// Whether every flag file is reviewed by the owners of its flags and CODEOWNERS has no rejected line.
    var passes: Bool { failing.isEmpty && outside.isEmpty && problems.isEmpty }

    private func handle(_ owner: String) -> String {
        OwnersCheck.handle(for: owner, handles: handles, organization: organization)
    }

    private func id(_ finding: OwnersCheck.Finding) -> String { finding.isCovered ? Self.missingID : Self.uncoveredID }

    private func status(_ finding: OwnersCheck.Finding) -> String {
        if finding.isSatisfied { return "ok" }
        if finding.isCovered { return "missing-owners" }
        return finding.rule == nil ? "uncovered" : "unowned"
    }

    /// `codeowners:7 ('/flags/ @acme/team-platform')`.
    private func describe(_ rule: CodeOwners.Rule) -> String {
        "\(codeOwners):\(rule.location.line) ('\(([rule.pattern.text] + rule.owners).joined(separator: " "))')"
    }

    /// The line that would make the file reviewed by its owners: its path, the deciding rule's owners and the missing ones.
    private func suggestedLine(_ finding: OwnersCheck.Finding) -> String {
        var seen = Set<String>()
        let owners = ((finding.rule?.owners ?? []) + finding.missing.map { handle($0.owner) }).filter { seen.insert($0.lowercased()).inserted }
        return "/\(OwnersCheck.escape(finding.file.rootPath)) \(owners.joined(separator: " "))"
    }

    private func message(_ finding: OwnersCheck.Finding) -> String {
        let who = finding.missing.map { missing in "\(missing.owner) (owner of \(missing.flags.map(\.key).joined(separator: ", ")))" }.joined(separator: ", ")
        let fix = "add '\(suggestedLine(finding))' after it (flagc owners --print writes such lines)"
        guard let rule = finding.rule else {
            return "no line of \(codeOwners) matches \(finding.file.rootPath), so GitHub asks no one to review it; it needs \(who); add '\(suggestedLine(finding))' at the end of \(codeOwners) (flagc owners --print writes such lines)"
        }
        if rule.owners.isEmpty {
            return "\(describe(rule)) is the last line matching \(finding.file.rootPath) and has no owners, so GitHub asks no one to review it; it needs \(who); \(fix)"
        }
        return "\(describe(rule)) is the last line matching \(finding.file.rootPath) and lacks \(who); add \(finding.missing.map { handle($0.owner) }.joined(separator: " ")) to it, or \(fix)"
    }

    /// Where a finding is reported: the `owner` of the first flag whose owner is missing.
    private func location(_ finding: OwnersCheck.Finding) -> SourceLocation {
        finding.missing.first?.flags.first?.location ?? SourceLocation(line: 1, column: 1)
    }

    private func outsideMessage(_ path: String) -> String {
        "\(path) is outside the repository, so no CODEOWNERS can cover it; move it into the repository"
    }

    func summary() -> String {
        let checked = findings.count
        return "\(checked) flag file\(checked == 1 ? "" : "s") checked against \(codeOwners): \(checked - failing.count) reviewed by the owners of their flags, "
            + "\(failing.count) not; \(problems.count) rejected CODEOWNERS line\(problems.count == 1 ? "" : "s")"
    }

    func text() -> String {
        var lines = problems.map(\.description)
        for finding in failing {
            let at = location(finding)
            lines.append("\(finding.file.path):\(at.line):\(at.column): error[\(id(finding))]: \(message(finding))")
        }
        for path in outside { lines.append("\(path): error[\(Self.outsideID)]: \(outsideMessage(path))") }
        lines.append(summary())
        return lines.joined(separator: "\n") + "\n"
    }

    func json() -> String {
        func place(_ location: SourceLocation) -> [String: JSONValue] {
            ["line": .integer(Int64(location.line)), "column": .integer(Int64(location.column))]
        }
        let files: [JSONValue] = findings.map { finding in
            var object: [String: JSONValue] = [
                "file": .string(finding.file.path),
                "path": .string(finding.file.rootPath),
                "owners": .array(finding.file.owners.map { .string($0) }),
                "status": .string(status(finding)),
                "missing": .array(finding.missing.map { missing in
                    .object([
                        "owner": .string(missing.owner),
                        "handle": .string(handle(missing.owner)),
                        "flags": .array(missing.flags.map { flag in .object(place(flag.location).merging(["key": .string(flag.key)]) { $1 }) }),
                    ])
                }),
            ]
            if let rule = finding.rule {
                object["rule"] = .object(place(rule.location).merging(["pattern": .string(rule.pattern.text), "owners": .array(rule.owners.map { .string($0) })]) { $1 })
            }
            if !finding.isSatisfied {
                object["id"] = .string(id(finding))
                object["message"] = .string(message(finding))
            }
            return .object(object)
        }
        let rejected: [JSONValue] = problems.map { problem in
            var object: [String: JSONValue] = ["file": .string(problem.file), "rule": .string(problem.rule.rawValue), "message": .string(problem.message)]
            if let location = problem.location { object.merge(place(location)) { $1 } }
            return .object(object)
        }
        let document: JSONValue = .object([
            "version": .integer(1),
            "codeowners": .string(codeOwners),
            "files": .array(files),
            "outside": .array(outside.map { .string($0) }),
            "rejectedLines": .array(rejected),
            "summary": .object([
                "files": .integer(Int64(findings.count)),
                "reviewed": .integer(Int64(findings.count - failing.count)),
                "notReviewed": .integer(Int64(failing.count)),
                "rejectedLines": .integer(Int64(problems.count)),
            ]),
        ])
        return JSONWriter(style: .pretty).string(document)
    }

    func github() -> String {
        func annotation(file: String, line: Int, column: Int?, id: String, message: String) -> String {
            var properties = ["file=\(DiagnosticFormatter.escapeProperty(file))", "line=\(line)"]
            if let column { properties.append("col=\(column)") }
            properties.append("title=\(DiagnosticFormatter.escapeProperty("flagc \(id)"))")
            return "::error \(properties.joined(separator: ","))::\(DiagnosticFormatter.escapeData(message))"
        }
        var lines = DiagnosticFormatter(format: .github).report(problems, fileCount: 1).split(separator: "\n").map(String.init)
        for finding in failing {
            let at = location(finding)
            lines.append(annotation(file: finding.file.path, line: at.line, column: at.column, id: id(finding), message: message(finding)))
            if let rule = finding.rule {
                // The CODEOWNERS line that decides, so the fix is one click away.
                lines.append(annotation(file: codeOwners, line: rule.location.line, column: rule.location.column, id: id(finding), message: message(finding)))
            }
        }
        for path in outside {
            lines.append("::error file=\(DiagnosticFormatter.escapeProperty(path)),title=\(DiagnosticFormatter.escapeProperty("flagc \(Self.outsideID)"))::\(DiagnosticFormatter.escapeData(outsideMessage(path)))")
        }
        lines.append(DiagnosticFormatter.escapeData(summary()))
        return lines.joined(separator: "\n") + "\n"
    }
}
