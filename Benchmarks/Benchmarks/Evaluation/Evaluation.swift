import Benchmark
import FlagFixtures
import FlagRuntime
import Foundation
import Synchronization

// Per-evaluation benchmarks: each iteration runs 1,000 evaluations (`scalingFactor: .kilo`), so the
// per-iteration figures divided by 1,000 (what the plugin prints with `--scale`) are per evaluation.
// The store serves 10,000 generated flags plus the `bench.*` flags of `FlagFixtures.benchFile`.

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .mallocCountTotal],
        scalingFactor: .kilo,
        maxDuration: .seconds(2),
        thresholds: [
            .wallClock: .init(relative: [.p50: 25], absolute: [:]),
            .mallocCountTotal: .init(relative: [.p50: 0], absolute: [.p50: 0]),
        ]
    )

    let store = EvaluationFixtures.store
    let context = FlagFixtures.context

    Benchmark("static boolean") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(store.boolean("bench.static", default: false, context: context))
        }
    }
    // The same flags through handles (`FlagHandle`): found once, no key hashing or lookup per call.
    let staticHandle = FlagHandle<Bool>("bench.static", default: false)
    let targetedHandle = FlagHandle<Bool>("bench.targeted", default: false)
    Benchmark("static boolean through a handle") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(store.isEnabled(staticHandle, context: context))
        }
    }
    Benchmark("static boolean through a handle, generic value(_:)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(store.value(staticHandle, context: context))
        }
    }
    Benchmark("5-rule targeting through a handle") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(store.value(targetedHandle, context: context))
        }
    }
    // Leaving the context out reads `EvaluationContext.current`, the task-local that request middleware binds.
    Benchmark("static boolean through a handle, context from the task (none bound)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(store.isEnabled(staticHandle))
        }
    }
    Benchmark("static boolean through a handle, context from the task (bound)") { benchmark in
        EvaluationContext.with(context) {
            for _ in benchmark.scaledIterations {
                blackHole(store.isEnabled(staticHandle))
            }
        }
    }
    Benchmark("5-rule targeting through a handle, context from the task (bound)") { benchmark in
        EvaluationContext.with(context) {
            for _ in benchmark.scaledIterations {
                blackHole(store.value(targetedHandle))
            }
        }
    }
    Benchmark("5-rule targeting (5th matches)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(store.boolean("bench.targeted", default: false, context: context))
        }
    }
    Benchmark("4-way split") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(store.string("bench.split", default: "none", context: context))
        }
    }
    Benchmark("rollout") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(store.boolean("bench.rollout", default: false, context: context))
        }
    }
    Benchmark("segment match") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(store.boolean("bench.segment", default: false, context: context))
        }
    }
    Benchmark("unknown flag") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(store.boolean("bench.missing", default: false, context: context))
        }
    }
    Benchmark("type mismatch") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(store.string("bench.static", default: "none", context: context))
        }
    }

    // Two threads evaluate (the measured benchmark thread and a background one) while a third keeps swapping
    // the snapshot with `replace(with:)`. Only wall clock: the allocation counter is process-wide, so it would
    // count the swapper building each `CompiledSnapshot`.
    let contention = Contention(store: EvaluationFixtures.contentionStore, snapshots: EvaluationFixtures.contentionSnapshots)
    Benchmark(
        "5-rule targeting under contention (2 evaluating, 1 swapping)",
        configuration: .init(metrics: [.wallClock], scalingFactor: .kilo, maxDuration: .seconds(2),
                             thresholds: [.wallClock: .init(relative: [.p50: 50], absolute: [:])]),
        closure: { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(contention.store.boolean("bench.targeted", default: false, context: context))
            }
        },
        setup: { contention.start() },
        teardown: { contention.stop() }
    )
}

enum EvaluationFixtures {
    /// 10,000 generated flags plus the benchmark flags.
    static let snapshot = FlagFixtures.snapshot(flags: 10_000, extra: [FlagFixtures.benchFile])
    static let store = try! FlagStore(snapshot: snapshot, environment: "production")

    /// Two different snapshots (1,000 generated flags plus the benchmark flags, and the same with 1,001) to swap between.
    static let contentionSnapshots = [
        FlagFixtures.snapshot(flags: 1_000, extra: [FlagFixtures.benchFile]),
        FlagFixtures.snapshot(flags: 1_001, extra: [FlagFixtures.benchFile]),
    ]
    static let contentionStore = try! FlagStore(snapshot: contentionSnapshots[0], environment: "production")
}

/// The background evaluator and swapper threads of the contention benchmark.
final class Contention: Sendable {
    let store: FlagStore
    let snapshots: [Snapshot]
    let running = Atomic<Bool>(false)
    let swaps = Atomic<Int>(0)
    let threads = Atomic<Int>(0)

    init(store: FlagStore, snapshots: [Snapshot]) {
        self.store = store
        self.snapshots = snapshots
    }

    func start() {
        running.store(true, ordering: .sequentiallyConsistent)
        let context = FlagFixtures.context
        let evaluator = Thread { [self] in
            while running.load(ordering: .relaxed) {
                for _ in 0..<1_000 { blackHole(store.boolean("bench.targeted", default: false, context: context)) }
            }
            threads.add(1, ordering: .sequentiallyConsistent)
        }
        let swapper = Thread { [self] in
            var index = 0
            while running.load(ordering: .relaxed) {
                index ^= 1
                try! store.replace(with: snapshots[index])
                swaps.add(1, ordering: .relaxed)
            }
            threads.add(1, ordering: .sequentiallyConsistent)
        }
        evaluator.start()
        swapper.start()
    }

    func stop() {
        running.store(false, ordering: .sequentiallyConsistent)
        while threads.load(ordering: .sequentiallyConsistent) < 2 { usleep(1_000) }
        threads.store(0, ordering: .sequentiallyConsistent)
    }
}
