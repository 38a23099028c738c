import Benchmark
import FlagFixtures
import FlagRuntime

// Decoding and checking a 10,000-flag snapshot from bytes already in memory (`SnapshotLoader.load(bytes:)`),
// as `snapshot.bin` and as `snapshot.json`, and making a store of the decoded snapshot.

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .mallocCountTotal, .peakMemoryResident],
        maxDuration: .seconds(5),
        maxIterations: 200
    )

    Benchmark("load 10,000-flag snapshot.bin") { benchmark in
        let bytes = LoadingFixtures.binary
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(try! SnapshotLoader.load(bytes: bytes))
        }
    }
    Benchmark("load 100,000-flag snapshot.bin", configuration: .init(metrics: [.wallClock, .mallocCountTotal, .peakMemoryResident], maxDuration: .seconds(10), maxIterations: 30)) { benchmark in
        let bytes = LoadingFixtures.largeBinary
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(try! SnapshotLoader.load(bytes: bytes))
        }
    }
    // What a reload does after loading, through the public API: the store's form of a decoded snapshot (this also
    // validates it again, which a reload from a file does not).
    Benchmark("store from a loaded 10,000-flag snapshot") { benchmark in
        let snapshot = try! SnapshotLoader.load(bytes: LoadingFixtures.binary)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(try! FlagStore(snapshot: snapshot))
        }
    }
    Benchmark("load 10,000-flag snapshot.json") { benchmark in
        let bytes = LoadingFixtures.json
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(try! SnapshotLoader.load(bytes: bytes))
        }
    }
}

enum LoadingFixtures {
    static let snapshot = FlagFixtures.snapshot(flags: 10_000)
    static let binary = try! snapshot.binaryBytes()
    static let json = snapshot.jsonBytes()
    static let largeBinary = try! FlagFixtures.snapshot(flags: 100_000).binaryBytes()
}
