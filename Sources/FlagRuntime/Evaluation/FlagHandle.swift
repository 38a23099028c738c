import Synchronization

/// A value type a flag can be read as through a `FlagHandle`: it says how to take it out of a `FlagValue`.
///
/// `Bool`, `String`, `Int`, `Int64`, `Double` and `[String: JSONValue]` conform, and so does any `String`-backed
/// enum that declares the conformance (`enum Colour: String, FlagValueConvertible { case blue, green }`), which
/// reads a string flag's value as one of its cases.
public protocol FlagValueConvertible: Sendable {
    /// The value held in `value`, or nil when it is of another type (evaluation then gives the default with
    /// `TYPE_MISMATCH`).
    init?(flagValue value: FlagValue)
    /// This value as a flag value, for hooks (`HookContext.defaultValue`); nil by default.
    var flagValue: FlagValue? { get }
}

extension FlagValueConvertible {
    /// No flag value form.
    public var flagValue: FlagValue? { nil }
}

extension Bool: FlagValueConvertible {
    /// A boolean flag's value.
    public init?(flagValue value: FlagValue) {
        guard case .boolean(let flag) = value else { return nil }
        self = flag
    }

    /// The boolean flag value.
    public var flagValue: FlagValue? { .boolean(self) }
}

extension String: FlagValueConvertible {
    /// A string flag's value.
    public init?(flagValue value: FlagValue) {
        guard case .string(let string) = value else { return nil }
        self = string
    }

    /// The string flag value.
    public var flagValue: FlagValue? { .string(self) }
}

extension Int64: FlagValueConvertible {
    /// An integer flag's value.
    public init?(flagValue value: FlagValue) {
        guard case .integer(let integer) = value else { return nil }
        self = integer
    }

    /// The integer flag value.
    public var flagValue: FlagValue? { .integer(self) }
}

extension Int: FlagValueConvertible {
    /// An integer flag's value, when it fits.
    public init?(flagValue value: FlagValue) {
        guard case .integer(let integer) = value, let exact = Int(exactly: integer) else { return nil }
        self = exact
    }

    /// The integer flag value.
    public var flagValue: FlagValue? { .integer(Int64(self)) }
}

extension Double: FlagValueConvertible {
    /// A number flag's value (an integer flag's converts).
    public init?(flagValue value: FlagValue) {
        switch value {
        case .number(let number): self = number
        case .integer(let integer): self = Double(integer)
        default: return nil
        }
    }

    /// The number flag value.
    public var flagValue: FlagValue? { .number(self) }
}

extension Dictionary: FlagValueConvertible where Key == String, Value == JSONValue {
    /// An object flag's value.
    public init?(flagValue value: FlagValue) {
        guard case .object(let object) = value else { return nil }
        self = object
    }

    /// The object flag value.
    public var flagValue: FlagValue? { .object(self) }
}

extension FlagValueConvertible where Self: RawRepresentable, RawValue == String {
    /// A string flag's value as the case of that name; nil (a type mismatch) for a value with no case.
    public init?(flagValue value: FlagValue) {
        guard case .string(let string) = value else { return nil }
        self.init(rawValue: string)
    }

    /// The case's name as a string flag value.
    public var flagValue: FlagValue? { .string(rawValue) }
}

/// A flag found once and read many times: a key, the type its value is read as, and the value the code falls back
/// on. Evaluating through a handle skips hashing and looking up the key: the handle remembers where its flag is in
/// the snapshot it last saw and finds it again only after a reload. It stays valid across reloads; a flag that a
/// reload removed gives the default with `FLAG_NOT_FOUND`.
///
/// Handles are cheap to keep in `static let`s, which is what `flagc generate swift` writes:
///
/// ```swift
/// enum Flags {
///     static let invoiceAutoGenerate = FlagHandle<Bool>("billing.invoice_auto_generate", default: false)
/// }
/// if store.value(Flags.invoiceAutoGenerate, context: context) { … }
/// let details = store.details(Flags.invoiceAutoGenerate, context: context)
/// ```
public struct FlagHandle<Value: FlagValueConvertible>: Sendable {
    /// The flag key.
    public let key: String
    /// The value given when the flag is missing, disabled, of another type, or has no value for the context.
    public let defaultValue: Value
    /// Where the flag was in the snapshot the handle last saw; shared by every copy of the handle.
    @usableFromInline let location: FlagLocationCache

