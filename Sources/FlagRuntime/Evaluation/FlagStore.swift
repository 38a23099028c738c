import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Evaluates flags against the current snapshot. Thread-safe: any number of evaluations may run while
/// `replace(with:)` swaps the snapshot; each evaluation sees exactly one snapshot.
///
/// ```swift
/// let store = try FlagStore(contentsOfFile: "build/snapshot.json", environment: "production")
/// let context = EvaluationContext(targetingKey: user.id, attributes: ["tenant": .string(user.tenant)])
/// if store.boolean("billing.invoice_auto_generate", default: false, context: context) { … }
/// let colour = store.stringDetails("billing.checkout_button_color", default: "blue", context: context)
/// print(colour.value, colour.variant ?? "-", colour.reason)
/// ```
///
/// Evaluation never throws: a missing flag, a type mismatch or a disabled flag returns the caller's default
/// with a reason and error code. It takes no lock and does not allocate on the common paths: each thread keeps
/// a reference to the snapshot it last used and checks it is still the served one with one atomic load (a
/// replaced snapshot is freed once every thread that used it has evaluated again, or exited).
///
/// Every method's `context` defaults to `EvaluationContext.current`, the context bound to the current task (by
/// request middleware, or `EvaluationContext.with(_:operation:)`), which is `.empty` when none is bound.
public final class FlagStore: Sendable {
    private let current: Mutex<CompiledSnapshot>
    /// The generation of the snapshot `current` holds, readable without the lock.
    let servedGeneration: Atomic<UInt64>
    /// The environment rules with `environments:` conditions are evaluated in (unless a context overrides it).
    public let environment: String?
    package let clock: any FlagClock
    /// Checks the signature of every snapshot file this store loads (`init(contentsOfFile:)`,
    /// `replace(contentsOfFile:)`); nil accepts unsigned snapshots. See `FlagSignatures.Ed25519Verifier`.
    public let signatureVerifier: (any SnapshotSignatureVerifier)?
    /// With a `signatureVerifier`: which signed snapshots may replace the served one (no older ones by default).
    public let freshnessPolicy: SnapshotFreshnessPolicy
    /// The sequence and issue time of the served snapshot, when it came from a file that carries them.
    private let servedProvenance: Mutex<SnapshotProvenance?>
    /// Whether snapshots are compiled with the small-string fast path.
    private let readsSmallStrings: Bool
    /// Values forced on this store (`FlagRuntimeTesting`'s `FlagStore.override(_:)`).
    package let forcedValues = StoreForcedValues()
    /// The hooks and observers registered (`addHook(_:hints:)`; `FlagObservability`'s observers).
    let observation = ObservationSlot()
    /// The counts evaluations go to, when counting (`FlagObservability`'s `UsageMetrics`).
    let counting = CountingSlot()

    /// Creates a store serving `snapshot`, after checking it is valid (`SnapshotValidation`) and can be evaluated
    /// in `environment`.
    ///
    /// - Parameters:
    ///   - snapshot: the snapshot to serve.
    ///   - environment: the evaluation environment; it defaults to the snapshot's environment. It must be one of
    ///     the snapshot's `environments` (when the project declares them), and for a snapshot compiled with
    ///     `--env`, that environment: its environment conditions are already decided.
    ///   - clock: the source of "now" for rule windows and `before`/`after` (inject a fixed clock in tests).
    ///   - signatureVerifier: checks the signature of snapshot files the store loads later
    ///     (`replace(contentsOfFile:)`); `snapshot` itself is taken as given.
    ///   - freshnessPolicy: with a verifier, which signed snapshots may replace the served one.
    /// - Throws: `SnapshotLoadError` naming what is invalid, or the environment and the ones the snapshot has.
    public convenience init(snapshot: Snapshot, environment: String? = nil, clock: any FlagClock = SystemClock(), signatureVerifier: (any SnapshotSignatureVerifier)? = nil, freshnessPolicy: SnapshotFreshnessPolicy = SnapshotFreshnessPolicy()) throws(SnapshotLoadError) {
        do {
            try SnapshotValidation.check(snapshot)
        } catch {
            throw SnapshotLoadError(path: "", reason: error.description)
        }
        try Self.checkEnvironment(environment ?? snapshot.environment, of: snapshot)
        self.init(snapshot: snapshot, provenance: nil, environment: environment, clock: clock, signatureVerifier: signatureVerifier, freshnessPolicy: freshnessPolicy)
    }

