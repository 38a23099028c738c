@testable import FlagRuntime
import Testing

/// A replaced snapshot is freed once nothing uses it: a large one, by a thread of its own when an evaluating thread
/// held the last reference (so the first evaluation that sees the new snapshot does not pay for freeing the old).
@Suite struct SnapshotReleaseTests {
    static func snapshot(flags: Int, seed: UInt64) throws -> Snapshot {
        var rng = SplitMix64(seed: seed)
        return try SnapshotLoader.load(bytes: RandomSnapshot.make(&rng, flagCount: flags).jsonBytes())
    }

    @Test(arguments: [10, 1_200])
    func replacedSnapshotsAreFreed(flags: Int) async throws {
        let first = try Self.snapshot(flags: flags, seed: 1)
        let store = try FlagStore(snapshot: first)
        let key = try #require(first.flags.first?.key)
        weak var old = store.compiled
        _ = store.details(key)  // this thread's cache now holds the first snapshot
        try store.replace(with: Self.snapshot(flags: flags, seed: 2))
        #expect(old != nil, "the evaluating thread still holds it")
        _ = store.details(key)  // sees the new snapshot and gives up the old one
        #expect(store.snapshot.flags.count == flags)
        for _ in 0..<500 where old != nil {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(old == nil, "a replaced snapshot is freed")
    }
}
