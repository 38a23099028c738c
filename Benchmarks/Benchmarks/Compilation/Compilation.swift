import Benchmark
import FlagCompiler
import FlagFixtures
import Foundation

// Validate + compile generated flag folders (written once, in setup, to a temporary folder).

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .peakMemoryResident],
        maxDuration: .seconds(10),
        maxIterations: 20
    )

    for count in [1_000, 10_000] {
        let folder = CompilationFolder(flags: count)
        Benchmark(
            "compile \(count.formatted(.number.grouping(.automatic).locale(Locale(identifier: "en_US")))) flags",
            closure: { benchmark in
                for _ in benchmark.scaledIterations {
                    let result = try! FlagCompiler(options: .init(paths: [folder.path], now: FlagFixtures.now)).compile()
                    precondition(result.snapshot?.flags.count == count, "compile failed")
                    blackHole(result)
                }
            },
            setup: { try folder.create() },
            teardown: { folder.remove() }
        )
    }
}

/// A folder of generated flags that exists between a benchmark's setup and teardown.
final class CompilationFolder: @unchecked Sendable {
    let flags: Int
    private(set) var path = ""

    init(flags: Int) { self.flags = flags }

    func create() throws { path = try FlagGenerator.writeFolder(flags: flags) }
    func remove() { try? FileManager.default.removeItem(atPath: path) }
}
