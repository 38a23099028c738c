import FlagRuntime

/// SARIF 2.1.0 (OASIS's Static Analysis Results Interchange Format), as GitHub code scanning and other tools read
/// it: one run of the tool `flagc`, every rule of the catalog with its descriptions and examples, and one result
/// per diagnostic (the ones silenced by `# flagc:ignore` with an in-source suppression and its reason).
extension DiagnosticFormatter {
    /// The SARIF document for `diagnostics` and `ignored`.
    func sarif(_ diagnostics: [Diagnostic], ignored: [IgnoredDiagnostic]) -> String {
        let rules = RuleCatalog.all
        var ruleIndex: [RuleID: Int] = [:]
        for (index, rule) in rules.enumerated() { ruleIndex[rule.id] = index }
        var results = diagnostics.map { result($0, ruleIndex: ruleIndex) }
        for silenced in ignored {
            guard case .object(var object) = result(silenced.diagnostic, ruleIndex: ruleIndex) else { continue }
            object["suppressions"] = .array([.object(["kind": .string("inSource"), "justification": .string(silenced.reason)])])
            results.append(.object(object))
        }
        let driver: JSONValue = .object([
            "name": .string("flagc"),
            "version": .string(toolVersion ?? "unknown"),
            "rules": .array(rules.map(Self.sarifRule)),
        ])
        let document: JSONValue = .object([
            "$schema": .string("https://json.schemastore.org/sarif-2.1.0.json"),
            "version": .string("2.1.0"),
            "runs": .array([.object([
                "tool": .object(["driver": driver]),
                "columnKind": .string("unicodeCodePoints"),
                "results": .array(results),
            ])]),
        ])
        return JSONWriter(style: .pretty).string(document)
    }

    private func result(_ diagnostic: Diagnostic, ruleIndex: [RuleID: Int]) -> JSONValue {
        var object: [String: JSONValue] = [
            "ruleId": .string(diagnostic.rule.rawValue),
            "level": .string(diagnostic.severity == .error ? "error" : "warning"),
            "message": .object(["text": .string(diagnostic.message)]),
            "locations": .array([location(diagnostic.file, diagnostic.location)]),
        ]
        if let index = ruleIndex[diagnostic.rule] { object["ruleIndex"] = .integer(Int64(index)) }
        if !diagnostic.related.isEmpty {
            object["relatedLocations"] = .array(diagnostic.related.enumerated().map { index, related in
                guard case .object(var place) = location(related.file, related.location) else { return .null }
                place["id"] = .integer(Int64(index + 1))
                place["message"] = .object(["text": .string(related.message)])
                return .object(place)
            })
        }
        return .object(object)
    }

    /// A physical location: the file from the repository's root (a relative URI against `%SRCROOT%`), and the
    /// line and column when known.
    private func location(_ file: String, _ position: SourceLocation?) -> JSONValue {
        var physical: [String: JSONValue] = [
            "artifactLocation": .object(["uri": .string(Self.uri(machinePath(file))), "uriBaseId": .string("%SRCROOT%")]),
        ]
        if let position {
            physical["region"] = .object(["startLine": .integer(Int64(position.line)), "startColumn": .integer(Int64(position.column))])
        }
        return .object(["physicalLocation": .object(physical)])
    }

    /// A rule as SARIF's `reportingDescriptor`: id, a PascalCase name, the summary, a full description with its
    /// default level and whether a team may change it, and help with the catalog's examples.
    private static func sarifRule(_ rule: RuleDescription) -> JSONValue {
        let level = rule.id.defaultSeverity == .error ? "error" : "warning"
        let adjustable = rule.id.isAdjustable
            ? "A team may change its level in flagc.yaml (rules: { \(rule.id.rawValue): error|warning|off }) or silence one with '# flagc:ignore \(rule.id.rawValue) reason' on the line before the flag or rule."
            : "It cannot be turned off: it makes the snapshot wrong."
        let help = "Reported on:\n\n" + example(rule.triggering) + "\nNot reported on:\n\n" + example(rule.nonTriggering)
        let name = rule.id.rawValue.split(separator: "-").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
        return .object([
            "id": .string(rule.id.rawValue),
            "name": .string(name),
            "shortDescription": .object(["text": .string(rule.summary)]),
            "fullDescription": .object(["text": .string("\(rule.summary) Default level: \(level). \(adjustable)")]),
            "help": .object(["text": .string(help)]),
            "defaultConfiguration": .object(["level": .string(level)]),
        ])
    }

    private static func example(_ files: [String: ExampleFile]) -> String {
        files.keys.sorted().map { path in
            switch files[path]! {
            case .text(let text): "\(path):\n" + text.split(separator: "\n", omittingEmptySubsequences: false).map { "    " + $0 }.joined(separator: "\n") + "\n"
            case .symbolicLink(let destination): "\(path): a symbolic link to \(destination)\n"
            }
        }.joined(separator: "\n")
    }

    /// A relative path as a URI reference: each byte outside RFC 3986's unreserved characters and `/` is
    /// percent-encoded.
    static func uri(_ path: String) -> String {
        var encoded = ""
        for byte in path.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "/"):
                encoded.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                encoded += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return encoded
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
