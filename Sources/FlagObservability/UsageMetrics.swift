import CoreMetrics
import FlagRuntime
import Synchronization

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
///
/// The counting is done by the store's evaluation path itself (about 5 ns per evaluation; docs/performance.md), so a
/// store counts for one `UsageMetrics` at a time: creating a second one for the same store moves the counting to it.
public final class UsageMetrics: Sendable {
    /// The default label of the counters.
    public static let defaultLabel = "flag_evaluations_total"
    /// The `flag` dimension of evaluations of keys the snapshot does not have.
    public static let unknownFlag = "(unknown)"

    /// The counters' label.
    public let label: String
    private let counters: UsageCounters
    /// The store counted.
    public let store: FlagStore

    /// Starts counting `store`'s evaluations, reported through `factory` (the bootstrapped one by default).
    public init(store: FlagStore, label: String = UsageMetrics.defaultLabel, factory: any MetricsFactory = MetricsSystem.factory) {
        self.label = label
        self.store = store
        counters = UsageCounters(label: label, factory: factory)
        store.startCounting(into: counters.counts)
    }

    deinit {
        store.stopCounting(into: counters.counts)
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

/// The flusher behind `UsageMetrics`: the store counts into `counts` (per thread, on the evaluation path); a flush
/// adds what each thread counted since the last flush to one swift-metrics `Counter` per (flag, variant, reason).
final class UsageCounters: Sendable {
    private struct CounterName: Hashable {
        let flag: String
        let variant: String
        let reason: String
    }

    let counts = EvaluationCounts()
    private let label: String
    private let factory: any MetricsFactory
    private let counters = Mutex<[CounterName: Counter]>([:])

    init(label: String, factory: any MetricsFactory) {
        self.label = label
        self.factory = factory
    }

    /// Adds every thread's new counts to the counters (one flush at a time).
    func flush() {
        counters.withLock { counters in
            counts.drain { table, cell, delta in
                let names = table.names(of: cell)
                let name = CounterName(flag: names.flag ?? UsageMetrics.unknownFlag, variant: names.variant, reason: names.reason)
                let counter = counters[name] ?? {
                    let counter = Counter(label: label, dimensions: [("flag", name.flag), ("variant", name.variant), ("reason", name.reason)],
                                          factory: factory)
                    counters[name] = counter
                    return counter
                }()
                counter.increment(by: Int64(truncatingIfNeeded: delta))
            }
        }
    }
}
