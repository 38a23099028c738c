import Benchmark
import FlagFixtures
import FlagObservability
import FlagRuntime

// What observing evaluations costs: the same evaluations as the Evaluation target, each on a store of its own
// (10,000 generated flags plus the `bench.*` flags) with nothing, one hook that does nothing, usage metrics, or
// an exposure stream registered. Each iteration runs 1,000 evaluations; the figures are per evaluation.

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
    let context = FlagFixtures.context

    /// The three evaluations measured against each store.
    func measure(_ name: String, _ store: FlagStore) {
        let handle = FlagHandle<Bool>("bench.static", default: false)
        Benchmark("static boolean, \(name)") { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(store.boolean("bench.static", default: false, context: context))
            }
        }
        Benchmark("static boolean through a handle, \(name)") { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(store.isEnabled(handle, context: context))
            }
        }
        Benchmark("5-rule targeting, \(name)") { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(store.boolean("bench.targeted", default: false, context: context))
            }
        }
    }

    measure("nothing registered", ObservationFixtures.bare)
    measure("one no-op hook", ObservationFixtures.hooked)
    measure("usage metrics", ObservationFixtures.counted)
    measure("exposure events (buffer full, dropping)", ObservationFixtures.exposed)
    measure("exposure events sampled at 10 %", ObservationFixtures.sampled)
}

/// A hook with every stage left to the defaults, which do nothing.
struct NoOpHook: FlagHook {}

enum ObservationFixtures {
    static let snapshot = FlagFixtures.snapshot(flags: 10_000, extra: [FlagFixtures.benchFile])
    static func makeStore() -> FlagStore { try! FlagStore(snapshot: snapshot, environment: "production") }

    static let bare = makeStore()
    static let hooked: FlagStore = {
        let store = makeStore()
        store.addHook(NoOpHook())
        return store
    }()
    /// Usage metrics, never flushed during the run (with the default, no-op, metrics factory).
    static let usage = UsageMetrics(store: makeStore())
    static var counted: FlagStore { usage.store }
    /// An exposure stream nobody reads: after the first 1,024 events, every event is a drop.
    static let exposures = ExposureEvents(store: makeStore(), bufferSize: 1_024)
    static var exposed: FlagStore { exposures.store }
    /// An exposure stream sampling 10 % of targeting keys; the benchmark context's key ("user-424242") is not
    /// sampled, so this is the cost of the sampling decision.
    static let sampledExposures = ExposureEvents(store: makeStore(), bufferSize: 1_024, sampling: .fraction(0.1))
    static var sampled: FlagStore { sampledExposures.store }
}
