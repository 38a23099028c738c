@testable import FlagReload
import FlagRuntime
import Foundation
import Testing

/// Every way a deployment replaces a snapshot file, against the real file system, watched with inotify and by
/// polling alone. In `events` mode the polling interval is an hour, so a passing test proves the event path.
@Suite(.timeLimit(.minutes(2)))
struct ReloadScenarioTests {
    @Test(arguments: WatchMode.allCases)
    func writeInPlaceThenClose(mode: WatchMode) async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.file("snapshot.json")
        try Files.writeInPlace(Snapshots.generation(1).jsonBytes(), to: path)
        let watcher = try SnapshotFileWatcher(path: path, options: mode.options())
        try await whileWatching(watcher) {
            for generation in 2...4 {
                try Files.writeInPlace(Snapshots.generation(generation).jsonBytes(), to: path)
                #expect(await eventually { Snapshots.servedGeneration(watcher.store) == generation }, "generation \(generation)")
            }
        }
    }

    @Test(arguments: WatchMode.allCases)
    func atomicRenameOverTheFile(mode: WatchMode) async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.file("snapshot.json")
        try Files.writeAtomically(Snapshots.generation(1).jsonBytes(), to: path)
        let watcher = try SnapshotFileWatcher(path: path, options: mode.options())
        try await whileWatching(watcher) {
            for generation in 2...4 {
                try Files.writeAtomically(Snapshots.generation(generation).jsonBytes(), to: path)
                #expect(await eventually { Snapshots.servedGeneration(watcher.store) == generation }, "generation \(generation)")
            }
        }
    }

    @Test(arguments: WatchMode.allCases)
    func symlinkWhoseTargetChanges(mode: WatchMode) async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        for release in 1...3 {
            try Files.makeFolder(folder.file("releases/r\(release)"))
            try Files.writeAtomically(Snapshots.generation(release).jsonBytes(), to: folder.file("releases/r\(release)/snapshot.json"))
        }
        let path = folder.file("snapshot.json")
        #expect(symlink("releases/r1/snapshot.json", path) == 0)
        let watcher = try SnapshotFileWatcher(path: path, options: mode.options())
        try await whileWatching(watcher) {
            // Flip the link atomically (a new link renamed over it).
            try Files.flipSymlink(path, to: "releases/r2/snapshot.json")
            #expect(await eventually { Snapshots.servedGeneration(watcher.store) == 2 })
            // The current target rewritten in place, in its own folder.
            try Files.writeInPlace(Snapshots.generation(12).jsonBytes(), to: folder.file("releases/r2/snapshot.json"))
            #expect(await eventually { Snapshots.servedGeneration(watcher.store) == 12 })
            // `ln -sfn`: the link removed and created again.
            #expect(unlink(path) == 0)
            #expect(symlink(folder.file("releases/r3/snapshot.json"), path) == 0)
            #expect(await eventually { Snapshots.servedGeneration(watcher.store) == 3 })
            // The old target changing no longer matters; the new one does.
            try Files.writeInPlace(Snapshots.generation(22).jsonBytes(), to: folder.file("releases/r2/snapshot.json"))
            try Files.writeAtomically(Snapshots.generation(13).jsonBytes(), to: folder.file("releases/r3/snapshot.json"))
            #expect(await eventually { Snapshots.servedGeneration(watcher.store) == 13 })
        }
    }

    @Test(arguments: WatchMode.allCases)
    func kubernetesConfigMapVolume(mode: WatchMode) async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        var volume = ConfigMapVolume(folder: folder.path)
        try volume.publish(Snapshots.generation(1).jsonBytes())
        let watcher = try SnapshotFileWatcher(path: volume.visiblePath, options: mode.options())
        try await whileWatching(watcher) {
            // Several updates: each moves `..data` to a new folder and deletes the old one, so the watch on the
            // timestamped folder must follow.
            for generation in 2...5 {
                try volume.publish(Snapshots.generation(generation).jsonBytes())
                #expect(await eventually { Snapshots.servedGeneration(watcher.store) == generation }, "generation \(generation)")
            }
        }
    }

    @Test(arguments: WatchMode.allCases)
    func deleteThenRecreate(mode: WatchMode) async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.file("snapshot.json")
        try Files.writeInPlace(Snapshots.generation(1).jsonBytes(), to: path)
        let watcher = try SnapshotFileWatcher(path: path, options: mode.options())
        let recorder = OutcomeRecorder(watcher)
        try await whileWatching(watcher) {
            #expect(unlink(path) == 0)
            let missing = await recorder.waitForRejection(containing: "does not exist")
            #expect(missing != nil)
            #expect(Snapshots.servedGeneration(watcher.store) == 1, "the last good snapshot stays while the file is missing")
            try Files.writeInPlace(Snapshots.generation(2).jsonBytes(), to: path)
            #expect(await eventually { Snapshots.servedGeneration(watcher.store) == 2 })
        }
    }

    @Test(arguments: WatchMode.allCases)
    func folderMissingAtStartUpWithAFallback(mode: WatchMode) async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.file("config/flags/snapshot.json")
        #expect(throws: SnapshotLoadError.self) { try SnapshotFileWatcher(path: path, options: mode.options()) }
        let watcher = try SnapshotFileWatcher(path: path, fallback: Snapshots.generation(0), options: mode.options())
        #expect(Snapshots.servedGeneration(watcher.store) == 0)
        try await whileWatching(watcher) {
            // Step by step, checking in events mode that the watch moves down to each new folder.
            try Files.makeFolder(folder.file("config"))
            if mode == .events { #expect(await eventually { Descriptors.inotifyWatches(folder.file("config")) }) }
            try Files.makeFolder(folder.file("config/flags"))
            if mode == .events { #expect(await eventually { Descriptors.inotifyWatches(folder.file("config/flags")) }) }
            try Files.writeAtomically(Snapshots.generation(1).jsonBytes(), to: path)
            #expect(await eventually { Snapshots.servedGeneration(watcher.store) == 1 })
            try Files.writeInPlace(Snapshots.generation(2).jsonBytes(), to: path)
            #expect(await eventually { Snapshots.servedGeneration(watcher.store) == 2 })
        }
    }

    @Test(arguments: WatchMode.allCases)
    func folderRemovedAndCreatedAgain(mode: WatchMode) async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.file("config/snapshot.json")
        try Files.makeFolder(folder.file("config"))
        try Files.writeInPlace(Snapshots.generation(1).jsonBytes(), to: path)
        let watcher = try SnapshotFileWatcher(path: path, options: mode.options())
        let recorder = OutcomeRecorder(watcher)
        try await whileWatching(watcher) {
            // The watched folder goes away (its watch is dropped), then comes back: the watch is re-armed.
            try FileManager.default.removeItem(atPath: folder.file("config"))
            #expect(await recorder.waitForRejection(containing: "does not exist") != nil)
            try Files.makeFolder(folder.file("config"))
            if mode == .events { #expect(await eventually { Descriptors.inotifyWatches(folder.file("config")) }) }
            try Files.writeInPlace(Snapshots.generation(2).jsonBytes(), to: path)
            #expect(await eventually { Snapshots.servedGeneration(watcher.store) == 2 })
            try Files.writeAtomically(Snapshots.generation(3).jsonBytes(), to: path)
            #expect(await eventually { Snapshots.servedGeneration(watcher.store) == 3 })
        }
    }

    @Test(arguments: WatchMode.allCases, [false, true])
    func burstOfAHundredWritesEndsOnTheLast(mode: WatchMode, inPlace: Bool) async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.file("snapshot.json")
        try Files.writeInPlace(Snapshots.generation(1).jsonBytes(), to: path)
        let watcher = try SnapshotFileWatcher(path: path, options: mode.options())
        let recorder = OutcomeRecorder(watcher)
        let contents = (2...101).map { Snapshots.generation($0).jsonBytes() }
        try await whileWatching(watcher) {
            for bytes in contents {
                if inPlace { try Files.writeInPlace(bytes, to: path) } else { try Files.writeAtomically(bytes, to: path) }
            }
            #expect(await eventually { Snapshots.servedGeneration(watcher.store) == 101 })
            // Served generations only move forward: no reload goes back to an older file.
            let served = recorder.changes.compactMap { $0.snapshot.flag("gen")?.variants.first?.value }
            let numbers = served.compactMap { if case .integer(let number) = $0 { Int(number) } else { nil } }
            #expect(numbers == numbers.sorted(), "\(numbers)")
        }
        #expect(Snapshots.servedGeneration(watcher.store) == 101)
    }
}
