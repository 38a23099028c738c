/// An immutable, compiled set of flags: what `flagc compile` writes and what services load.
///
/// A snapshot is the lowered form of the YAML flag files: segments are resolved into the rules that use them,
/// split weights are integers out of 10 000 and timestamps are Unix seconds.
///
/// ```swift
/// let snapshot = try Snapshot(jsonBytes: bytes)
/// print(snapshot.id, snapshot.flags.count)
/// ```
public struct Snapshot: Sendable, Hashable {
    /// The version of the snapshot format this value follows.
    public static let currentFormatVersion = 1

    /// The snapshot format version (see `docs/snapshot-format.md`).
    public var formatVersion: Int
    /// SHA-256 (lowercase hex) of the canonical flag content; equal content gives an equal id.
    public var id: String
    /// The source revision (for example a git commit) the snapshot was compiled from, when known.
    public var revision: String?
    /// The environment the snapshot was specialised for with `--env`, or `nil` for all environments.
    public var environment: String?
    /// The flags, sorted by key.
    public var flags: [Flag]

    /// Creates a snapshot; `flags` are sorted by key.
    public init(formatVersion: Int = Snapshot.currentFormatVersion, id: String, revision: String? = nil, environment: String? = nil, flags: [Flag]) {
        self.formatVersion = formatVersion
        self.id = id
        self.revision = revision
        self.environment = environment
        self.flags = flags.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
    }

    /// The flag with the given key, if any.
    public func flag(_ key: String) -> Flag? {
        flags.first { $0.key == key }
    }
}

/// The type every variant value of a flag shares.
public enum FlagValueType: String, Sendable, Hashable, CaseIterable {
    /// `true` / `false`.
    case boolean
    /// A string.
    case string
    /// A 64-bit signed integer.
    case integer
    /// A floating-point number.
    case number
    /// A JSON object.
    case object
}

/// One compiled flag.
public struct Flag: Sendable, Hashable {
    /// The flag key, for example `billing.invoice_auto_generate`.
    public var key: String
    /// The type of every variant value.
    public var type: FlagValueType
    /// `false` when the kill switch is off: evaluation then yields the caller's default.
    public var enabled: Bool
    /// The variants in declaration order.
    public var variants: [Variant]
    /// The name of the variant served when no rule matches.
    public var defaultVariant: String
    /// Ordered rules; the first that matches decides.
    public var rules: [Rule]
    /// Descriptive data that does not change evaluation.
    public var metadata: FlagMetadata

    /// Creates a flag.
    public init(key: String, type: FlagValueType, enabled: Bool = true, variants: [Variant], defaultVariant: String, rules: [Rule] = [], metadata: FlagMetadata = FlagMetadata()) {
        self.key = key
        self.type = type
        self.enabled = enabled
        self.variants = variants
        self.defaultVariant = defaultVariant
        self.rules = rules
        self.metadata = metadata
    }

    /// The variant with the given name, if any.
    public func variant(named name: String) -> Variant? {
        variants.first { $0.name == name }
    }
}

/// A named value a flag can serve.
public struct Variant: Sendable, Hashable {
    /// The variant name (for boolean flags without a `variants` block: `true` and `false`).
    public var name: String
    /// The value served.
    public var value: FlagValue

    /// Creates a variant.
    public init(name: String, value: FlagValue) {
        self.name = name
        self.value = value
    }
}

/// A typed flag value.
public enum FlagValue: Sendable, Hashable {
    /// A boolean value.
    case boolean(Bool)
    /// A string value.
    case string(String)
    /// An integer value.
    case integer(Int64)
    /// A floating-point value.
    case number(Double)
    /// A JSON object value.
    case object([String: JSONValue])

    /// The type of this value.
    public var type: FlagValueType {
        switch self {
        case .boolean: .boolean
        case .string: .string
        case .integer: .integer
        case .number: .number
        case .object: .object
        }
    }
}

/// Data about a flag that does not change how it evaluates.
public struct FlagMetadata: Sendable, Hashable {
    /// What the flag is for.
    public var description: String?
    /// Who owns the flag (a team or a person).
    public var owner: String?
    /// Unix seconds after which the flag is stale.
    public var expires: Int64?
    /// Free-form values (string, number or boolean).
    public var values: [String: JSONValue]

    /// Creates flag metadata.
    public init(description: String? = nil, owner: String? = nil, expires: Int64? = nil, values: [String: JSONValue] = [:]) {
        self.description = description
        self.owner = owner
        self.expires = expires
        self.values = values
    }
}
