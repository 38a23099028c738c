@testable import FlagReload
import FlagRuntime
import Foundation
import Synchronization
import Testing

/// Evaluations running while the file is swapped many times never fail and never see a mixture of two snapshots.
@Suite(.timeLimit(.minutes(5)))
struct ConcurrentReloadTests {
    @Test func evaluationsDuringAThousandSwapsSeeWholeSnapshots() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.file("snapshot.json")
        try Files.writeAtomically(Snapshots.generation(0).jsonBytes(), to: path)
        let watcher = try SnapshotFileWatcher(path: path, options: WatchMode.events.options())
        let store = watcher.store
        let swaps = 1_000
        let finished = StopSignal()
        let contents = (1...swaps).map { Snapshots.generation($0).jsonBytes() }

        let watching = Task { await watcher.run() }
        let results = try await withThrowingTaskGroup(of: EvaluatorResult.self) { group in
            for evaluator in 0..<4 {
                group.addTask { await Self.evaluate(store, until: finished, evaluator: evaluator) }
            }
            // Swap the file 1,000 times; every tenth time wait until the store serves it, so that at least a
            // hundred reloads really happen under the evaluators.
            for generation in 1...swaps {
                try Files.writeAtomically(contents[generation - 1], to: path)
                if generation % 10 == 0 {
                    let served = await eventually { (Snapshots.servedGeneration(store) ?? -1) >= generation }
                    #expect(served, "generation \(generation) was not served")
                    if !served { break }
                }
            }
            finished.stop()
            var results: [EvaluatorResult] = []
            for try await result in group { results.append(result) }
            return results
        }
        watching.cancel()
        await watching.value

        #expect(Snapshots.servedGeneration(store) == swaps)
        for result in results {
            #expect(result.failures.isEmpty, "evaluator \(result.evaluator): \(result.failures.prefix(5))")
            #expect(result.evaluations > 100, "evaluator \(result.evaluator) evaluated only \(result.evaluations) times")
            #expect(result.generationsSeen > 10, "evaluator \(result.evaluator) saw only \(result.generationsSeen) generations")
        }
    }

    struct EvaluatorResult: Sendable {
        var evaluator: Int
        var evaluations = 0
        var generationsSeen = 0
        var failures: [String] = []
    }

    /// Evaluates `gen` and `stable` in a loop until `finished`, checking each answer is whole: the value, the
    /// variant name and the metadata all name the same generation, generations never go backwards, and no
    /// evaluation reports an error.
    /// (The tasks yield every 64 evaluations: the machine may have two cores, and the test's writer needs one.)
    static func evaluate(_ store: FlagStore, until finished: StopSignal, evaluator: Int) async -> EvaluatorResult {
        var result = EvaluatorResult(evaluator: evaluator)
        var last: Int64 = -1
        while !finished.isStopped || result.evaluations == 0 {
            if result.evaluations % 64 == 0 { await Task.yield() }
            let details = store.integerDetails("gen", default: -1)
            result.evaluations += 1
            let variant = "v\(details.value)"
            let metadata = details.flagMetadata.values["generation"]
            if details.reason != .static || details.errorCode != nil || details.variant != variant || metadata != .integer(details.value) {
                result.failures.append("gen = \(details.value), variant \(details.variant ?? "nil"), metadata \(String(describing: metadata)), reason \(details.reason), error \(String(describing: details.errorCode))")
            }
            if details.value < last { result.failures.append("went back from generation \(last) to \(details.value)") }
            if details.value != last { result.generationsSeen += 1 }
            last = details.value
            if store.boolean("stable", default: false) != true { result.failures.append("stable was not true") }
        }
        return result
    }
}

/// A flag the test sets once to stop the evaluators.
final class StopSignal: Sendable {
    private let stopped = Atomic<Bool>(false)
    var isStopped: Bool { stopped.load(ordering: .acquiring) }
    func stop() { stopped.store(true, ordering: .releasing) }
}
