@testable import FlagReload
import FlagRuntime
import FlagServiceLifecycle
import Foundation
import Logging
import ServiceLifecycle
import Testing

/// Start-up, change reports, metrics and logs, stopping, and the swift-service-lifecycle service.
@Suite(.timeLimit(.minutes(2)))
struct ReloadLifecycleTests {
    @Test func startingFromAMissingOrBadFileIsAnError() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.file("snapshot.json")
        let missing = #expect(throws: SnapshotLoadError.self) { try SnapshotFileWatcher(path: path) }
        #expect(missing?.path == path)
        #expect(missing?.reason.contains("does not exist") == true)
        try Files.writeInPlace(Array("{\"formatVersion\": 1".utf8), to: path)
        let bad = #expect(throws: SnapshotLoadError.self) { try SnapshotFileWatcher(path: path) }
        #expect(bad?.reason.contains("JSON") == true)
    }

    @Test func aFallbackIsServedAndCountedUntilAGoodFileAppears() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.file("snapshot.json")
        try Files.writeInPlace([], to: path)
        let metrics = CountingMetrics()
        let logs = CapturedLogs()
        let watcher = try SnapshotFileWatcher(path: path, environment: "production", fallback: Snapshots.generation(0),
                                              options: WatchMode.events.options(logger: logs.logger, metrics: metrics))
        #expect(Snapshots.servedGeneration(watcher.store) == 0)
        #expect(watcher.store.environment == "production")
        #expect(metrics.count("failure") == 1)
        #expect(logs.all.contains { $0.hasPrefix("warning") && $0.contains("fallback") && $0.contains("the file is empty") })
        let changes = watcher.changes()
        try await whileWatching(watcher) {
            try Files.writeAtomically(Snapshots.generation(1).jsonBytes(), to: path)
            var iterator = changes.makeAsyncIterator()
            let change = await iterator.next()
            #expect(change?.oldID == Snapshots.generation(0).id)
            #expect(change?.newID == Snapshots.generation(1).id)
        }
        #expect(Snapshots.servedGeneration(watcher.store) == 1)
        #expect(metrics.count("success") == 1)
    }

    @Test func anExistingStoreCanBeKeptUpToDate() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.file("snapshot.json")
        try Files.writeAtomically(Snapshots.generation(1).jsonBytes(), to: path)
        let store = try FlagStore(contentsOfFile: path, environment: "staging")
        let watcher = SnapshotFileWatcher(store: store, path: path, options: WatchMode.events.options())
        #expect(watcher.store === store)
        try await whileWatching(watcher) {
            try Files.writeAtomically(Snapshots.generation(2).jsonBytes(), to: path)
            #expect(await eventually { Snapshots.servedGeneration(store) == 2 })
        }
        #expect(store.environment == "staging")
    }

    @Test func changesNameTheFlagsAddedRemovedAndModified() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.file("snapshot.json")
        let flag = { (key: String, on: Bool) in
            Flag(key: key, type: .boolean, variants: Snapshots.booleans, defaultVariant: on ? "true" : "false")
        }
        let before = Snapshots.make([flag("a", true), flag("b", true), flag("c", true)], revision: "r1")
        let after = Snapshots.make([flag("a", false), flag("c", true), flag("d", true)], revision: "r2")
        try Files.writeAtomically(before.jsonBytes(), to: path)
        let watcher = try SnapshotFileWatcher(path: path, options: WatchMode.events.options())
        let first = watcher.changes(), second = watcher.changes()
        try await whileWatching(watcher) {
            try Files.writeAtomically(after.jsonBytes(), to: path)
            var one = first.makeAsyncIterator(), two = second.makeAsyncIterator()
            let change = await one.next()
            #expect(await two.next() == change, "every subscriber sees the change")
            #expect(change?.oldID == before.id)
            #expect(change?.newID == after.id)
            #expect(change?.oldRevision == "r1")
            #expect(change?.snapshot.revision == "r2")
            #expect(change?.addedKeys == ["d"])
            #expect(change?.removedKeys == ["b"])
            #expect(change?.modifiedKeys == ["a"])
            #expect(change?.changedKeys == ["a", "b", "d"])
            #expect(change?.path == path)
        }
    }

    @Test func theSameSnapshotAgainChangesNothing() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.file("snapshot.json")
        let bytes = Snapshots.generation(1).jsonBytes()
        try Files.writeAtomically(bytes, to: path)
        let metrics = CountingMetrics()
        let watcher = try SnapshotFileWatcher(path: path, options: WatchMode.events.options(metrics: metrics))
        let recorder = OutcomeRecorder(watcher)
        try await whileWatching(watcher) {
            try Files.writeAtomically(bytes, to: path)
            #expect(await eventually { recorder.all.contains(.unchanged(id: Snapshots.generation(1).id)) })
            #expect(recorder.changes.isEmpty)
            #expect(metrics.count("unchanged") >= 1)
            #expect(metrics.count("success") == 0)
        }
    }

    @Test func reloadNowReportsWhatItDid() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.file("snapshot.json")
        try Files.writeAtomically(Snapshots.generation(1).jsonBytes(), to: path)
        let metrics = CountingMetrics()
        let logs = CapturedLogs()
        let watcher = try SnapshotFileWatcher(path: path, options: WatchMode.events.options(logger: logs.logger, metrics: metrics))
        #expect(watcher.reload() == .unchanged(id: Snapshots.generation(1).id))
        try Files.writeInPlace(Array("{}".utf8), to: path)
        guard case .rejected(let failure) = watcher.reload() else {
            Issue.record("a bad file was not rejected")
            return
        }
        #expect(failure.servingID == Snapshots.generation(1).id)
        #expect(watcher.reload() == .rejected(failure), "an explicit reload reports a repeated failure again")
        try Files.writeAtomically(Snapshots.generation(2).jsonBytes(), to: path)
        guard case .reloaded(let change) = watcher.reload() else {
            Issue.record("a good file was not loaded")
            return
        }
        #expect(change.modifiedKeys == ["gen"])
        #expect(Snapshots.servedGeneration(watcher.store) == 2)
        #expect(metrics.count("flagc_reloads_total{result=success}") == 1)
        #expect(metrics.count("flagc_reloads_total{result=failure}") == 2)
        #expect(metrics.count("flagc_reloads_total{result=unchanged}") == 1)
        #expect(logs.all.contains { $0.hasPrefix("warning") && $0.contains("rejected") && $0.contains("reason=\(failure.reason)") })
        #expect(logs.all.contains { $0.hasPrefix("info") && $0.contains("reloaded") && $0.contains("new_id=\(Snapshots.generation(2).id)") })
    }

    /// Starts and stops watchers repeatedly: each run opens an inotify descriptor and a wake-up socket pair
    /// and starts a thread; after cancellation none of them may remain. Other tests run in parallel in this
    /// process and open descriptors and threads of their own (a few dozen at most), so the counts before and
    /// after 200 runs are compared with a margin far below the 200 that a single leak per run would add.
    @Test func stoppingReleasesDescriptorsAndThreads() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.file("snapshot.json")
        try Files.writeAtomically(Snapshots.generation(1).jsonBytes(), to: path)
        let runs = 200
        let descriptorsBefore = Descriptors.openCount()
        let threadsBefore = Descriptors.threadCount()
        for run in 0..<runs {
            let watcher = try SnapshotFileWatcher(path: path, options: WatchMode.events.options())
            let task = Task { await watcher.run() }
            if run % 50 == 0 {
                // The watch is really armed (so there is something to release), and it works.
                #expect(await eventually { Descriptors.inotifyWatches(folder.path) })
                try Files.writeAtomically(Snapshots.generation(run + 2).jsonBytes(), to: path)
                #expect(await eventually { Snapshots.servedGeneration(watcher.store) == run + 2 })
            }
            task.cancel()
            await task.value
            #expect(!Descriptors.inotifyWatches(folder.path), "run \(run): an inotify descriptor still watches the folder")
        }
        let descriptorsAfter = Descriptors.openCount()
        let threadsAfter = Descriptors.threadCount()
        #expect(descriptorsAfter - descriptorsBefore < runs / 3, "descriptors \(descriptorsBefore) → \(descriptorsAfter) after \(runs) runs")
        #expect(threadsAfter - threadsBefore < runs / 3, "threads \(threadsBefore) → \(threadsAfter) after \(runs) runs")
    }

    @Test func cancellingBeforeTheWatchStartsReturnsAtOnce() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.file("snapshot.json")
        try Files.writeAtomically(Snapshots.generation(1).jsonBytes(), to: path)
        let watcher = try SnapshotFileWatcher(path: path, options: WatchMode.events.options())
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            await watcher.run()
        }
        await task.value
        #expect(!Descriptors.inotifyWatches(folder.path))
    }

    @Test func serviceRunsUntilGracefulShutdown() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.file("snapshot.json")
        try Files.writeAtomically(Snapshots.generation(1).jsonBytes(), to: path)
        let watcher = try SnapshotFileWatcher(path: path, options: WatchMode.events.options())
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: [.init(service: SnapshotWatcherService(watcher))],
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        ))
        let running = Task { try await group.run() }
        try Files.writeAtomically(Snapshots.generation(2).jsonBytes(), to: path)
        #expect(await eventually { Snapshots.servedGeneration(watcher.store) == 2 })
        #expect(Descriptors.inotifyWatches(folder.path))
        await group.triggerGracefulShutdown()
        try await running.value  // returns (without an error) once the watcher has stopped
        #expect(!Descriptors.inotifyWatches(folder.path))
    }
}
