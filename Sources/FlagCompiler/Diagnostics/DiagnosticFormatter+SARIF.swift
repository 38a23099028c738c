import FlagRuntime

/// SARIF 2.1.0 (OASIS's Static Analysis Results Interchange Format), as GitHub code scanning and other tools read
/// it: one run of the tool `flagc`, every rule of the catalog with its descriptions and examples, and one result
/// per diagnostic (the ones silenced by `# flagc:ignore` with an in-source suppression and its reason).
extension DiagnosticFormatter {
    /// The SARIF document for `diagnostics` and `ignored`.
    func sarif(_ diagnostics: [Diagnostic], ignored: [IgnoredDiagnostic]) -> String {
        var log = SARIFLog(toolVersion: toolVersion, paths: paths, rules: RuleCatalog.all.map(Self.sarifRule))
        for diagnostic in diagnostics { log.add(diagnostic) }
        for silenced in ignored { log.add(silenced.diagnostic, suppression: silenced.reason) }
        return log.text
    }

    /// A catalog rule as SARIF describes rules: id, summary, a full description with its default level and
    /// whether a team may change it, and help with the catalog's examples.
    static func sarifRule(_ rule: RuleDescription) -> SARIFLog.Rule {
        let level = rule.id.defaultSeverity == .error ? "error" : "warning"
        let adjustable = rule.id.isAdjustable
            ? "A team may change its level in flagc.yaml (rules: { \(rule.id.rawValue): error|warning|off }) or silence one with '# flagc:ignore \(rule.id.rawValue) reason' on the line before the flag or rule."
            : "It cannot be turned off: it makes the snapshot wrong."
        let help = "Reported on:\n\n" + example(rule.triggering) + "\nNot reported on:\n\n" + example(rule.nonTriggering)
        return SARIFLog.Rule(id: rule.id.rawValue, summary: rule.summary, description: "\(rule.summary) Default level: \(level). \(adjustable)", help: help, level: rule.id.defaultSeverity)
    }

    private static func example(_ files: [String: ExampleFile]) -> String {
        files.keys.sorted().map { path in
            switch files[path]! {
            case .text(let text): "\(path):\n" + text.split(separator: "\n", omittingEmptySubsequences: false).map { "    " + $0 }.joined(separator: "\n") + "\n"
            case .symbolicLink(let destination): "\(path): a symbolic link to \(destination)\n"
            }
        }.joined(separator: "\n")
    }
}

/// A SARIF 2.1.0 log of one run of `flagc`: the rules it may report and its results. `flagc validate` fills it from
/// the rule catalog; `flagc test` and `flagc refs` with their own findings.
public struct SARIFLog: Sendable {
    /// A rule (SARIF's `reportingDescriptor`).
    public struct Rule: Sendable {
        /// The stable id.
        public var id: String
        /// One line.
        public var summary: String
        /// A paragraph.
        public var description: String
        /// How to fix it, with examples.
        public var help: String
        /// The default level.
        public var level: Severity

        /// Creates a rule.
        public init(id: String, summary: String, description: String, help: String, level: Severity) {
            self.id = id
            self.summary = summary
            self.description = description
            self.help = help
            self.level = level
        }
    }

    /// The tool's version.
    public var toolVersion: String?
    /// Results name files from this repository's root (as given when nil).
    public var paths: RepositoryPaths?
    /// The rules, in the order given (results point at them by index).
    public private(set) var rules: [Rule]
    private var index: [String: Int] = [:]
    private var results: [JSONValue] = []

    /// Creates an empty log.
    public init(toolVersion: String?, paths: RepositoryPaths?, rules: [Rule]) {
        self.toolVersion = toolVersion
        self.paths = paths
        self.rules = rules
        for (position, rule) in rules.enumerated() { index[rule.id] = position }
    }

    /// Adds a diagnostic as a result (with an in-source suppression and its justification when `suppression`).
    public mutating func add(_ diagnostic: Diagnostic, suppression: String? = nil) {
        add(rule: diagnostic.rule.rawValue, level: diagnostic.severity, message: diagnostic.message, file: diagnostic.file,
            at: diagnostic.location, related: diagnostic.related, suppression: suppression)
    }

    /// Adds a result.
    public mutating func add(rule: String, level: Severity, message: String, file: String, at position: SourceLocation?,
                             related: [Diagnostic.Related] = [], suppression: String? = nil) {
        var object: [String: JSONValue] = [
            "ruleId": .string(rule),
            "level": .string(level == .error ? "error" : "warning"),
            "message": .object(["text": .string(message)]),
            "locations": .array([location(file, position)]),
        ]
        if let position = index[rule] { object["ruleIndex"] = .integer(Int64(position)) }
        if !related.isEmpty {
            object["relatedLocations"] = .array(related.enumerated().map { number, place in
                guard case .object(var entry) = location(place.file, place.location) else { return .null }
                entry["id"] = .integer(Int64(number + 1))
                entry["message"] = .object(["text": .string(place.message)])
                return .object(entry)
            })
        }
        if let suppression {
            object["suppressions"] = .array([.object(["kind": .string("inSource"), "justification": .string(suppression)])])
        }
        results.append(.object(object))
    }

    /// The document, keys sorted.
    public var text: String {
        let descriptors: [JSONValue] = rules.map { rule in
            .object([
                "id": .string(rule.id),
                "name": .string(rule.id.split(separator: "-").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()),
                "shortDescription": .object(["text": .string(rule.summary)]),
                "fullDescription": .object(["text": .string(rule.description)]),
                "help": .object(["text": .string(rule.help)]),
                "defaultConfiguration": .object(["level": .string(rule.level == .error ? "error" : "warning")]),
            ])
        }
        let driver: JSONValue = .object(["name": .string("flagc"), "version": .string(toolVersion ?? "unknown"), "rules": .array(descriptors)])
        let document: JSONValue = .object([
            "$schema": .string("https://json.schemastore.org/sarif-2.1.0.json"),
            "version": .string("2.1.0"),
            "runs": .array([.object(["tool": .object(["driver": driver]), "columnKind": .string("unicodeCodePoints"), "results": .array(results)])]),
        ])
        return JSONWriter(style: .pretty).string(document)
    }

    /// A physical location: the file from the repository's root (a relative URI against `%SRCROOT%`), and the
    /// line and column when known.
    private func location(_ file: String, _ position: SourceLocation?) -> JSONValue {
        var physical: [String: JSONValue] = [
            "artifactLocation": .object(["uri": .string(Self.uri(paths?.fromRoot(file) ?? file)), "uriBaseId": .string("%SRCROOT%")]),
        ]
        if let position {
            physical["region"] = .object(["startLine": .integer(Int64(position.line)), "startColumn": .integer(Int64(position.column))])
        }
        return .object(["physicalLocation": .object(physical)])
    }

    /// A relative path as a URI reference: each byte outside RFC 3986's unreserved characters and `/` is
    /// percent-encoded.
    public static func uri(_ path: String) -> String {
        var encoded = ""
        for byte in path.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "/"):
                encoded.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                encoded += (byte < 16 ? "%0" : "%") + String(byte, radix: 16, uppercase: true)
            }
        }
        return encoded
    }
}
