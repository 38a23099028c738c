/// A snapshot prepared for evaluation: flags in a byte-keyed hash table, variants by index, lists as tables,
/// conditions as objects reading numbered attribute slots, split weights as cumulative bounds. Immutable once
/// built, so any number of threads read it.
package final class CompiledSnapshot: Sendable {
    package let snapshot: Snapshot
    /// Unique among every snapshot compiled in the process (see `FlagStore`'s per-thread cache).
    package let generation: UInt64
    private let keys: ByteStringTable
    /// The flags by key index, looked up during evaluation without reference counting.
    private let flags: OwnedObjects<CompiledFlag>

    /// Compiles `snapshot` (which must be valid: `SnapshotValidation`).
    ///
    /// `readsSmallStrings` is the one switch of the small-string fast path (`ShortKey`): off, every key and
    /// attribute name is found by its bytes; the conformance suites run both ways.
    package init(_ snapshot: Snapshot, readsSmallStrings: Bool = ShortKey.smallStringLayoutHolds) {
        self.snapshot = snapshot
        generation = SnapshotGeneration.next()
        // Flags are read in place, through the buffer: iterating, and even `snapshot.flags[index]`, copied each flag,
        // retaining and releasing all of its fields.
        let (keys, flags) = snapshot.flags.withUnsafeBufferPointer { flags in
            let keys = ByteStringTable(flags.indices.map { flags[$0].key }, readsSmallStrings: readsSmallStrings)
            var byIndex = [CompiledFlag?](repeating: nil, count: keys.count)
            for position in flags.indices {
                if let index = keys.index(of: flags[position].key), byIndex[index] == nil {
                    byIndex[index] = CompiledFlag(flags[position], readsSmallStrings: readsSmallStrings)
                }
            }
            return (keys, byIndex)
        }
        self.keys = keys
        self.flags = OwnedObjects(flags) { $0! }
    }

    /// Runs `body` on the flag with this key (compared by UTF-8 bytes), or returns nil, without retaining the flag.
    @inline(__always)
    func withFlag<Result>(_ key: String, _ body: (CompiledFlag) -> Result) -> Result? {
        guard let index = keys.index(of: key) else { return nil }
        return flags.references[index]._withUnsafeGuaranteedRef(body)
    }

    /// The index of the flag with this key, for `withFlag(at:_:)` (a `FlagHandle` keeps it across evaluations).
    @inline(__always)
    func index(of key: String) -> Int? {
        keys.index(of: key)
    }

    /// Runs `body` on the flag at `index` (from `index(of:)` on this snapshot), without retaining it.
    @inline(__always)
    func withFlag<Result>(at index: Int, _ body: (CompiledFlag) -> Result) -> Result {
        flags.references[index]._withUnsafeGuaranteedRef(body)
    }

    /// How many flags the snapshot has.
    var flagCount: Int { flags.count }

    /// The key of the flag at `index` (for observers, which are told indices).
    package func flagKey(at index: Int) -> String {
        flags[index].flag.key
    }

    /// The name of variant `variant` of the flag at `index`.
    package func variantName(_ variant: Int, ofFlagAt index: Int) -> String {
        flags[index].flag.variants[variant].name
    }

    /// The flag with this key (compared by UTF-8 bytes).
    @inline(__always)
    func flag(_ key: String) -> CompiledFlag? {
        guard let index = keys.index(of: key) else { return nil }
        return flags[index]
    }
}