    /// Creates a store serving a snapshot read from a file with `provenance`. `readsSmallStrings` off takes the
    /// byte path for every lookup, in this and every later snapshot (tests run both; see `CompiledSnapshot`).
    package init(snapshot: Snapshot, provenance: SnapshotProvenance?, environment: String?, clock: any FlagClock, signatureVerifier: (any SnapshotSignatureVerifier)?, freshnessPolicy: SnapshotFreshnessPolicy, readsSmallStrings: Bool = ShortKey.smallStringLayoutHolds) {
        self.readsSmallStrings = readsSmallStrings
        let compiled = CompiledSnapshot(snapshot, readsSmallStrings: readsSmallStrings)
        current = Mutex(compiled)
        servedGeneration = Atomic(compiled.generation)
        self.environment = environment ?? snapshot.environment
        self.clock = clock
        self.signatureVerifier = signatureVerifier
        self.freshnessPolicy = freshnessPolicy
        servedProvenance = Mutex(provenance)
    }

    /// Creates a store from a snapshot file (`snapshot.bin` or `snapshot.json`, told apart by content); throws a
    /// `SnapshotLoadError` that says what is wrong. With a `signatureVerifier`, only snapshots it accepts load,
    /// and `freshnessPolicy`'s maximum age applies.
    public convenience init(contentsOfFile path: String, environment: String? = nil, clock: any FlagClock = SystemClock(), signatureVerifier: (any SnapshotSignatureVerifier)? = nil, freshnessPolicy: SnapshotFreshnessPolicy = SnapshotFreshnessPolicy()) throws(SnapshotLoadError) {
        let loaded = try SnapshotLoader.read(contentsOfFile: path, verifier: signatureVerifier)
        self.init(snapshot: loaded.snapshot, provenance: nil, environment: environment, clock: clock, signatureVerifier: signatureVerifier, freshnessPolicy: freshnessPolicy)
        do {
            // Nothing served yet: the environment, the maximum age, and the provenance to hold later files to.
            try admit(loaded)
        } catch {
            throw SnapshotLoadError(path: path, reason: error.reason)
        }
    }

    // MARK: Snapshot

    /// The snapshot being served.
    public var snapshot: Snapshot { compiled.snapshot }

    /// Replaces the snapshot; evaluations already running finish on the old one. A snapshot given in code
    /// carries no provenance, so the next file is not held to its sequence.
    ///
    /// - Throws: `SnapshotLoadError`, and the served snapshot stays, when `snapshot` is invalid or cannot be
    ///   evaluated in the store's environment.
    public func replace(with snapshot: Snapshot) throws(SnapshotLoadError) {
        do {
            try SnapshotValidation.check(snapshot)
        } catch {
            throw SnapshotLoadError(path: "", reason: error.description)
        }
        try Self.checkEnvironment(environment, of: snapshot)
        let compiled = compile(snapshot)  // built outside the lock
        servedProvenance.withLock { $0 = nil }
        _ = exchange(compiled)
    }

    /// Checks that `loaded` can be evaluated in the store's environment, then, with a verifier, checks it against
    /// the freshness policy and the served snapshot's provenance; on success records its provenance as the served
    /// one (the caller then serves it, or keeps the same content).
    package func admit(_ loaded: LoadedSnapshot) throws(SnapshotLoadError) {
        try Self.checkEnvironment(environment, of: loaded.snapshot)
        guard signatureVerifier != nil else { return }
        let now = clock.now()
        let policy = freshnessPolicy
        let outcome: SnapshotLoadError? = servedProvenance.withLock { served in
            do throws(SnapshotLoadError) {
                try policy.check(loaded.provenance, serving: served, now: now)
            } catch {
                return error
            }
            served = loaded.provenance
            return nil
        }
        if let outcome { throw outcome }
    }