    /// A handle to the flag `key`, read as `Value`, falling back on `defaultValue`.
    public init(_ key: String, default defaultValue: Value) {
        self.key = key
        self.defaultValue = defaultValue
        location = FlagLocationCache()
    }
}

/// The index of a handle's flag in one compiled snapshot, packed with that snapshot's generation into one atomic
/// word: `generation << 26 | static bits << 24 | index + 1`, 0 in the index bits when the snapshot has no such
/// flag. Read with one relaxed load per evaluation; written only when the handle first meets a new snapshot, so the
/// cache line stays shared between cores.
///
/// The two static bits say the flag serves one boolean to everyone in that snapshot (enabled, no rules) and which:
/// `staticBoolean(generation:)` then answers without reaching the snapshot at all. Sound because a generation
/// names one compiled snapshot in the process, and a compiled snapshot never changes.
@usableFromInline
final class FlagLocationCache: Sendable {
    private static let indexBits: UInt64 = 24
    private static let indexMask: UInt64 = (1 << indexBits) - 1
    /// Set when the flag serves one boolean to everyone; `staticTrue` is that boolean.
    private static let staticBoolean: UInt64 = 1 << indexBits
    private static let staticTrue: UInt64 = 1 << (indexBits + 1)
    private static let generationShift: UInt64 = indexBits + 2
    private let packed = Atomic<UInt64>(0)

    init() {}

    /// The generation bits of `generation` as the packed word keeps them.
    @inline(__always)
    private static func stored(_ generation: UInt64) -> UInt64 {
        generation & (UInt64.max >> generationShift)
    }

    /// The flag's index in `snapshot` (nil when it has none), from the cache or found by `key` and cached.
    @inline(__always)
    func index(in snapshot: CompiledSnapshot, key: String) -> Int? {
        let word = packed.load(ordering: .relaxed)
        if word >> Self.generationShift == Self.stored(snapshot.generation) {
            let stored = word & Self.indexMask
            return stored == 0 ? nil : Int(stored - 1)
        }
        return resolve(in: snapshot, key: key)
    }

    /// The boolean the flag serves everyone in the snapshot of `generation`, when the handle has met that snapshot
    /// and the flag is static there; nil otherwise (the caller then evaluates).
    @inline(__always)
    func staticBoolean(generation: UInt64) -> Bool? {
        let word = packed.load(ordering: .relaxed)
        guard word >> Self.generationShift == Self.stored(generation), word & Self.staticBoolean != 0 else { return nil }
        return word & Self.staticTrue != 0
    }

    @inline(never)
    private func resolve(in snapshot: CompiledSnapshot, key: String) -> Int? {
        let index = snapshot.index(of: key)
        // A snapshot with more flags than the index bits hold is looked up by key every time (never cached).
        if let index, UInt64(index) + 1 > Self.indexMask { return index }
        var stored = index.map { UInt64($0) + 1 } ?? 0
        if let index, case .boolean(let value)? = snapshot.withFlag(at: index, \.staticValue) {
            stored |= Self.staticBoolean | (value ? Self.staticTrue : 0)
        }
        packed.store((Self.stored(snapshot.generation) << Self.generationShift) | stored, ordering: .relaxed)
        return index
    }
}

// The typed entry points are inlinable, so each is specialised for its value type in the caller's module; the
// work is done by two concrete functions that return the flag's value untyped (unspecialised generic code here
// cost five times the evaluation itself). They are also the key-based plain forms' path, and where hooks and
// observers are looked for.
extension FlagStore {
    /// The flag's value for `context` (by default the current task's, `EvaluationContext.current`), or the handle's
    /// default (missing, disabled, another type, no value).
    @inlinable
    public func value<Value>(_ flag: FlagHandle<Value>, context: EvaluationContext = .current) -> Value {
        let defaultValue = flag.defaultValue
        if let value = staticBoolean(flag.location) { return Value(flagValue: .boolean(value)) ?? defaultValue }
        guard let value = untypedValue(flag.key, at: flag.location, context: context, accepts: EvaluationRequest.accepts(Value.self),
                                       request: { EvaluationRequest(default: defaultValue) }) else {
            return defaultValue
        }
        return Value(flagValue: value) ?? defaultValue
    }

