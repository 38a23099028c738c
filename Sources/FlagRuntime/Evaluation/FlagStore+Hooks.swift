/// Hooks and observers: registration, and the path evaluations take when any are registered. Every entry point
/// reaches `observedValue` or `observedDetails` from `untypedValue`, `untypedDetails` or the key-based `…Details`
/// forms, after one load of `observation` (nil when nothing is registered: the unobserved path is unchanged).
extension FlagStore {
    /// Registers `hook` to run around every evaluation of this store, after the hooks registered before it (see
    /// `FlagHook` for the order). `hints` are passed to each of its stages.
    @discardableResult
    public func addHook(_ hook: any FlagHook, hints: HookHints = [:]) -> HookRegistration {
        HookRegistration(id: observation.add(hook, hints: hints))
    }

    /// Removes a hook `addHook(_:hints:)` registered; evaluations already running may still call it once.
    public func removeHook(_ registration: HookRegistration) {
        observation.remove(registration.id)
    }

    /// Registers `observer` to be told about every evaluation resolved from the snapshot; returns its id for
    /// `removeObserver(_:)`.
    package func addObserver(_ observer: any EvaluationObserver) -> UInt64 {
        observation.add(observer)
    }

    /// Removes an observer `addObserver(_:)` registered.
    package func removeObserver(_ id: UInt64) {
        observation.remove(id)
    }

    /// `untypedValue` with hooks or observers registered.
    @inline(never)
    func observedValue(_ key: String, at location: FlagLocationCache?, context: EvaluationContext, request: EvaluationRequest,
                       observation: StoreObservation) -> FlagValue? {
        guard !observation.hasHooks else {
            return observedDetails(key, at: location, context: context, request: request, observation: observation).value
        }
        // Observers only: no details are built.
        if let forced = forcedValue(key) { return Self.accepts(forced, as: request.accepts) ? forced : nil }
        return resolve(key, at: location, context: context, accepts: request.accepts, observation: observation) { _, flag, resolution in
            resolution.decision.variant.map { flag!.value(at: $0) }
        }
    }

    /// `untypedDetails` (and the key-based `…Details` forms) with hooks or observers registered: runs the hooks'
    /// stages around the evaluation. The value is nil for the caller's default.
    @inline(never)
    func observedDetails(_ key: String, at location: FlagLocationCache?, context: EvaluationContext, request: EvaluationRequest,
                         observation: StoreObservation) -> EvaluationDetails<FlagValue?> {
        guard observation.hasHooks else {
            return resolveDetails(key, at: location, context: context, accepts: request.accepts, observation: observation)
        }
        let hooks = observation.hooks
        var hook = HookContext(flagKey: key, valueType: request.defaultValue?.type, defaultValue: request.defaultValue,
                               evaluationContext: context, providerMetadata: .flagc)
        var details: EvaluationDetails<FlagValue?>
        do {
            for registered in hooks {
                if let replaced = try registered.hook.before(hook, hints: registered.hints) { hook.evaluationContext = replaced }
            }
            details = resolveDetails(key, at: location, context: hook.evaluationContext, accepts: request.accepts, observation: observation)
            if details.reason == .error {
                let error = FlagEvaluationError(code: details.errorCode ?? .general, message: details.errorMessage)
                for registered in hooks.reversed() { registered.hook.error(hook, error: error, hints: registered.hints) }
            } else {
                for registered in hooks.reversed() { try registered.hook.after(hook, details: details, hints: registered.hints) }
            }
        } catch {
            details = EvaluationDetails(flagKey: key, value: nil, reason: .error, errorCode: .general,
                                        errorMessage: "a hook of flag '\(key)' threw: \(error)", flagMetadata: FlagMetadata())
            for registered in hooks.reversed() { registered.hook.error(hook, error: error, hints: registered.hints) }
        }
        for registered in hooks.reversed() { registered.hook.finally(hook, details: details, hints: registered.hints) }
        return details
    }