    /// Throws unless `snapshot` can be evaluated in `environment`: a typo such as `prod` would otherwise turn every
    /// environment rule off, silently.
    package static func checkEnvironment(_ environment: String?, of snapshot: Snapshot) throws(SnapshotLoadError) {
        guard let environment else { return }
        if let compiled = snapshot.environment, compiled != environment {
            throw SnapshotLoadError(path: "", reason: "the snapshot was compiled for environment '\(compiled)' (flagc compile --env \(compiled)), so it cannot be evaluated in '\(environment)'; compile without --env, or with --env \(environment)")
        }
        if let environments = snapshot.environments, !environments.contains(environment) {
            throw SnapshotLoadError(path: "", reason: "environment '\(environment)' is not one of the snapshot's environments: \(environments.joined(separator: ", "))")
        }
    }

    /// `snapshot` prepared for this store's evaluations.
    package func compile(_ snapshot: Snapshot) -> CompiledSnapshot {
        CompiledSnapshot(snapshot, readsSmallStrings: readsSmallStrings)
    }

    /// Serves `compiled` and returns the snapshot it replaced, in one step (for `SnapshotFileWatcher`'s change reports).
    package func exchange(_ compiled: CompiledSnapshot) -> CompiledSnapshot {
        current.withLock { served in
            let old = served
            served = compiled
            servedGeneration.store(compiled.generation, ordering: .releasing)
            return old
        }
    }

    /// Loads a snapshot file and serves it; on any error (including a signature `signatureVerifier` refuses, or,
    /// with a verifier, a snapshot older than the served one) the current snapshot stays and the error is thrown.
    public func replace(contentsOfFile path: String) throws(SnapshotLoadError) {
        let loaded = try SnapshotLoader.read(contentsOfFile: path, verifier: signatureVerifier)
        do {
            try admit(loaded)
        } catch {
            throw SnapshotLoadError(path: path, reason: error.reason)
        }
        _ = exchange(compile(loaded.snapshot))
    }

    /// The keys of every flag in the snapshot, sorted.
    public var flagKeys: [String] { compiled.snapshot.flags.map(\.key) }

    /// The served snapshot, under the lock (for the paths that are not evaluations).
    var compiled: CompiledSnapshot { current.withLock { $0 } }

    /// Runs `body` on the served snapshot without locking (see `ThreadSnapshotCache`).
    @inline(__always)
    func withCompiled<Result>(_ body: (CompiledSnapshot) -> Result) -> Result {
        ThreadSnapshotCache.with(
            owner: ObjectIdentifier(self),
            generation: servedGeneration.load(ordering: .acquiring),
            load: { compiled },
            body
        )
    }

    // MARK: Typed evaluation

    /// The boolean value of a flag, or `default` when it is missing, disabled or not boolean.
    public func boolean(_ key: String, default defaultValue: Bool, context: EvaluationContext = .current) -> Bool {
        value(key, default: defaultValue, context: context)
    }

    /// The boolean value of a flag with the variant, reason, error and deciding rule.
    public func booleanDetails(_ key: String, default defaultValue: Bool, context: EvaluationContext = .current) -> EvaluationDetails<Bool> {
        evaluate(key, default: defaultValue, context: context)
    }

    /// The string value of a flag, or `default`.
    public func string(_ key: String, default defaultValue: String, context: EvaluationContext = .current) -> String {
        value(key, default: defaultValue, context: context)
    }

    /// The string value of a flag with details.
    public func stringDetails(_ key: String, default defaultValue: String, context: EvaluationContext = .current) -> EvaluationDetails<String> {
        evaluate(key, default: defaultValue, context: context)
    }

    /// The integer value of a flag, or `default`.
    public func integer(_ key: String, default defaultValue: Int64, context: EvaluationContext = .current) -> Int64 {
        value(key, default: defaultValue, context: context)
    }