    /// Whether a boolean flag is on for `context` (its default when it cannot be evaluated).
    @inlinable
    public func isEnabled(_ flag: FlagHandle<Bool>, context: EvaluationContext = .current) -> Bool {
        if let value = staticBoolean(flag.location) { return value }
        let defaultValue = flag.defaultValue
        guard case .boolean(let value)? = untypedValue(flag.key, at: flag.location, context: context, accepts: EvaluationRequest.accepts(Bool.self),
                                                       request: { EvaluationRequest(default: defaultValue) }) else {
            return defaultValue
        }
        return value
    }

    /// The flag's value for `context` (by default the current task's, `EvaluationContext.current`) with the
    /// variant, reason, error and deciding rule.
    @inlinable
    public func details<Value>(_ flag: FlagHandle<Value>, context: EvaluationContext = .current) -> EvaluationDetails<Value> {
        let defaultValue = flag.defaultValue
        return untypedDetails(flag.key, at: flag.location, context: context, accepts: EvaluationRequest.accepts(Value.self),
                              request: { EvaluationRequest(default: defaultValue) })
            .typed(default: defaultValue)
    }

    /// The boolean a flag serves everyone, in the snapshot the handle saw last when the store still serves it, with
    /// nothing registered to tell and nothing forced: answered without reaching the snapshot (`FlagLocationCache`).
    /// Nil sends the caller down the full path.
    @usableFromInline
    @inline(__always)
    func staticBoolean(_ location: FlagLocationCache) -> Bool? {
        guard observation.published == nil, counting.counts == nil, !hasForcedValues else { return nil }
        return location.staticBoolean(generation: servedGeneration.load(ordering: .acquiring))
    }

    /// The value the flag serves `context` (a forced value first), nil for the caller's default: the path of every
    /// plain form. The flag is found through `location` (a handle's) or, without one, by `key`. `accepts` tells
    /// whether a value can be read as the type asked for (for counting); `request` describes the call for hooks and
    /// observers and is built only when some are registered (building it for counting alone made and destroyed the
    /// default as a `FlagValue` on every counted evaluation).
    @usableFromInline
    func untypedValue(_ key: String, at location: FlagLocationCache, context: EvaluationContext, accepts: (FlagValue) -> Bool,
                      request: () -> EvaluationRequest) -> FlagValue? {
        if let observation = observation.published {
            return observation._withUnsafeGuaranteedRef { observedValue(key, at: location, context: context, request: request(), observation: $0) }
        }
        return unobservedValue(key, at: location, context: context, accepts: accepts)
    }

    /// `untypedValue` for a key without a handle (the key-based plain forms).
    @inline(__always)
    func untypedValue(_ key: String, context: EvaluationContext, accepts: (FlagValue) -> Bool, request: () -> EvaluationRequest) -> FlagValue? {
        if let observation = observation.published {
            return observation._withUnsafeGuaranteedRef { observedValue(key, at: nil, context: context, request: request(), observation: $0) }
        }
        return unobservedValue(key, at: nil, context: context, accepts: accepts)
    }

    /// The value with nothing registered: a forced value, else the flag found through `location` (a handle's) or by
    /// `key` in the served snapshot, counted when counting is on (`accepts` then tells whether the value can be read as
    /// the type asked for). (The lookup is inline: passed in as a closure, it was a call through two thunks.)
    @inline(__always)
    private func unobservedValue(_ key: String, at location: FlagLocationCache?, context: EvaluationContext,
                                 accepts: (FlagValue) -> Bool) -> FlagValue? {
        if let forced = forcedValue(key) { return forced }
        return withCompiled { snapshot in
            guard let index = index(of: key, at: location, in: snapshot) else {
                count(snapshot, nil, Decision(variant: nil, reason: .error), accepted: true)
                return nil
            }
            return snapshot.withFlag(at: index) { compiled -> FlagValue? in
                let decision = compiled.decide(context, environment: environment, clock: clock)
                guard let variant = decision.variant else {
                    count(snapshot, index, decision, accepted: true)
                    return nil
                }
                let value = compiled.value(at: variant)
                count(snapshot, index, decision, accepted: accepts(value))
                return value
            }
        }
    }

