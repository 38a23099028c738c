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
/// reference and nothing else. Changing a context gives it new fields; its copies keep the old ones.
public struct EvaluationContext: Sendable, Hashable {
    /// The fields, shared between copies. Immutable, so evaluation reads them in place (no retain of the
    /// dictionary or the strings); a change builds new fields.
    final class Storage: Sendable {
        let targetingKey: String?
        let attributes: [String: ContextValue]
        let environment: String?

        init(targetingKey: String?, attributes: [String: ContextValue], environment: String?) {
            self.targetingKey = targetingKey
            self.attributes = attributes
            self.environment = environment
        }

        static let empty = Storage(targetingKey: nil, attributes: [:], environment: nil)
    }

    private var storage: Storage

    /// The fields for reading.
    @inline(__always)
    var fields: Storage { storage }

    /// The stable identifier of the subject (usually the user id); hashed by rollouts and splits.
    public var targetingKey: String? {
        get { storage.targetingKey }
        set { storage = Storage(targetingKey: newValue, attributes: storage.attributes, environment: storage.environment) }
    }

    /// Typed attributes by name.
    public var attributes: [String: ContextValue] {
        get { storage.attributes }
        _modify {
            // The dictionary is moved out (when this context held the only reference to its fields, nothing else
            // holds the dictionary either, so changing it does not copy it), changed, and put back in new fields.
            var attributes = storage.attributes
            let targetingKey = storage.targetingKey, environment = storage.environment
            storage = Storage.empty
            defer { storage = Storage(targetingKey: targetingKey, attributes: attributes, environment: environment) }
            yield &attributes
        }
    }

    /// Overrides the store's environment for this evaluation.
    public var environment: String? {
        get { storage.environment }
        set { storage = Storage(targetingKey: storage.targetingKey, attributes: storage.attributes, environment: newValue) }
    }

    /// The tenant (the `tenant` attribute, which `tenants:` conditions match).
    public var tenant: String? {
        get { if case .string(let tenant)? = storage.attributes[Condition.tenant] { tenant } else { nil } }
        set { attributes[Condition.tenant] = newValue.map(ContextValue.string) }
    }

    /// The groups (the `groups` attribute, which `groups:` conditions match); empty when there are none.
    public var groups: [String] {
        get { if case .strings(let groups)? = storage.attributes[Condition.groups] { groups } else { [] } }
        set { attributes[Condition.groups] = newValue.isEmpty ? nil : .strings(newValue) }
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

    /// The context of the work the current task is doing (a server request, a job), for evaluations that do not
    /// pass one: every `FlagStore` method's `context` defaults to it. `.empty` until bound.
    ///
    /// Bind it with `EvaluationContext.with(_:operation:)` (or `$current.withValue`) around the work; the task and
    /// the child tasks it creates see it, tasks started elsewhere do not. Server middleware binds it per request
    /// (`FlagContextMiddleware` in `FlagHummingbird`):
    ///
    /// ```swift
    /// try await EvaluationContext.with(EvaluationContext(targetingKey: user.id, tenant: user.tenant)) {
    ///     if store.isEnabled(Flags.billing.invoiceAutoGenerate) { … }   // evaluated for that user and tenant
    /// }
    /// ```
    ///
    /// Reading it costs a task-local look-up, paid only by evaluations that leave `context` out.
    @TaskLocal public static var current: EvaluationContext = .empty

    /// Runs `operation` with `context` as the current task's context (`EvaluationContext.current`), then
    /// restores the previous one.
    public static func with<Result>(
        _ context: EvaluationContext, isolation: isolated (any Actor)? = #isolation, operation: () async throws -> Result
    ) async rethrows -> Result {
        try await $current.withValue(context, operation: operation)
    }

    /// Runs `operation` synchronously with `context` as the current task's context, then restores the previous one.
    public static func with<Result>(_ context: EvaluationContext, operation: () throws -> Result) rethrows -> Result {
        try $current.withValue(context, operation: operation)
    }

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
