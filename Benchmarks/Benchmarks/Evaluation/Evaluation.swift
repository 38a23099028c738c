import Benchmark
import FlagRuntime

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .mallocCountTotal], maxDuration: .seconds(2))
    Benchmark("static boolean") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(EvaluationFixtures.store.boolean("bench.static", default: false, context: EvaluationFixtures.context))
        }
    }
}

enum EvaluationFixtures {
    static let bool = [Variant(name: "true", value: .boolean(true)), Variant(name: "false", value: .boolean(false))]
    static let store = FlagStore(snapshot: Snapshot(id: Snapshot.contentID(environment: nil, flags: [Flag(key: "bench.static", type: .boolean, variants: bool, defaultVariant: "true")]), flags: [Flag(key: "bench.static", type: .boolean, variants: bool, defaultVariant: "true")]))
    static let context = EvaluationContext(targetingKey: "user-1")
}
