import Synchronization

/// A snapshot prepared for evaluation: flags in a byte-keyed hash table, variants by index, lists as tables,
/// conditions as objects reading numbered attribute slots, split weights as cumulative bounds. Immutable once
/// built, so any number of threads read it.
///
/// Each flag is compiled on its first use, not when the snapshot is: a reload then costs the key table, not the
/// compiled form of every flag (10,000 flags: about 70 M instructions and 100,000 allocations, most of them for
/// flags a service never reads before the next reload), and freeing a replaced snapshot frees only what was used.
package final class CompiledSnapshot: Sendable {
    package let snapshot: Snapshot
    /// Unique among every snapshot compiled in the process (see `FlagStore`'s per-thread cache).
    package let generation: UInt64
    private let keys: ByteStringTable
    /// The flags by key index (a key's index is its flag's position in `snapshot.flags`: keys are unique), each
    /// compiled on first use, looked up during evaluation without reference counting.
    private let flags: LazyCompiledFlags
    private let readsSmallStrings: Bool

    /// Prepares `snapshot` (which must be valid: `SnapshotValidation`): the key table now, each flag on its first use.
    ///
    /// `readsSmallStrings` is the one switch of the small-string fast path (`ShortKey`): off, every key and
    /// attribute name is found by its bytes; the conformance suites run both ways.
    package init(_ snapshot: Snapshot, readsSmallStrings: Bool = ShortKey.smallStringLayoutHolds) {
        self.snapshot = snapshot
        self.readsSmallStrings = readsSmallStrings
        generation = SnapshotGeneration.next()
        // Flags are read in place, through the buffer: iterating, and even `snapshot.flags[index]`, copied each flag,
        // retaining and releasing all of its fields.
        keys = snapshot.flags.withUnsafeBufferPointer { flags in
            ByteStringTable(flags.indices.map { flags[$0].key }, readsSmallStrings: readsSmallStrings)
        }
        precondition(keys.count == snapshot.flags.count, "a valid snapshot's flag keys are unique (SnapshotValidation)")
        flags = LazyCompiledFlags(count: keys.count)
    }

    /// The compiled flag at key index `index`, compiled now if no evaluation has needed it yet.
    @inline(__always)
    private func reference(at index: Int) -> Unmanaged<CompiledFlag> {
        flags.reference(at: index) ?? compileFlag(at: index)
    }

    /// Compiles the flag at key index `index` and publishes it; when another thread published it first, that one.
    @inline(never)
    private func compileFlag(at index: Int) -> Unmanaged<CompiledFlag> {
        let compiled = snapshot.flags.withUnsafeBufferPointer { CompiledFlag($0[index], readsSmallStrings: readsSmallStrings) }
        return flags.publish(compiled, at: index)
    }

    /// Runs `body` on the flag with this key (compared by UTF-8 bytes), or returns nil, without retaining the flag.
    @inline(__always)
    func withFlag<Result>(_ key: String, _ body: (CompiledFlag) -> Result) -> Result? {
        guard let index = keys.index(of: key) else { return nil }
        return reference(at: index)._withUnsafeGuaranteedRef(body)
    }

    /// The index of the flag with this key, for `withFlag(at:_:)` (a `FlagHandle` keeps it across evaluations).
    @inline(__always)
    func index(of key: String) -> Int? {
        keys.index(of: key)
    }

    /// Runs `body` on the flag at `index` (from `index(of:)` on this snapshot), without retaining it.
    @inline(__always)
    func withFlag<Result>(at index: Int, _ body: (CompiledFlag) -> Result) -> Result {
        reference(at: index)._withUnsafeGuaranteedRef(body)
    }

    /// How many flags the snapshot has.
    var flagCount: Int { flags.count }

    /// The key of the flag at `index` (for observers, which are told indices).
    package func flagKey(at index: Int) -> String {
        snapshot.flags[index].key
    }

    /// The name of variant `variant` of the flag at `index`.
    package func variantName(_ variant: Int, ofFlagAt index: Int) -> String {
        snapshot.flags[index].variants[variant].name
    }

    /// The flag with this key (compared by UTF-8 bytes).
    @inline(__always)
    func flag(_ key: String) -> CompiledFlag? {
        guard let index = keys.index(of: key) else { return nil }
        return reference(at: index).takeUnretainedValue()
    }
}

/// A snapshot's compiled flags, one slot per flag, each empty until the flag's first use and then holding one
/// retained reference, released with the list. Slots are read with one acquiring load (a plain load on x86 and
/// ARM64's `ldar`), so evaluation reads a published flag without locking or reference counting; two threads that
/// compile the same flag at once both build it, and the first to publish serves.
struct LazyCompiledFlags: ~Copyable {
    private let slots: UnsafeMutablePointer<Atomic<UnsafeRawPointer?>>
    /// The number of slots.
    let count: Int

    /// A list of `count` empty slots.
    init(count: Int) {
        self.count = count
        slots = .allocate(capacity: max(count, 1))
        for index in 0..<count {
            (slots + index).initialize(to: Atomic(nil))
        }
    }

    deinit {
        for index in 0..<count {
            if let published = slots[index].load(ordering: .acquiring) {
                Unmanaged<CompiledFlag>.fromOpaque(published).release()
            }
        }
        slots.deinitialize(count: count)
        slots.deallocate()
    }

    /// The flag published in slot `index`, or nil before its first use.
    @inline(__always)
    func reference(at index: Int) -> Unmanaged<CompiledFlag>? {
        precondition(index >= 0 && index < count, "flag index out of range")
        return slots[index].load(ordering: .acquiring).map { Unmanaged<CompiledFlag>.fromOpaque($0) }
    }

    /// Publishes `flag` in slot `index` unless a flag is there already; returns the one that serves.
    func publish(_ flag: CompiledFlag, at index: Int) -> Unmanaged<CompiledFlag> {
        let reference = Unmanaged.passRetained(flag)
        let (exchanged, original) = slots[index].compareExchange(
            expected: nil, desired: reference.toOpaque(), successOrdering: .acquiringAndReleasing, failureOrdering: .acquiring)
        if exchanged { return reference }
        reference.release()
        return Unmanaged<CompiledFlag>.fromOpaque(original!)
    }
}

// Slots are written once each (compare-and-exchange from empty) and released once, when the list ends.
extension LazyCompiledFlags: @unchecked Sendable {}
