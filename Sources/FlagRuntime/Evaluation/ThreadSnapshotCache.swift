import CFlagThreadSlots
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Numbers compiled snapshots, uniquely within the process (never 0, so 0 marks an empty cache entry).
enum SnapshotGeneration {
    private static let counter = Atomic<UInt64>(0)

    static func next() -> UInt64 {
        counter.add(1, ordering: .relaxed).newValue
    }
}

/// Each thread's references to the snapshots it evaluated last, keyed by generation, so that an evaluation
/// reads the served snapshot with one atomic load and no lock, retain or shared write: many threads evaluating
/// do not bounce a lock's or a reference count's cache line between cores.
///
/// A thread holds at most `capacity` snapshots (one per store it uses, the least recently filled entry giving
/// way); a replaced snapshot is released when each thread that used it evaluates that store again, or exits.
enum ThreadSnapshotCache {
    static let capacity = 4

    struct Entry {
        var generation: UInt64
        var owner: ObjectIdentifier?
        var snapshot: Unmanaged<CompiledSnapshot>?
    }

    /// The cache's per-thread storage: a nesting depth (evaluations inside a `FlagClock` that evaluates), the next
    /// entry to replace, and `capacity` entries.
    struct Storage {
        var depth: Int
        var next: Int
        let entries: UnsafeMutableBufferPointer<Entry>
    }

    /// Owns each thread's storage (its value) and frees it when the thread exits; evaluations find the storage
    /// through the thread's slot (`flagc_thread_slots`), which is cheaper than `pthread_getspecific`.
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        let status = pthread_key_create(&key, destroy)
        precondition(status == 0, "pthread_key_create failed (\(status))")
        return key
    }()

    #if canImport(Darwin)
    private static let destroy: @convention(c) (UnsafeMutableRawPointer) -> Void = { raw in release(raw) }
    #else
    private static let destroy: @convention(c) (UnsafeMutableRawPointer?) -> Void = { raw in raw.map(release) }
    #endif

    private static func release(_ raw: UnsafeMutableRawPointer) {
        // Destructors run on the exiting thread: an evaluation in a later destructor makes new storage.
        if flagc_thread_slots().pointee.snapshot_cache == raw { flagc_thread_slots().pointee.snapshot_cache = nil }
        let storage = raw.assumingMemoryBound(to: Storage.self)
        let entries = storage.pointee.entries
        for entry in entries { entry.snapshot?.release() }
        entries.deinitialize()
        entries.deallocate()
        storage.deinitialize(count: 1)
        storage.deallocate()
    }

    @inline(__always)
    private static var storage: UnsafeMutablePointer<Storage> {
        if let raw = flagc_thread_slots().pointee.snapshot_cache { return raw.assumingMemoryBound(to: Storage.self) }
        return makeStorage()
    }

    private static func makeStorage() -> UnsafeMutablePointer<Storage> {
        let entries = UnsafeMutableBufferPointer<Entry>.allocate(capacity: capacity)
        entries.initialize(repeating: Entry(generation: 0, owner: nil, snapshot: nil))
        let storage = UnsafeMutablePointer<Storage>.allocate(capacity: 1)
        storage.initialize(to: Storage(depth: 0, next: 0, entries: entries))
        pthread_setspecific(key, storage)
        flagc_thread_slots().pointee.snapshot_cache = UnsafeMutableRawPointer(storage)
        return storage
    }

    /// Runs `body` on the snapshot `store` serves: the cached one when its generation is `generation`, otherwise
    /// the one `load` returns (which is then cached, replacing the store's previous entry).
    @inline(__always)
    static func with<Result>(
        owner: ObjectIdentifier, generation: UInt64, load: () -> CompiledSnapshot, _ body: (CompiledSnapshot) -> Result
    ) -> Result {
        let storage = self.storage
        let entries = storage.pointee.entries
        var hit: Unmanaged<CompiledSnapshot>?
        for index in 0..<capacity where entries[index].generation == generation {
            hit = entries[index].snapshot
            break
        }
        if let hit {
            storage.pointee.depth += 1
            defer { storage.pointee.depth -= 1 }
            return hit._withUnsafeGuaranteedRef(body)
        }
        let loaded = load()
        if storage.pointee.depth == 0 { insert(loaded, owner: owner, into: storage) }
        return body(loaded)
    }

    private static func insert(_ snapshot: CompiledSnapshot, owner: ObjectIdentifier, into storage: UnsafeMutablePointer<Storage>) {
        let entries = storage.pointee.entries
        let next = storage.pointee.next
        let index = entries.firstIndex { $0.owner == owner } ?? entries.firstIndex { $0.owner == nil } ?? next
        if index == next { storage.pointee.next = (next + 1) % capacity }
        if let replaced = entries[index].snapshot { drop(replaced) }
        entries[index] = Entry(generation: snapshot.generation, owner: owner, snapshot: .passRetained(snapshot))
    }

    /// The number of flags from which a snapshot this cache holds the last reference to is freed on a thread of its
    /// own (freeing 10,000 flags takes milliseconds; starting a thread, tens of microseconds).
    static let backgroundFreeThreshold = 1_000

    /// Gives up the cache's reference to a snapshot the store no longer serves. When it is the last one, as it is
    /// when the store has moved on, a large snapshot is freed on a thread of its own: otherwise the first
    /// evaluation that sees a new snapshot would also pay for freeing the old one.
    private static func drop(_ replaced: Unmanaged<CompiledSnapshot>) {
        var snapshot = replaced.takeRetainedValue()
        guard isKnownUniquelyReferenced(&snapshot), snapshot.flagCount >= backgroundFreeThreshold else { return }
        // The thread empties the box itself: whichever thread releases the closure last then frees only the box.
        let retired = Retired(consume snapshot)
        _ = BackgroundThread.detach { retired.snapshot = nil }  // without a thread, freed here after all
    }

    /// A snapshot handed to the thread that frees it: set before `pthread_create`, which orders it before the new
    /// thread's write, and touched by no other thread after (so `@unchecked Sendable` needs no lock).
    private final class Retired: @unchecked Sendable {
        var snapshot: CompiledSnapshot?

        init(_ snapshot: consuming CompiledSnapshot) {
            self.snapshot = snapshot
        }
    }
}