    /// The integer value of a flag with details.
    public func integerDetails(_ key: String, default defaultValue: Int64, context: EvaluationContext = .current) -> EvaluationDetails<Int64> {
        evaluate(key, default: defaultValue, context: context)
    }

    /// The number value of a flag (integer flags convert), or `default`.
    public func number(_ key: String, default defaultValue: Double, context: EvaluationContext = .current) -> Double {
        value(key, default: defaultValue, context: context)
    }

    /// The number value of a flag (integer flags convert) with details.
    public func numberDetails(_ key: String, default defaultValue: Double, context: EvaluationContext = .current) -> EvaluationDetails<Double> {
        evaluate(key, default: defaultValue, context: context)
    }

    /// The object value of a flag, or `default`.
    public func object(_ key: String, default defaultValue: [String: JSONValue], context: EvaluationContext = .current) -> [String: JSONValue] {
        objectDetails(key, default: defaultValue, context: context).value
    }

    /// The object value of a flag with details.
    public func objectDetails(_ key: String, default defaultValue: [String: JSONValue], context: EvaluationContext = .current) -> EvaluationDetails<[String: JSONValue]> {
        evaluate(key, default: defaultValue, context: context)
    }

    /// The value of a flag whatever its type, with details; `value` is nil when the flag is missing or disabled.
    public func details(_ key: String, context: EvaluationContext = .current) -> EvaluationDetails<FlagValue?> {
        if let observation = observation.published {
            return observation._withUnsafeGuaranteedRef {
                observedDetails(key, at: nil, context: context, request: EvaluationRequest(accepts: nil, defaultValue: nil), observation: $0)
            }
        }
        return evaluate(key, default: nil, context: context) { $0 }
    }

    // MARK: Core

    /// A value forced for this task, else for this store (`FlagRuntimeTesting`'s overrides).
    @inline(__always)
    func forcedValue(_ key: String) -> FlagValue? {
        if let task = TaskForcedValues.active, let forced = task[key] { return forced }
        return forcedValues.value(for: key)
    }

    /// Whether any value is forced, for this task or on this store.
    @inline(__always)
    var hasForcedValues: Bool {
        TaskForcedValues.active != nil || !forcedValues.isEmpty
    }

    /// The key-based plain forms: `untypedValue`, the path of every plain form, read as `Value`.
    @inline(__always)
    private func value<Value: FlagValueConvertible>(_ key: String, default defaultValue: Value, context: EvaluationContext) -> Value {
        guard let value = untypedValue(key, context: context, accepts: EvaluationRequest.accepts(Value.self),
                                       request: { EvaluationRequest(default: defaultValue) }) else { return defaultValue }
        return Value(flagValue: value) ?? defaultValue
    }

    /// The key-based `…Details` forms. With hooks or observers registered they take the observed path (which
    /// handles handles too); otherwise the details are built typed, directly.
    @inline(__always)
    private func evaluate<Value: FlagValueConvertible>(_ key: String, default defaultValue: Value, context: EvaluationContext) -> EvaluationDetails<Value> {
        if let observation = observation.published {
            return observation._withUnsafeGuaranteedRef {
                observedDetails(key, at: nil, context: context, request: EvaluationRequest(default: defaultValue), observation: $0)
            }.typed(default: defaultValue)
        }
        return evaluate(key, default: defaultValue, context: context, extract: Value.init(flagValue:))
    }

    @inline(__always)
    private func evaluate<Value>(_ key: String, default defaultValue: Value, context: EvaluationContext, extract: (FlagValue) -> Value?) -> EvaluationDetails<Value> {
        if let forced = forcedValue(key) {
            if let value = extract(forced) {
                return EvaluationDetails(flagKey: key, value: value, variant: nil, reason: .override, flagMetadata: FlagMetadata())
            }
            return EvaluationDetails(flagKey: key, value: defaultValue, reason: .error, errorCode: .typeMismatch,
                                     errorMessage: Self.overrideMismatch(key, forced), flagMetadata: FlagMetadata())
        }
        return withCompiled { snapshot in evaluate(key, default: defaultValue, context: context, in: snapshot, extract: extract) }
    }

