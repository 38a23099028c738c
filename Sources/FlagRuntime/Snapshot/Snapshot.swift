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
    public package(set) var formatVersion: Int
    /// SHA-256 (lowercase hex) of the canonical flag content; equal content gives an equal id.
    public package(set) var id: String
    /// The source revision (for example a git commit) the snapshot was compiled from, when known.
    public package(set) var revision: String?
    /// The environment the snapshot was specialised for with `--env`, or `nil` for all environments.
    public package(set) var environment: String?
    /// The environments the project declares (`environments:` in `flagc.yaml`), in declaration order, or `nil`
    /// when it declares none (or the snapshot predates the field). `FlagStore` refuses any other environment.
    public package(set) var environments: [String]?
    /// The flags, sorted by key.
    public package(set) var flags: [Flag]

    /// Creates a snapshot; `flags` are sorted by key. The id is taken as given: `SnapshotLoader` checks it against the content.
    package init(formatVersion: Int = Snapshot.currentFormatVersion, id: String, revision: String? = nil, environment: String? = nil, environments: [String]? = nil, flags: [Flag]) {
        self.formatVersion = formatVersion
        self.id = id
        self.revision = revision
        self.environment = environment
        self.environments = environments
        self.flags = flags.sorted { precedesByUTF8($0.key, $1.key) }
    }

    /// Creates a snapshot whose id is its content id (`contentID`); `flags` are sorted by key.
    package init(revision: String? = nil, environment: String? = nil, environments: [String]? = nil, flags: [Flag]) {
        self.init(id: "", revision: revision, environment: environment, environments: environments, flags: flags)
        id = contentID
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
    public package(set) var key: String
    /// The type of every variant value.
    public package(set) var type: FlagValueType
    /// `false` when the kill switch is off: evaluation then yields the caller's default.
    public package(set) var enabled: Bool
    /// The variants in declaration order.
    public package(set) var variants: [Variant]
    /// The name of the variant served when no rule matches.
    public package(set) var defaultVariant: String
    /// Ordered rules; the first that matches decides.
    public package(set) var rules: [Rule]
    /// Descriptive data that does not change evaluation.
    public package(set) var metadata: FlagMetadata

    /// Creates a flag.
    package init(key: String, type: FlagValueType, enabled: Bool = true, variants: [Variant], defaultVariant: String, rules: [Rule] = [], metadata: FlagMetadata = FlagMetadata()) {
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
    public package(set) var name: String
    /// The value served.
    public package(set) var value: FlagValue

    /// Creates a variant.
    package init(name: String, value: FlagValue) {
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
    public package(set) var description: String?
    /// Who owns the flag (a team or a person).
    public package(set) var owner: String?
    /// Unix seconds after which the flag is stale.
    public package(set) var expires: Int64?
    /// Free-form values (string, number or boolean).
    public package(set) var values: [String: JSONValue]

    /// Creates flag metadata.
    package init(description: String? = nil, owner: String? = nil, expires: Int64? = nil, values: [String: JSONValue] = [:]) {
        self.description = description
        self.owner = owner
        self.expires = expires
        self.values = values
    }
}

extension FlagMetadata {
    /// The metadata as OpenFeature's flat `flagMetadata` map: the free-form values, then `description`, `owner`
    /// and `expires` (RFC 3339), which win over values of the same name. What the flagd export and OFREP carry.
    public var flattened: [String: JSONValue] {
        var members = values
        if let description { members["description"] = .string(description) }
        if let owner { members["owner"] = .string(owner) }
        if let expires { members["expires"] = .string(Timestamp.format(expires)) }
        return members
    }
}
