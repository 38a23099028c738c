import Synchronization

/// One thread's evaluation counts for one snapshot: an open-addressing table from a packed (flag, variant, reason)
/// key to a count. Only the owning thread inserts and increments (a relaxed load and a relaxed store, no
/// read-modify-write); the flusher reads keys and counts concurrently and keeps what it flushed in `flushed`.
///
/// `@unchecked Sendable`: `keys` and `counts` are atomics; `used` is read and written only by the owning thread;
/// `flushed` only by the flusher, under `EvaluationCounts`' table lock. The buffers live as long as the table.
package final class CounterTable: @unchecked Sendable {
    /// The snapshot the indices in the keys refer to (kept alive until the table is flushed for the last time).
    package let snapshot: CompiledSnapshot
    /// `snapshot`'s identity, compared on every evaluation (reading `snapshot` would retain it).
    package let snapshotIdentity: ObjectIdentifier
    package let capacity: Int
    /// The serial of the `EvaluationCounts` whose table this is.
    package let owner: UInt64
    private let shift: UInt64
    /// 0 for an empty cell, else a key from `key(flag:variant:reason:)`.
    private let keys: UnsafeMutablePointer<Atomic<UInt64>>
    private let counts: UnsafeMutablePointer<Atomic<UInt64>>
    private var used = 0
    /// The counts at the last flush, per cell.
    private let flushed: UnsafeMutablePointer<UInt64>
    /// Set by the owning thread (release) after its last increment: the table was replaced, or the thread exited.
    package let retired = Atomic<Bool>(false)

    package init(snapshot: CompiledSnapshot, capacity: Int, owner: UInt64) {
        precondition(capacity > 1 && capacity & (capacity - 1) == 0, "the capacity is a power of two")
        self.snapshot = snapshot
        snapshotIdentity = ObjectIdentifier(snapshot)
        self.capacity = capacity
        self.owner = owner
        shift = UInt64(64 - capacity.trailingZeroBitCount)
        keys = .allocate(capacity: capacity)
        counts = .allocate(capacity: capacity)
        flushed = .allocate(capacity: capacity)
        for index in 0..<capacity {
            (keys + index).initialize(to: Atomic(0))
            (counts + index).initialize(to: Atomic(0))
            (flushed + index).initialize(to: 0)
        }
    }

    deinit {
        keys.deinitialize(count: capacity)
        keys.deallocate()
        counts.deinitialize(count: capacity)
        counts.deallocate()
        flushed.deallocate()
    }

    /// The cell key of an evaluation: bit 63 set (so never 0), the flag's index + 1 (0: not in the snapshot), the
    /// variant's index + 1 (0: the caller's default) and the reason.
    @inline(__always)
    package static func key(flag: Int?, variant: Int?, reason: EvaluationReason) -> UInt64 {
        let flagBits = UInt64(truncatingIfNeeded: (flag ?? -1) &+ 1) & 0x7F_FFFF_FFFF
        let variantBits = UInt64(truncatingIfNeeded: (variant ?? -1) &+ 1) & 0xFFFF
        return 1 << 63 | flagBits << 24 | variantBits << 8 | UInt64(reason.ordinal)
    }

    /// Counts one evaluation under `key`; false when the table is too full to take a new key (the caller replaces
    /// it with a larger one).
    @inline(__always)
    package func increment(_ key: UInt64) -> Bool {
        let mask = capacity - 1
        var slot = Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift)
        while true {
            let found = keys[slot].load(ordering: .relaxed)
            if found == key {
                counts[slot].store(counts[slot].load(ordering: .relaxed) &+ 1, ordering: .relaxed)
                return true
            }
            if found == 0 {
                guard used * 2 < capacity else { return false }
                used += 1
                counts[slot].store(1, ordering: .relaxed)
                keys[slot].store(key, ordering: .releasing)
                return true
            }
            slot = (slot + 1) & mask
        }
    }

    /// Calls `body` with each key and the count added since the last call (the flusher's side; under the registry
    /// lock).
    package func drain(_ body: (UInt64, UInt64) -> Void) {
        for index in 0..<capacity {
            let key = keys[index].load(ordering: .acquiring)
            guard key != 0 else { continue }
            let count = counts[index].load(ordering: .relaxed)
            let delta = count &- flushed[index]
            guard delta > 0 else { continue }
            flushed[index] = count
            body(key, delta)
        }
    }

    /// The flag (nil for a key the snapshot does not have), variant (empty for the caller's default) and reason
    /// names of a cell key.
    package func names(of key: UInt64) -> (flag: String?, variant: String, reason: String) {
        let flag = Int((key >> 24) & 0x7F_FFFF_FFFF) - 1
        let variant = Int((key >> 8) & 0xFFFF) - 1
        let reason = EvaluationReason.allCases[Int(key & 0xFF)]
        guard flag >= 0 else { return (nil, "", reason.rawValue) }
        return (snapshot.flagKey(at: flag), variant >= 0 ? snapshot.variantName(variant, ofFlagAt: flag) : "", reason.rawValue)
    }
}

extension EvaluationReason {
    /// The reason's position in `allCases`, for packing.
    @inline(__always)
    package var ordinal: Int {
        switch self {
        case .static: 0
        case .targetingMatch: 1
        case .split: 2
        case .default: 3
        case .disabled: 4
        case .error: 5
        case .override: 6
        }
    }
}