    /// The message of a forced value of another type than asked for.
    static func overrideMismatch(_ key: String, _ forced: FlagValue) -> String {
        "the override of '\(key)' is a \(forced.type.rawValue) value"
    }

    /// The message of a flag that is not in `snapshot`.
    static func notFound(_ key: String, in snapshot: CompiledSnapshot) -> String {
        "flag '\(key)' is not in snapshot \(snapshot.snapshot.id.prefix(12))"
    }

    /// The message of a flag whose values are of another type than asked for.
    static func typeMismatch(_ key: String, _ flag: CompiledFlag) -> String {
        "flag '\(key)' is a \(flag.flag.type.rawValue) flag"
    }

    private func evaluate<Value>(_ key: String, default defaultValue: Value, context: EvaluationContext, in snapshot: CompiledSnapshot, extract: (FlagValue) -> Value?) -> EvaluationDetails<Value> {
        guard let index = snapshot.index(of: key) else {
            count(snapshot, nil, Decision(variant: nil, reason: .error), accepted: true)
            return EvaluationDetails(flagKey: key, value: defaultValue, reason: .error, errorCode: .flagNotFound,
                                     errorMessage: Self.notFound(key, in: snapshot), flagMetadata: FlagMetadata())
        }
        return snapshot.withFlag(at: index) { flag in
            let decision = flag.decide(context, environment: environment, clock: clock)
            let details = details(key, decision, of: flag, default: defaultValue, extract: extract)
            count(snapshot, index, decision, accepted: details.errorCode != .typeMismatch)
            return details
        }
    }

    // MARK: Counting

    /// Counts this store's evaluations into `counts` from now on, instead of any counts given before.
    package func startCounting(into counts: EvaluationCounts) {
        counting.publish(counts)
    }

    /// Stops counting into `counts` (nothing happens if the store counts into others now).
    package func stopCounting(into counts: EvaluationCounts) {
        counting.withdraw(counts)
    }

    /// Counts an evaluation of the flag at `index` (nil: not in `snapshot`) when counting is on: one load and a
    /// branch when it is off. `accepted` false (the value cannot be read as the type asked for) counts an error.
    @inline(__always)
    func count(_ snapshot: CompiledSnapshot, _ index: Int?, _ decision: Decision, accepted: @autoclosure () -> Bool) {
        guard let counts = counting.counts else { return }
        counts._withUnsafeGuaranteedRef { counts in
            if accepted() {
                counts.count(flag: index, variant: decision.variant, reason: decision.reason, in: snapshot)
            } else {
                counts.count(flag: index, variant: nil, reason: .error, in: snapshot)
            }
        }
    }

    /// The details of `decision` for `flag`.
    func details<Value>(_ key: String, _ decision: Decision, of flag: CompiledFlag, default defaultValue: Value, extract: (FlagValue) -> Value?) -> EvaluationDetails<Value> {
        guard let variantIndex = decision.variant else {
            return EvaluationDetails(flagKey: key, value: defaultValue, reason: decision.reason, flagMetadata: flag.flag.metadata)
        }
        let variant = flag.flag.variants[variantIndex]
        guard let value = extract(variant.value) else {
            return EvaluationDetails(flagKey: key, value: defaultValue, reason: .error, errorCode: .typeMismatch,
                                     errorMessage: Self.typeMismatch(key, flag), flagMetadata: flag.flag.metadata)
        }
        let ruleName = decision.ruleIndex.flatMap { flag.flag.rules[$0].name }
        return EvaluationDetails(flagKey: key, value: value, variant: variant.name, reason: decision.reason,
                                 ruleIndex: decision.ruleIndex, ruleName: ruleName, flagMetadata: flag.flag.metadata)
    }
}

/// The source of "now" for rule windows and `before`/`after` conditions.
public protocol FlagClock: Sendable {
    /// The current time in Unix seconds.
    func now() -> Int64
}

/// The system's real-time clock.
public struct SystemClock: FlagClock {
    /// Creates the system clock.
    public init() {}

    /// The current time in Unix seconds.
    public func now() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec)
    }
}
