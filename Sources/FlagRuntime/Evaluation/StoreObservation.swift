import Synchronization

/// Told about each evaluation a store resolves from its snapshot: the seam `FlagObservability` (usage metrics,
/// exposure events, span events) registers on, cheaper than a hook because it gets indices, not details.
///
/// Called on the evaluating thread after the decision (and the type check), without a lock and before any
/// hook's `after`. Not called for a value a test override forced, nor when a hook's `before` threw.
package protocol EvaluationObserver: AnyObject, Sendable {
    func observe(_ evaluation: borrowing ObservedEvaluation)
}

/// One evaluation, as an observer sees it: indices into the snapshot that decided, valid during the call only.
///
/// It holds its references unretained (pointers to the caller's key and context, the snapshot and the store
/// unmanaged): retaining four shared objects per evaluation cost more than the counting itself. Sound because it is
/// `~Copyable`, lent to observers for the length of the call, while the evaluation keeps all four alive.
package struct ObservedEvaluation: ~Copyable {
    private let keyAddress: UnsafePointer<String>
    private let contextAddress: UnsafePointer<EvaluationContext>
    private let unmanagedSnapshot: Unmanaged<CompiledSnapshot>
    private let unmanagedStore: Unmanaged<FlagStore>
    /// The identity of the snapshot that decided, to compare without retaining anything.
    package let snapshotIdentity: ObjectIdentifier
    /// The flag's index in `snapshot` (`CompiledSnapshot.flagKey(at:)`), nil when it has no such flag.
    package let flagIndex: Int?
    /// The variant served (`CompiledSnapshot.variantName(_:ofFlagAt:)`), nil for the caller's default.
    package let variantIndex: Int?
    package let reason: EvaluationReason
    package let errorCode: EvaluationErrorCode?

    init(key: UnsafePointer<String>, context: UnsafePointer<EvaluationContext>, snapshot: CompiledSnapshot, store: FlagStore,
         flagIndex: Int?, variantIndex: Int?, reason: EvaluationReason, errorCode: EvaluationErrorCode?) {
        keyAddress = key
        contextAddress = context
        unmanagedSnapshot = .passUnretained(snapshot)
        unmanagedStore = .passUnretained(store)
        snapshotIdentity = ObjectIdentifier(snapshot)
        self.flagIndex = flagIndex
        self.variantIndex = variantIndex
        self.reason = reason
        self.errorCode = errorCode
    }

    /// The key asked for.
    package var key: String { keyAddress.pointee }
    /// The context's targeting key (after any hook replaced the context).
    package var targetingKey: String? { contextAddress.pointee.targetingKey }
    /// The snapshot that decided.
    package var snapshot: CompiledSnapshot { unmanagedSnapshot.takeUnretainedValue() }
    /// "Now" by the store's clock.
    package func now() -> Int64 { unmanagedStore._withUnsafeGuaranteedRef { $0.clock.now() } }
}

/// The hooks and observers registered on a store at one moment. Immutable: a registration publishes a new one.
/// `@unchecked Sendable`: immutable after `init`; `observers` is written there only.
final class StoreObservation: @unchecked Sendable {
    struct Hook {
        let id: UInt64
        let hook: any FlagHook
        let hints: HookHints
    }

    struct Observer {
        let id: UInt64
        let observer: any EvaluationObserver
    }

    /// An observer referenced without reference counting (`registered` keeps it alive).
    struct UnretainedObserver {
        unowned(unsafe) let observer: any EvaluationObserver
    }

    let hooks: [Hook]
    let hasHooks: Bool
    /// Keeps the observers alive.
    private let registered: [any EvaluationObserver]
    /// The observers, in memory of their own and unretained, so that calling them retains neither an array nor an
    /// observer (an existential copied out of an array is retained and released per call).
    let observers: UnsafeMutableBufferPointer<UnretainedObserver>

    init(hooks: [Hook], observers: [Observer]) {
        self.hooks = hooks
        hasHooks = !hooks.isEmpty
        registered = observers.map(\.observer)
        self.observers = .allocate(capacity: observers.count)
        _ = self.observers.initialize(from: observers.lazy.map { UnretainedObserver(observer: $0.observer) })
    }

    deinit {
        observers.deinitialize()
        observers.deallocate()
    }
}

/// Where a store publishes its `StoreObservation`: with nothing registered, an evaluation pays one acquiring load
/// of a word that is nil (a plain load on x86-64) and a branch.
///
/// Readers use the published object without retaining it (a retain per evaluation would bounce its reference
/// count between cores). That is sound because the slot keeps every object it ever published until the store
/// goes away: an evaluation that loaded an older one can finish with it after a registration. Registrations are
/// rare (a handful when a service starts), so the objects kept are few.
final class ObservationSlot: Sendable {
    private struct Registry {
        var hooks: [StoreObservation.Hook] = []
        var observers: [StoreObservation.Observer] = []
        var nextID: UInt64 = 1
        /// Every object published, kept for readers that may still hold one.
        var published: [StoreObservation] = []
    }

    private let current = Atomic<Unmanaged<StoreObservation>?>(nil)
    private let registry = Mutex(Registry())

    init() {}

    /// The registered hooks and observers, or nil when there are none; valid while the store lives.
    @inline(__always)
    var published: Unmanaged<StoreObservation>? {
        current.load(ordering: .acquiring)
    }

    /// Whether anything is registered.
    var isEmpty: Bool { published == nil }

    func add(_ hook: any FlagHook, hints: HookHints) -> UInt64 {
        update { registry, id in registry.hooks.append(.init(id: id, hook: hook, hints: hints)) }
    }

    func add(_ observer: any EvaluationObserver) -> UInt64 {
        update { registry, id in registry.observers.append(.init(id: id, observer: observer)) }
    }

    func remove(_ id: UInt64) {
        let registered = registry.withLock { registry in
            registry.hooks.contains { $0.id == id } || registry.observers.contains { $0.id == id }
        }
        guard registered else { return }  // removed already: nothing to publish
        _ = update { registry, _ in
            registry.hooks.removeAll { $0.id == id }
            registry.observers.removeAll { $0.id == id }
        }
    }

    /// Applies `change` and publishes the result (nil when nothing is left); returns the id `change` was given.
    private func update(_ change: (inout Registry, UInt64) -> Void) -> UInt64 {
        registry.withLock { registry in
            let id = registry.nextID
            registry.nextID += 1
            change(&registry, id)
            if registry.hooks.isEmpty && registry.observers.isEmpty {
                current.store(nil, ordering: .releasing)
            } else {
                let observation = StoreObservation(hooks: registry.hooks, observers: registry.observers)
                registry.published.append(observation)
                current.store(Unmanaged.passUnretained(observation), ordering: .releasing)
            }
            return id
        }
    }
}
