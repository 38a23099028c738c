import FlagRuntime

/// Writes a snapshot as an OpenFeature flagd flag-definition document, so that flagd (and every OpenFeature
/// SDK that reads flagd documents) serves the same variants as `FlagRuntime`.
///
/// ```swift
/// let bytes = try FlagdExporter(flagSetID: "checkout").bytes(for: snapshot)
/// try SnapshotFile.writeAtomically(bytes, to: "build/flagd.json")
/// ```
///
/// The document follows flagd's schema (`https://flagd.dev/schema/v0/flags.json`): each flag has `state`,
/// `variants`, `defaultVariant`, `targeting` (JSONLogic, see `docs/flagd.md`) and `metadata`; the top-level
/// `metadata` has `flagSetId` and `version` (the snapshot id). Long checks that several rules share (the shape of a
/// version, the value of an RFC 3339 timestamp) are written once per attribute in `$evaluators` and referenced
/// with `{"$ref": name}`. The output is deterministic: the same snapshot gives the same bytes.
public struct FlagdExporter: Sendable {
    /// The `flagSetId` used when none is given.
    public static let defaultFlagSetID = "flagc"
    /// The schema the document declares.
    public static let schemaURL = "https://flagd.dev/schema/v0/flags.json"

    /// The flag set's id in the document's metadata.
    public var flagSetID: String

    /// Creates an exporter.
    public init(flagSetID: String = FlagdExporter.defaultFlagSetID) {
        self.flagSetID = flagSetID
    }

    /// The flagd document for `snapshot`; throws when a flag uses something flagd cannot read the way flagc does.
    public func document(for snapshot: Snapshot) throws(FlagdExportError) -> JSONValue {
        var flags: [String: JSONValue] = [:]
        var evaluators: [String: JSONValue] = [:]
        var problems: [FlagdExportError.Problem] = []
        for flag in snapshot.flags {
            problems += FlagdExporter.nameProblems(flag)
            var targeting = FlagdTargeting(flag: flag, evaluators: evaluators)
            var members: [String: JSONValue] = [
                "state": .string(flag.enabled ? "ENABLED" : "DISABLED"),
                "variants": .object(Dictionary(uniqueKeysWithValues: flag.variants.map { ($0.name, FlagdExporter.json($0.value)) })),
                "defaultVariant": .string(flag.defaultVariant),
            ]
            if let logic = targeting.targeting() { members["targeting"] = logic }
            problems += targeting.problems
            evaluators = targeting.evaluators
            let metadata = flag.metadata.flattened
            if !metadata.isEmpty { members["metadata"] = .object(metadata) }
            flags[flag.key] = .object(members)
        }
        guard problems.isEmpty else { throw FlagdExportError(problems: problems) }
        var metadata: [String: JSONValue] = ["flagSetId": .string(flagSetID), "version": .string(snapshot.id)]
        if let revision = snapshot.revision { metadata["revision"] = .string(revision) }
        if let environment = snapshot.environment { metadata["environment"] = .string(environment) }
        var document: [String: JSONValue] = ["$schema": .string(FlagdExporter.schemaURL), "flags": .object(flags), "metadata": .object(metadata)]
        if !evaluators.isEmpty { document["$evaluators"] = .object(evaluators) }
        return .object(document)
    }

    /// The document's bytes: 2-space indented JSON down to each flag's fields and the rules of its `if` chain
    /// (one condition or result per line), compact below that; sorted keys and a final newline.
    public func bytes(for snapshot: Snapshot) throws(FlagdExportError) -> [UInt8] {
        JSONWriter(style: .pretty(indentingTo: FlagdExporter.indentedDepth)).bytes(try document(for: snapshot))
    }

    // MARK: Values and metadata

    static func json(_ value: FlagValue) -> JSONValue {
        switch value {
        case .boolean(let flag): .bool(flag)
        case .string(let text): .string(text)
        case .integer(let number): .integer(number)
        // Written with a fraction or an exponent (`0.0`, `1e+16`), so that readers keep it a floating-point number.
        case .number(let number): .double(number)
        case .object(let members): .object(members)
        }
    }

    /// flagd's schema matches flag keys and variant names with `^.{1,}$`, and `.` does not match line breaks.
    static func nameProblems(_ flag: Flag) -> [FlagdExportError.Problem] {
        func hasLineBreak(_ text: String) -> Bool {
            text.unicodeScalars.contains { $0 == "\n" || $0 == "\r" || $0 == "\u{2028}" || $0 == "\u{2029}" }
        }
        var problems: [FlagdExportError.Problem] = []
        if hasLineBreak(flag.key) {
            problems.append(.init(flagKey: flag.key, message: "the flag key has a line break, which flagd's schema refuses in flag keys; rename the flag"))
        }
        for variant in flag.variants where hasLineBreak(variant.name) {
            problems.append(.init(flagKey: flag.key, message: "variant name \(JSONWriter(style: .compact).string(.string(variant.name))) has a line break, which flagd's schema refuses in variant names; rename the variant"))
        }
        return problems
    }

    // MARK: Layout

    /// Containers down to this depth are indented (root 0, `flags` 1, a flag 2, its fields 3, the `if` array 4;
    /// `$evaluators` 1, an evaluator 2, its operator's arguments 3).
    static let indentedDepth = 4
}

/// What keeps a snapshot from being exported to flagd: one problem per flag and rule, each saying what to change.
public struct FlagdExportError: Error, Sendable, CustomStringConvertible {
    /// One thing flagd cannot express the way flagc evaluates it.
    public struct Problem: Sendable, Hashable, CustomStringConvertible {
        /// The flag.
        public var flagKey: String
        /// The 0-based index of the rule in the snapshot, when the problem is in a rule.
        public var ruleIndex: Int?
        /// The rule's name, when it has one.
        public var ruleName: String?
        /// What is wrong and what to do.
        public var message: String

        /// Creates a problem.
        public init(flagKey: String, ruleIndex: Int? = nil, ruleName: String? = nil, message: String) {
            self.flagKey = flagKey
            self.ruleIndex = ruleIndex
            self.ruleName = ruleName
            self.message = message
        }

        /// `flag 'KEY', rule N ("NAME"): MESSAGE` (rules counted from 1, as people read them).
        public var description: String {
            var place = "flag '\(flagKey)'"
            if let ruleIndex {
                place += ", rule \(ruleIndex + 1)"
                if let ruleName { place += " (\"\(ruleName)\")" }
            }
            return "\(place): \(message)"
        }
    }

    /// The problems, in flag order.
    public var problems: [Problem]

    /// Creates an error.
    public init(problems: [Problem]) {
        self.problems = problems
    }

    /// One line per problem.
    public var description: String {
        problems.map(\.description).joined(separator: "\n")
    }
}
