/// Who and what a flag is evaluated for: a targeting key plus typed attributes.
///
/// ```swift
/// let context = EvaluationContext(targetingKey: "user-42", attributes: [
///     "tenant": "acme",
///     "groups": .strings(["beta", "staff"]),
///     "plan": "pro",
///     "seats": 25,
///     "app_version": "2.4.1",
/// ])
/// ```
///
/// Reserved names: `targetingKey` (in rules, the targeting key), `tenant` (what `tenants:` matches),
/// `groups` (what `groups:` matches, a list of strings). The environment comes from the store unless
/// `environment` overrides it for this evaluation.
public struct EvaluationContext: Sendable, Hashable {
    /// The stable identifier of the subject (usually the user id); hashed by rollouts and splits.
    public var targetingKey: String?
    /// Typed attributes by name.
    public var attributes: [String: ContextValue]
    /// Overrides the store's environment for this evaluation.
    public var environment: String?

    /// Creates a context.
    public init(targetingKey: String? = nil, attributes: [String: ContextValue] = [:], environment: String? = nil) {
        self.targetingKey = targetingKey
        self.attributes = attributes
        self.environment = environment
    }

    /// The empty context: no targeting key, no attributes.
    public static let empty = EvaluationContext()

    /// The value rules see under `name`: the targeting key for `targetingKey`, otherwise the attribute.
    @inline(__always)
    func value(_ name: String, isTargetingKey: Bool) -> ContextValue? {
        if isTargetingKey { return targetingKey.map(ContextValue.string) }
        return attributes[name]
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
}
