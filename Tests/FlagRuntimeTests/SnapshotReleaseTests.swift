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

    /// The compiled flags, rules and conditions are owned through unmanaged references (`OwnedObjects`): each is
    /// freed with the compiled snapshot, none earlier (evaluating after the lists are made still works).
    @Test func compiledObjectsAreFreedWithTheirSnapshot() throws {
        final class Weak {
            weak var object: AnyObject?
            init(_ object: AnyObject) { self.object = object }
        }
        var rng = SplitMix64(seed: 7)
        let snapshot = try SnapshotLoader.load(bytes: RandomSnapshot.make(&rng, flagCount: 300).jsonBytes())
        var objects: [Weak] = []
        var segmentChecks = 0
        do {
            let compiled = CompiledSnapshot(snapshot)
            func collect(_ check: Check) {
                objects.append(Weak(check))
                if let segments = check as? SegmentsCheck {
                    segmentChecks += 1
                    for nested in segments.checks.indices { collect(segments.checks[nested]) }
                }
            }
            for index in 0..<compiled.flagCount {
                compiled.withFlag(at: index) { flag in
                    objects.append(Weak(flag))
                    for rule in flag.rules.indices {
                        objects.append(Weak(flag.rules[rule]))
                        for condition in flag.rules[rule].conditions.indices {
                            collect(flag.rules[rule].conditions[condition])
                        }
                    }
                }
            }
            #expect(objects.allSatisfy { $0.object != nil }, "held while the compiled snapshot lives")
            for flag in snapshot.flags.prefix(50) {
                _ = compiled.withFlag(flag.key) { $0.decide(EvaluationContext(targetingKey: "user-1"), environment: nil, clock: SystemClock()) }
            }
        }
        #expect(objects.count > 1_000 && segmentChecks > 0, "the random snapshot has rules, conditions and segments")
        #expect(objects.allSatisfy { $0.object == nil }, "every flag, rule and condition is freed with the snapshot")
    }
}
