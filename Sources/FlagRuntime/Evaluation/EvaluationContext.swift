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
    /// The fields, shared between copies: one allocation holding the targeting key, the environment and the
    /// attributes with their names' keys (`ContextStorage`). Immutable, so evaluation reads them in place (no
    /// retain of the strings, no hashing of names); a change builds new fields.
    private var shared: SharedContextStorage

    private var storage: ContextStorage {
        @inline(__always) get { shared.storage }
        set { shared = SharedContextStorage(storage: newValue) }
    }

    /// The fields for reading.
    @inline(__always)
    var fields: ContextStorage { storage }

    /// The stable identifier of the subject (usually the user id); hashed by rollouts and splits.
    public var targetingKey: String? {
        get { storage.targetingKey }
        set { storage = storage.with(targetingKey: newValue, environment: storage.environment) }
    }

    /// Typed attributes by name. Reading makes a dictionary and changing it makes new fields: to build a context
    /// per request, `init(targetingKey:tenant:groups:environment:attributes:)` with a closure is cheaper.
    public var attributes: [String: ContextValue] {
        get { storage.dictionary }
        _modify {
            var attributes = storage.dictionary
            defer { storage = Self.storage(targetingKey: storage.targetingKey, attributes: attributes, environment: storage.environment) }
            yield &attributes
        }
    }

    /// Overrides the store's environment for this evaluation.
    public var environment: String? {
        get { storage.environment }
        set { storage = storage.with(targetingKey: storage.targetingKey, environment: newValue) }
    }

    /// The tenant (the `tenant` attribute, which `tenants:` conditions match).
    public var tenant: String? {
        get { if case .string(let tenant)? = storage.value(.tenant, name: Condition.tenant) { tenant } else { nil } }
        set { attributes[Condition.tenant] = newValue.map(ContextValue.string) }
    }

    /// The groups (the `groups` attribute, which `groups:` conditions match); empty when there are none.
    public var groups: [String] {
        get { if case .strings(let groups)? = storage.value(.groups, name: Condition.groups) { groups } else { [] } }
        set { attributes[Condition.groups] = newValue.isEmpty ? nil : .strings(newValue) }
    }

    /// Creates a context. `tenant` and `groups`, when given, are stored as the `tenant` and `groups` attributes
    /// (over any of those names in `attributes`).
    public init(targetingKey: String? = nil, tenant: String? = nil, groups: [String] = [], attributes: [String: ContextValue] = [:],
                environment: String? = nil) {
        shared = SharedContextStorage(storage: Self.storage(targetingKey: targetingKey, tenant: tenant, groups: groups, attributes: attributes,
                                                            environment: environment))
    }

    /// Creates a context whose attributes `attributes` sets, by name, without hashing them or making a dictionary:
    /// the whole context is one allocation (for up to 16 attributes), the cheapest way to build one per request.
    /// `tenant` and `groups`, when given, are stored as the `tenant` and `groups` attributes (over any of those
    /// names set by `attributes`).
    ///
    /// ```swift
    /// let context = EvaluationContext(targetingKey: user.id, tenant: user.tenant, groups: user.groups) { attributes in
    ///     attributes["plan"] = .string(user.plan)
    ///     attributes["country"] = .string(user.country)
    ///     attributes["seats"] = .integer(user.seats)
    /// }
    /// ```
    public init(targetingKey: String? = nil, tenant: String? = nil, groups: [String] = [], environment: String? = nil,
                attributes: (inout ContextAttributeBuilder) -> Void) {
        shared = Self.storage(tenant: tenant, groups: groups) { builder in
            attributes(&builder)
            return (targetingKey, environment)
        }!
    }

    /// A context a decoder reads: `body` sets the attributes and may set the targeting key and the environment
    /// (into the one allocation of the closure form), or returns false, and then there is no context.
    init?(decoding body: (_ attributes: inout ContextAttributeBuilder, _ targetingKey: inout String?, _ environment: inout String?) -> Bool) {
        guard let shared = Self.storage(tenant: nil, groups: [], { builder in
            var targetingKey: String?, environment: String?
            guard body(&builder, &targetingKey, &environment) else { return nil }
            return (targetingKey, environment)
        }) else { return nil }
        self.shared = shared
    }

    /// The fields of a context whose attributes `body` sets, which then gives the targeting key and environment
    /// (nil: no context).
    private static func storage(tenant: String?, groups: [String],
                                _ body: (inout ContextAttributeBuilder) -> (targetingKey: String?, environment: String?)?) -> SharedContextStorage? {
        withUnsafeTemporaryAllocation(of: ContextAttribute.self, capacity: ContextAttributeBuilder.inlineCapacity) { buffer in
            var builder = ContextAttributeBuilder(buffer: buffer.baseAddress!, capacity: buffer.count)
            guard let (targetingKey, environment) = body(&builder) else { return nil }
            let extra = (tenant == nil ? 0 : 1) + (groups.isEmpty ? 0 : 1)
            let skipped = reservedKeys(tenant: tenant, groups: groups)
            let storage = ContextStorage.make(targetingKey: targetingKey, environment: environment, capacity: builder.distinctCount() + extra) { target in
                let moved = builder.moveAll(to: target) { $0 == skipped.tenant || $0 == skipped.groups }
                return moved + appendReserved(tenant: tenant, groups: groups, to: target + moved)
            }
            return SharedContextStorage(storage: storage)
        }
    }

    /// The fields of a context made from a dictionary.
    private static func storage(targetingKey: String?, tenant: String? = nil, groups: [String] = [], attributes: [String: ContextValue],
                                environment: String?) -> ContextStorage {
        let extra = (tenant == nil ? 0 : 1) + (groups.isEmpty ? 0 : 1)
        let skipped = reservedKeys(tenant: tenant, groups: groups)
        let readsSmallStrings = ShortKey.smallStringLayoutHolds
        return ContextStorage.make(targetingKey: targetingKey, environment: environment, capacity: attributes.count + extra) { target in
            var count = 0
            var position = attributes.startIndex
            // By position: an element iterator copies each pair once more.
            while position != attributes.endIndex {
                let name = attributes.keys[position]
                let key = AttributeKey(name, readsSmallStrings: readsSmallStrings)
                if key != skipped.tenant && key != skipped.groups {
                    (target + count).initialize(to: ContextAttribute(name: name, key: key, value: attributes.values[position]))
                    count += 1
                }
                attributes.formIndex(after: &position)
            }
            return count + appendReserved(tenant: tenant, groups: groups, to: target + count)
        }
    }

    /// The keys of the attributes the `tenant` and `groups` parameters replace (nil for those not given).
    @inline(__always)
    private static func reservedKeys(tenant: String?, groups: [String]) -> (tenant: AttributeKey?, groups: AttributeKey?) {
        (tenant == nil ? nil : .tenant, groups.isEmpty ? nil : .groups)
    }

    /// Initializes the `tenant` and `groups` attributes at `target` (those given); returns how many.
    @inline(__always)
    private static func appendReserved(tenant: String?, groups: [String], to target: UnsafeMutablePointer<ContextAttribute>) -> Int {
        var count = 0
        if let tenant {
            target.initialize(to: ContextAttribute(name: Condition.tenant, key: .tenant, value: .string(tenant)))
            count += 1
        }
        if !groups.isEmpty {
            (target + count).initialize(to: ContextAttribute(name: Condition.groups, key: .groups, value: .strings(groups)))
            count += 1
        }
        return count
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
        return storage.value(name)
    }

    /// Whether two contexts have the same targeting key, environment and attributes (names compared by their UTF-8
    /// bytes, as evaluation does).
    public static func == (lhs: EvaluationContext, rhs: EvaluationContext) -> Bool {
        if lhs.storage === rhs.storage { return true }
        guard lhs.storage.targetingKey == rhs.storage.targetingKey, lhs.storage.environment == rhs.storage.environment,
              lhs.storage.count == rhs.storage.count else { return false }
        return lhs.storage.withAttributes { attributes in
            attributes.allSatisfy { attribute in
                rhs.storage.position(of: attribute.key, name: attribute.name).map { position in
                    rhs.storage.withAttributes { $0[position].value } == attribute.value
                } ?? false
            }
        }
    }

    /// Hashes the targeting key, environment and attributes (in any order).
    public func hash(into hasher: inout Hasher) {
        hasher.combine(storage.targetingKey)
        hasher.combine(storage.environment)
        hasher.combine(storage.count)
        var combined: UInt64 = 0
        storage.withAttributes { attributes in
            for attribute in attributes {
                var attributeHasher = Hasher()
                attributeHasher.combine(attribute.key.low)
                attributeHasher.combine(attribute.key.high)
                attributeHasher.combine(attribute.value)
                combined ^= UInt64(UInt(bitPattern: attributeHasher.finalize()))
            }
        }
        hasher.combine(combined)
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
