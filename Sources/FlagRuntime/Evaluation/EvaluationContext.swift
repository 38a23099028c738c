/// Who and what a flag is evaluated for: a targeting key plus typed attributes.
///
/// ```swift
/// let context = EvaluationContext(targetingKey: "user-42", tenant: "acme", groups: ["beta", "staff"], attributes: [
///     "plan": "pro",
///     "seats": .integer(25),
///     "signed_up": .timestamp(1_767_225_600),
///     "app_version": "2.4.1",
/// ])
/// ```
///
/// Reserved names: `targetingKey` (in rules, the targeting key), `tenant` (what `tenants:` matches; the `tenant`
/// parameter and property), `groups` (what `groups:` matches, a list of strings; the `groups` parameter and
/// property). The environment comes from the store unless `environment` overrides it for this evaluation.
///
/// A context is one reference: copying it (into a task, out of an array, into an evaluation) retains that
/// reference and nothing else. Changing a copy copies its fields first (copy on write).
public struct EvaluationContext: Sendable, Hashable {
    /// The fields, shared between copies until one of them changes.
    final class Storage: @unchecked Sendable {  // mutated only through a uniquely referenced `storage` (copy on write)
        var targetingKey: String?
        var attributes: [String: ContextValue]
        var environment: String?

        init(targetingKey: String?, attributes: [String: ContextValue], environment: String?) {
            self.targetingKey = targetingKey
            self.attributes = attributes
            self.environment = environment
        }
    }

    private var storage: Storage

    /// The fields for reading, without retaining them.
    @inline(__always)
    var fields: Storage { storage }

    /// The fields for writing: this context's own copy.
    private var writable: Storage {
        mutating get {
            if !isKnownUniquelyReferenced(&storage) {
                storage = Storage(targetingKey: storage.targetingKey, attributes: storage.attributes, environment: storage.environment)
            }
            return storage
        }
    }

    /// The stable identifier of the subject (usually the user id); hashed by rollouts and splits.
    public var targetingKey: String? {
        get { storage.targetingKey }
        set { writable.targetingKey = newValue }
    }

    /// Typed attributes by name.
    public var attributes: [String: ContextValue] {
        get { storage.attributes }
        _modify { yield &writable.attributes }
        set { writable.attributes = newValue }
    }

    /// Overrides the store's environment for this evaluation.
    public var environment: String? {
        get { storage.environment }
        set { writable.environment = newValue }
    }

    /// The tenant (the `tenant` attribute, which `tenants:` conditions match).
    public var tenant: String? {
        get { if case .string(let tenant)? = storage.attributes[Condition.tenant] { tenant } else { nil } }
        set { writable.attributes[Condition.tenant] = newValue.map(ContextValue.string) }
    }

    /// The groups (the `groups` attribute, which `groups:` conditions match); empty when there are none.
    public var groups: [String] {
        get { if case .strings(let groups)? = storage.attributes[Condition.groups] { groups } else { [] } }
        set { writable.attributes[Condition.groups] = newValue.isEmpty ? nil : .strings(newValue) }
    }

    /// Creates a context. `tenant` and `groups`, when given, are stored as the `tenant` and `groups` attributes
    /// (over any of those names in `attributes`).
    public init(targetingKey: String? = nil, tenant: String? = nil, groups: [String] = [], attributes: [String: ContextValue] = [:],
                environment: String? = nil) {
        var attributes = attributes
        if let tenant { attributes[Condition.tenant] = .string(tenant) }
        if !groups.isEmpty { attributes[Condition.groups] = .strings(groups) }
        storage = Storage(targetingKey: targetingKey, attributes: attributes, environment: environment)
    }

    /// The empty context: no targeting key, no attributes.
    public static let empty = EvaluationContext()

    /// The value rules see under `name`: the targeting key for `targetingKey`, otherwise the attribute.
    @inline(__always)
    func value(_ name: String, isTargetingKey: Bool) -> ContextValue? {
        if isTargetingKey { return storage.targetingKey.map(ContextValue.string) }
        return storage.attributes[name]
    }

    /// Whether two contexts have the same targeting key, attributes and environment.
    public static func == (lhs: EvaluationContext, rhs: EvaluationContext) -> Bool {
        lhs.storage === rhs.storage
            || (lhs.storage.targetingKey == rhs.storage.targetingKey && lhs.storage.environment == rhs.storage.environment
                && lhs.storage.attributes == rhs.storage.attributes)
    }

    /// Hashes the targeting key, attributes and environment.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(storage.targetingKey)
        hasher.combine(storage.attributes)
        hasher.combine(storage.environment)
    }
}

/// A typed context attribute.
public enum ContextValue: Sendable, Hashable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral, ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral {
    /// A string (also used for semantic versions, and for RFC 3339 timestamps).
    case string(String)
    /// A number.
    case number(Double)
    /// A boolean.
    case boolean(Bool)
    /// A point in time, in Unix seconds.
    case timestamp(Int64)
    /// A list of strings (for example `groups`).
    case strings([String])

    /// A string attribute.
    public init(stringLiteral value: String) { self = .string(value) }
    /// A number attribute.
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    /// A number attribute.
    public init(floatLiteral value: Double) { self = .number(value) }
    /// A boolean attribute.
    public init(booleanLiteral value: Bool) { self = .boolean(value) }
    /// A list-of-strings attribute.
    public init(arrayLiteral elements: String...) { self = .strings(elements) }

    /// An integer attribute (held as a number, as rules compare it).
    public static func integer(_ value: some BinaryInteger) -> ContextValue { .number(Double(value)) }

    /// A list-of-strings attribute.
    public static func list(_ values: some Sequence<String>) -> ContextValue { .strings(Array(values)) }

    /// A point in time from an RFC 3339 timestamp (`2026-12-01T09:30:00Z`), or nil when `text` is not one.
    public static func timestamp(rfc3339 text: String) -> ContextValue? {
        Timestamp.parseDateTime(text).map(ContextValue.timestamp)
    }
}