    /// The details of evaluating `key` for `context`, observers told.
    private func resolveDetails(_ key: String, at location: FlagLocationCache?, context: EvaluationContext,
                                accepts: ((FlagValue) -> Bool)?, observation: StoreObservation) -> EvaluationDetails<FlagValue?> {
        if let forced = forcedValue(key) {
            guard Self.accepts(forced, as: accepts) else {
                return EvaluationDetails(flagKey: key, value: nil, reason: .error, errorCode: .typeMismatch,
                                         errorMessage: Self.overrideMismatch(key, forced), flagMetadata: FlagMetadata())
            }
            return EvaluationDetails(flagKey: key, value: forced, variant: nil, reason: .override, flagMetadata: FlagMetadata())
        }
        return resolve(key, at: location, context: context, accepts: accepts, observation: observation) { snapshot, flag, resolution in
            guard let flag else {
                return EvaluationDetails(flagKey: key, value: nil, reason: .error, errorCode: .flagNotFound,
                                         errorMessage: Self.notFound(key, in: snapshot), flagMetadata: FlagMetadata())
            }
            if resolution.errorCode == .typeMismatch {
                return EvaluationDetails(flagKey: key, value: nil, reason: .error, errorCode: .typeMismatch,
                                         errorMessage: Self.typeMismatch(key, flag), flagMetadata: flag.flag.metadata)
            }
            return details(key, resolution.decision, of: flag, default: nil) { $0 }
        }
    }

    /// Decides `key` for `context` in the served snapshot, checks the value can be read as the type asked for, tells the observers,
    /// then gives `result` the snapshot, the flag (nil when missing) and what was decided.
    @inline(__always)
    private func resolve<Result>(_ key: String, at location: FlagLocationCache?, context: EvaluationContext,
                                 accepts: ((FlagValue) -> Bool)?, observation: StoreObservation,
                                 _ result: (CompiledSnapshot, CompiledFlag?, Resolution) -> Result) -> Result {
        withCompiled { snapshot in
            guard let index = index(of: key, at: location, in: snapshot) else {
                let resolution = Resolution(decision: Decision(variant: nil, reason: .error), errorCode: .flagNotFound)
                count(snapshot, nil, resolution.decision, accepted: true)
                notify(observation, key, context, snapshot, nil, resolution)
                return result(snapshot, nil, resolution)
            }
            return snapshot.withFlag(at: index) { flag in
                var resolution = Resolution(decision: flag.decide(context, environment: environment, clock: clock), errorCode: nil)
                if let variant = resolution.decision.variant, !Self.accepts(flag.value(at: variant), as: accepts) {
                    resolution = Resolution(decision: Decision(variant: nil, reason: .error), errorCode: .typeMismatch)
                }
                count(snapshot, index, resolution.decision, accepted: true)
                notify(observation, key, context, snapshot, index, resolution)
                return result(snapshot, flag, resolution)
            }
        }
    }

    @inline(__always)
    private func notify(_ observation: StoreObservation, _ key: String, _ context: EvaluationContext, _ snapshot: CompiledSnapshot,
                        _ index: Int?, _ resolution: Resolution) {
        withUnsafePointer(to: key) { key in
            withUnsafePointer(to: context) { context in
                let evaluation = ObservedEvaluation(key: key, context: context, snapshot: snapshot, store: self, flagIndex: index,
                                                    variantIndex: resolution.decision.variant, reason: resolution.decision.reason,
                                                    errorCode: resolution.errorCode)
                let observers = observation.observers
                for index in observers.indices { observers[index].observer.observe(evaluation) }
            }
        }
    }

    /// Whether `value` can be read as the type asked for (any type when `accepts` is nil).
    @inline(__always)
    static func accepts(_ value: FlagValue, as accepts: ((FlagValue) -> Bool)?) -> Bool {
        accepts?(value) ?? true
    }
}

/// A decision with the error that replaced it (a missing flag, a value of another type).
struct Resolution {
    var decision: Decision
    var errorCode: EvaluationErrorCode?
}