    /// `untypedValue` with the details: the value is nil for the caller's default.
    @usableFromInline
    func untypedDetails(_ key: String, at location: FlagLocationCache, context: EvaluationContext, accepts: (FlagValue) -> Bool,
                        request: () -> EvaluationRequest) -> EvaluationDetails<FlagValue?> {
        if let observation = observation.published {
            return observation._withUnsafeGuaranteedRef { observedDetails(key, at: location, context: context, request: request(), observation: $0) }
        }
        if let forced = forcedValue(key) {
            return EvaluationDetails(flagKey: key, value: forced, variant: nil, reason: .override, flagMetadata: FlagMetadata())
        }
        return withCompiled { snapshot in
            guard let index = location.index(in: snapshot, key: key) else {
                count(snapshot, nil, Decision(variant: nil, reason: .error), accepted: true)
                return EvaluationDetails(flagKey: key, value: nil, reason: .error, errorCode: .flagNotFound,
                                         errorMessage: Self.notFound(key, in: snapshot), flagMetadata: FlagMetadata())
            }
            return snapshot.withFlag(at: index) { compiled in
                let decision = compiled.decide(context, environment: environment, clock: clock)
                let details = details(key, decision, of: compiled, default: nil) { $0 }
                count(snapshot, index, decision, accepted: details.value.map(accepts) ?? true)
                return details
            }
        }
    }

    /// The index of the flag in `snapshot`: through a handle's cache, or by key.
    @inline(__always)
    func index(of key: String, at location: FlagLocationCache?, in snapshot: CompiledSnapshot) -> Int? {
        if let location { return location.index(in: snapshot, key: key) }
        return snapshot.index(of: key)
    }
}

/// What an evaluation asked for, for hooks and observers: whether a value can be read as the type asked for, and
/// the caller's default.
@usableFromInline
struct EvaluationRequest {
    /// Whether a flag value can be read as the type asked for; nil accepts any. A closure specialised for the type
    /// at the call site: checking through an existential metatype (`any FlagValueConvertible.Type`) instantiated
    /// metadata and boxed the value on every observed evaluation.
    let accepts: ((FlagValue) -> Bool)?
    let defaultValue: FlagValue?

    @usableFromInline
    init(accepts: ((FlagValue) -> Bool)?, defaultValue: FlagValue?) {
        self.accepts = accepts
        self.defaultValue = defaultValue
    }

    /// A request for a `Value`, falling back on `defaultValue`.
    @inlinable
    init<Value: FlagValueConvertible>(default defaultValue: Value) {
        self.init(accepts: Self.accepts(Value.self), defaultValue: defaultValue.flagValue)
    }

    /// Whether a flag value can be read as a `Value`.
    @inlinable
    static func accepts<Value: FlagValueConvertible>(_: Value.Type) -> (FlagValue) -> Bool {
        { Value(flagValue: $0) != nil }
    }
}

extension EvaluationDetails {
    /// Creates details (for the typed handle entry points, which build them in the caller's module).
    @usableFromInline
    init(typedFrom details: EvaluationDetails<FlagValue?>, value: Value, errorCode: EvaluationErrorCode?, errorMessage: String?) {
        self.init(flagKey: details.flagKey, value: value, variant: errorCode == nil ? details.variant : nil, reason: errorCode == nil ? details.reason : .error,
                  errorCode: errorCode, errorMessage: errorMessage, ruleIndex: errorCode == nil ? details.ruleIndex : nil,
                  ruleName: errorCode == nil ? details.ruleName : nil, flagMetadata: details.flagMetadata)
    }
}

extension EvaluationDetails where Value == FlagValue? {
    /// These details with the value read as `Typed`: the default when there is no value, and a type mismatch when
    /// the value is not a `Typed`.
    @inlinable
    func typed<Typed: FlagValueConvertible>(default defaultValue: Typed) -> EvaluationDetails<Typed> {
        guard let untyped = value else {
            return EvaluationDetails<Typed>(typedFrom: self, value: defaultValue, errorCode: errorCode, errorMessage: errorMessage)
        }
        if let typed = Typed(flagValue: untyped) {
            return EvaluationDetails<Typed>(typedFrom: self, value: typed, errorCode: nil, errorMessage: nil)
        }
        return EvaluationDetails<Typed>(typedFrom: self, value: defaultValue, errorCode: .typeMismatch,
                                        errorMessage: "flag '\(flagKey)' serves \(untyped.type.rawValue) values, not \(Typed.self)")
    }
}
