import CFlagThreadSlots
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A store's evaluation counts by flag, variant and reason, kept per thread: what `FlagObservability`'s
/// `UsageMetrics` flushes to swift-metrics.
///
/// Counting is part of the evaluation path itself (`FlagStore.count(_:_:_:accepted:)`), not an observer: the
/// decision's indices are counted where they are computed, so an evaluation pays a load of its thread's slot
/// (`flagc_thread_slots`, the table it counted into last), two compares and a probe of that `CounterTable` (no
/// lock, no shared write, no allocation once the thread has seen the snapshot's flags). Each thread's table is
/// owned through a thread-specific key of these counts; the slot is a shortcut to it, and a thread counting for
/// several stores finds the others' tables through their keys.
package final class EvaluationCounts: Sendable {
    /// A new thread's first table: room for 64 (flag, variant, reason) combinations before it grows.
    static let initialCapacity = 128

    /// Numbers counts uniquely in the process, so that a table in a thread's slot is never taken for another
    /// counts' (an object's address can be reused; a serial is not).
    private static let serials = Atomic<UInt64>(0)
    /// These counts' serial: their tables' `owner`.
    private let serial = EvaluationCounts.serials.add(1, ordering: .relaxed).newValue

    /// Every live table, the retired ones until their last drain.
    private let tables = Mutex<[CounterTable]>([])
    /// Each thread's table, retained (`Unmanaged`); released when the thread exits.
    private let key: pthread_key_t

    package init() {
        var key = pthread_key_t()
        let status = pthread_key_create(&key, EvaluationCounts.threadExited)
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
        // The destructor runs on the exiting thread, whose slot must not keep pointing at the table.
        if flagc_thread_slots().pointee.counter_table == raw { flagc_thread_slots().pointee.counter_table = nil }
        let table = Unmanaged<CounterTable>.fromOpaque(raw).takeRetainedValue()
        table.retired.store(true, ordering: .releasing)
    }

    /// Counts one evaluation of the flag at `flag` in `snapshot` (nil: not in it) that served `variant` (nil: the
    /// caller's default) for `reason`.
    @inline(__always)
    func count(flag: Int?, variant: Int?, reason: EvaluationReason, in snapshot: CompiledSnapshot) {
        let cell = CounterTable.key(flag: flag, variant: variant, reason: reason)
        if let raw = flagc_thread_slots().pointee.counter_table {
            let counted = Unmanaged<CounterTable>.fromOpaque(raw)._withUnsafeGuaranteedRef { table in
                table.owner == serial && table.snapshotIdentity == ObjectIdentifier(snapshot) && table.increment(cell)
            }
            if counted { return }
        }
        count(cell, in: snapshot)
    }

    /// The slow path: the thread's slot holds another counts' table (the thread counts for several stores), or
    /// this thread has no table of these counts yet, or its table is for another snapshot, or full.
    @inline(never)
    private func count(_ cell: UInt64, in snapshot: CompiledSnapshot) {
        let owned = pthread_getspecific(key)
        if let owned {
            let counted = Unmanaged<CounterTable>.fromOpaque(owned)._withUnsafeGuaranteedRef { table in
                table.snapshotIdentity == ObjectIdentifier(snapshot) && table.increment(cell)
            }
            if counted {
                flagc_thread_slots().pointee.counter_table = owned
                return
            }
        }
        let old = owned.map { Unmanaged<CounterTable>.fromOpaque($0) }
        let capacity = old.map { $0._withUnsafeGuaranteedRef { $0.snapshotIdentity == ObjectIdentifier(snapshot) ? $0.capacity * 4 : $0.capacity } }
        let table = CounterTable(snapshot: snapshot, capacity: capacity ?? Self.initialCapacity, owner: serial)
        _ = table.increment(cell)
        tables.withLock { $0.append(table) }
        let raw = Unmanaged.passRetained(table).toOpaque()
        pthread_setspecific(key, raw)
        flagc_thread_slots().pointee.counter_table = raw
        if let old {
            old._withUnsafeGuaranteedRef { $0.retired.store(true, ordering: .releasing) }
            old.release()
        }
    }

    /// Calls `body` with each table, each cell key and the count added since the last drain, then drops the tables
    /// retired before this drain began (their last counts included). Drains run one at a time.
    package func drain(_ body: (CounterTable, UInt64, UInt64) -> Void) {
        tables.withLock { tables in
            var kept: [CounterTable] = []
            for table in tables {
                let retired = table.retired.load(ordering: .acquiring)
                table.drain { cell, delta in body(table, cell, delta) }
                if !retired { kept.append(table) }
            }
            tables = kept
        }
    }
}

/// Where a store publishes the `EvaluationCounts` it counts into: with none, an evaluation pays one load of a word
/// that is nil and a branch.
///
/// Readers use the published object without retaining it, which is sound because the slot keeps every object it
/// published until the store goes away (counting is started once or twice in a store's life).
final class CountingSlot: Sendable {
    private let current = Atomic<Unmanaged<EvaluationCounts>?>(nil)
    private let published = Mutex<[EvaluationCounts]>([])

    init() {}

    /// The counts evaluations go to, or nil.
    @inline(__always)
    var counts: Unmanaged<EvaluationCounts>? {
        current.load(ordering: .acquiring)
    }

    /// Counts evaluations into `counts` from now on (nil: stops counting).
    func publish(_ counts: EvaluationCounts?) {
        published.withLock { published in
            if let counts { published.append(counts) }
            current.store(counts.map { Unmanaged.passUnretained($0) }, ordering: .releasing)
        }
    }

    /// Stops counting into `counts` if it is the one counted into.
    func withdraw(_ counts: EvaluationCounts) {
        published.withLock { _ in
            if current.load(ordering: .relaxed)?.toOpaque() == Unmanaged.passUnretained(counts).toOpaque() {
                current.store(nil, ordering: .releasing)
            }
        }
    }
}
