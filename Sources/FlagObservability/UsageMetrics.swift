import CoreMetrics
import FlagRuntime
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Counts a store's evaluations by flag, variant and reason, and reports them as swift-metrics counters.
///
/// Each thread counts into its own table (no lock, no shared write, no allocation once the thread has seen the
/// snapshot's flags); `flush()` adds what was counted since the last flush to one `Counter` per (flag, variant,
/// reason), labelled `flag_evaluations_total` with dimensions `flag`, `variant` (empty for the caller's default)
/// and `reason` (`STATIC`, `TARGETING_MATCH`, …). `run(every:)` flushes periodically:
///
/// ```swift
/// let usage = UsageMetrics(store: store)
/// try await withThrowingDiscardingTaskGroup { group in
///     group.addTask { await usage.run(every: .seconds(10)) }
///     // … the service
/// }
/// ```
///
/// Evaluations of a key the snapshot does not have are counted with flag `(unknown)` (the keys asked for are
/// unbounded; hooks and exposure events carry them). Values forced by test overrides are not counted.
public final class UsageMetrics: Sendable {
    /// The default label of the counters.
    public static let defaultLabel = "flag_evaluations_total"
    /// The `flag` dimension of evaluations of keys the snapshot does not have.
    public static let unknownFlag = "(unknown)"

    /// The counters' label.
    public let label: String
    private let counters: UsageCounters
    /// The store observed.
    public let store: FlagStore
    private let observerID: UInt64

    /// Starts counting `store`'s evaluations, reported through `factory` (the bootstrapped one by default).
    public init(store: FlagStore, label: String = UsageMetrics.defaultLabel, factory: any MetricsFactory = MetricsSystem.factory) {
        self.label = label
        self.store = store
        counters = UsageCounters(label: label, factory: factory)
        observerID = store.addObserver(counters)
    }

    deinit {
        store.removeObserver(observerID)
        counters.flush()
    }

    /// Adds the evaluations counted since the last flush to the counters.
    public func flush() {
        counters.flush()
    }

    /// Flushes every `interval` until the task is cancelled, then once more.
    public func run(every interval: Duration = .seconds(10)) async {
        while !Task.isCancelled {
            try? await Task.sleep(for: interval)
            flush()
        }
        flush()
    }
}

/// The observer behind `UsageMetrics`: per-thread `CounterTable`s found through a thread-specific key of its own.
final class UsageCounters: EvaluationObserver {
    private struct Registry {
        /// Every live table, the retired ones until their last flush.
        var tables: [CounterTable] = []
        var counters: [CounterName: Counter] = [:]
    }

    private struct CounterName: Hashable {
        let flag: String
        let variant: String
        let reason: String
    }

    /// A new thread's first table: room for 64 (flag, variant, reason) combinations before it grows.
    static let initialCapacity = 128

    private let label: String
    private let factory: any MetricsFactory
    private let registry = Mutex(Registry())
    /// Each thread's table for this observer, retained (`Unmanaged`); released when the thread exits.
    private let key: pthread_key_t

    init(label: String, factory: any MetricsFactory) {
        self.label = label
        self.factory = factory
        var key = pthread_key_t()
        let status = pthread_key_create(&key, UsageCounters.threadExited)
        precondition(status == 0, "pthread_key_create failed (\(status))")
        self.key = key
    }

    deinit {
        // Threads still running keep their table's reference (a few KB each); no destructor runs after this.
        pthread_key_delete(key)
    }

    #if canImport(Darwin)
    private static let threadExited: @convention(c) (UnsafeMutableRawPointer) -> Void = { raw in retire(raw) }
    #else
    private static let threadExited: @convention(c) (UnsafeMutableRawPointer?) -> Void = { raw in raw.map(retire) }
    #endif

    private static func retire(_ raw: UnsafeMutableRawPointer) {
        let table = Unmanaged<CounterTable>.fromOpaque(raw).takeRetainedValue()
        table.retired.store(true, ordering: .releasing)
    }

    @inline(__always)
    func observe(_ evaluation: borrowing ObservedEvaluation) {
        let key = CounterTable.key(flag: evaluation.flagIndex, variant: evaluation.variantIndex, reason: evaluation.reason)
        if let raw = pthread_getspecific(self.key) {
            let counted = Unmanaged<CounterTable>.fromOpaque(raw)._withUnsafeGuaranteedRef { table in
                table.snapshotIdentity == evaluation.snapshotIdentity && table.increment(key)
            }
            if counted { return }
        }
        count(key, in: evaluation.snapshot)  // copying the snapshot reference out retains it: slow path only
    }

    /// The slow path: this thread has no table yet, or its table is for another snapshot, or full.
    @inline(never)
    private func count(_ key: UInt64, in snapshot: CompiledSnapshot) {
        let old = pthread_getspecific(self.key).map { Unmanaged<CounterTable>.fromOpaque($0) }
        let capacity = old.map { $0._withUnsafeGuaranteedRef { $0.snapshotIdentity == ObjectIdentifier(snapshot) ? $0.capacity * 4 : $0.capacity } }
        let table = CounterTable(snapshot: snapshot, capacity: capacity ?? Self.initialCapacity)
        _ = table.increment(key)
        registry.withLock { $0.tables.append(table) }
        pthread_setspecific(self.key, Unmanaged.passRetained(table).toOpaque())
        if let old {
            old._withUnsafeGuaranteedRef { $0.retired.store(true, ordering: .releasing) }
            old.release()
        }
    }

    /// Adds every table's new counts to the counters, and drops the retired tables once flushed.
    func flush() {
        registry.withLock { registry in
            var kept: [CounterTable] = []
            for table in registry.tables {
                let retired = table.retired.load(ordering: .acquiring)
                table.drain { key, delta in
                    let names = table.names(of: key)
                    let name = CounterName(flag: names.flag, variant: names.variant, reason: names.reason)
                    let counter = registry.counters[name] ?? {
                        let counter = Counter(label: label, dimensions: [("flag", name.flag), ("variant", name.variant), ("reason", name.reason)],
                                              factory: factory)
                        registry.counters[name] = counter
                        return counter
                    }()
                    counter.increment(by: Int64(truncatingIfNeeded: delta))
                }
                if !retired { kept.append(table) }
            }
            registry.tables = kept
        }
    }
}
