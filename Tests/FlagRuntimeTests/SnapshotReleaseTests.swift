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

    /// Each flag is compiled on its first use (`LazyCompiledFlags`): threads that reach the flags of a new snapshot
    /// at the same time all get the one compiled form that was published, and it decides as a second use does.
    @Test func flagsCompiledByManyThreadsAtOnceServeOneForm() async throws {
        let snapshot = try Self.snapshot(flags: 400, seed: 11)
        let compiled = CompiledSnapshot(snapshot)
        let context = EvaluationContext(targetingKey: "user-7", attributes: ["plan": "pro"])
        let seen = await withTaskGroup(of: [ObjectIdentifier].self) { group in
            for _ in 0..<8 {
                group.addTask {
                    (0..<compiled.flagCount).map { index in compiled.withFlag(at: index) { ObjectIdentifier($0) } }
                }
            }
            return await group.reduce(into: [[ObjectIdentifier]]()) { $0.append($1) }
        }
        #expect(seen.count == 8 && seen.allSatisfy { $0 == seen[0] }, "every thread got the published flag")
        for (index, flag) in snapshot.flags.enumerated() {
            #expect(compiled.flagKey(at: index) == flag.key)
            let first = compiled.withFlag(flag.key) { $0.decide(context, environment: nil, clock: SystemClock()) }
            let again = compiled.withFlag(at: index) { $0.decide(context, environment: nil, clock: SystemClock()) }
            #expect(first?.variant == again.variant && first?.reason == again.reason && compiled.withFlag(at: index) { ObjectIdentifier($0) } == seen[0][index])
        }
    }
}
