import FlagRuntime

/// A value with the place it was written.
struct Located<Value> {
    var value: Value
    var location: SourceLocation
}

extension Located: Sendable where Value: Sendable {}

/// One flag file after decoding: the boundary type between validation and lowering.
struct SourceFile: Sendable {
    var path: String
    var module: Located<String>?
    var flags: [SourceFlag] = []
    var segments: [SourceSegment] = []
    /// The `# flagc:ignore` comments of the file.
    var ignores: [IgnoreComment] = []
}

/// A flag as written, with the positions later checks need. Outcomes are already resolved to variant names.
struct SourceFlag: Sendable {
    var key: Located<String>
    var file: String
    var type: FlagValueType
    var enabled: Bool
    var variants: [Variant]
    var defaultVariant: String
    var rules: [SourceRule]
    var metadata: FlagMetadata
    var expiresLocation: SourceLocation?
    /// What the flag is for (`type`), which sets its expected lifetime; nil when not written (or invalid).
    var kind: FlagKind? = nil
    var ownerLocation: SourceLocation?
    /// False when a part of the flag was invalid (and reported): such a flag is checked across files but never lowered.
    var isComplete: Bool

    /// Whether the flag has a valid value for one of the fields that `require` in `flagc.yaml` can list.
    /// (Derived from `metadata` when asked, rather than stored as a set of names built for every flag.)
    func hasField(_ field: String) -> Bool {
        switch field {
        case "description": metadata.description != nil
        case "owner": metadata.owner != nil
        case "expires": metadata.expires != nil
        case "metadata": !metadata.values.isEmpty
        default: false
        }
    }
}

/// A rule as written.
struct SourceRule: Sendable {
    /// The 0-based position in the flag's `rules` list.
    var index: Int
    var location: SourceLocation
    var name: String?
    var from: Located<Int64>?
    var until: Located<Int64>?
    var conditions: [SourceCondition]
    /// Nil when the outcome was invalid (and reported).
    var outcome: Outcome?
}

/// A condition as written: attribute conditions are final; environments and segments are checked across files
/// and resolved during lowering.
enum SourceCondition: Sendable {
    case attribute(Condition)
    case environments([Located<String>])
    case segments([Located<String>])
}

/// A reusable audience.
struct SourceSegment: Sendable {
    var name: Located<String>
    var file: String
    var description: String?
    var conditions: [SourceCondition]
}
