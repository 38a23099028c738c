@testable import FlagReload
@testable import FlagRuntime
import FlagRuntimeTesting
import Foundation
import Synchronization
import Testing

/// Bad files are rejected with a reason, the last good snapshot keeps being served, and the next change is
/// tried again.
@Suite(.timeLimit(.minutes(2)))
struct ReloadFailureTests {
    /// Serves generation 1, lets `spoil` damage the file, expects a rejection whose reason contains `reason`
    /// while generation 1 is still served, then expects a good file to be picked up.
    func expectRejected(mode: WatchMode, reason: String, options: SnapshotFileWatcher.Options? = nil,
                        spoil: (String) throws -> Void, repair: ((String) throws -> Void)? = nil) async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.file("snapshot.json")
        try Files.writeAtomically(Snapshots.generation(1).jsonBytes(), to: path)
        let watcher = try SnapshotFileWatcher(path: path, options: options ?? mode.options())
        let firstID = watcher.store.snapshot.id
        let recorder = OutcomeRecorder(watcher)
        try await whileWatching(watcher) {
            try spoil(path)
            let rejection = await recorder.waitForRejection(containing: reason)
            #expect(rejection != nil, "no rejection mentioning '\(reason)'; got \(recorder.rejections.map(\.reason))")
            #expect(rejection?.servingID == firstID)
            #expect(rejection?.path == path)
            #expect(Snapshots.servedGeneration(watcher.store) == 1)
            #expect(watcher.store.snapshot.id == firstID)
            if let repair {
                try repair(path)
            } else {
                try Files.writeAtomically(Snapshots.generation(2).jsonBytes(), to: path)
            }
            #expect(await eventually { Snapshots.servedGeneration(watcher.store) == 2 }, "a good file after a bad one is served")
        }
    }

    @Test(arguments: WatchMode.allCases)
    func truncatedFile(mode: WatchMode) async throws {
        try await expectRejected(mode: mode, reason: "not valid JSON") { path in
            let bytes = Snapshots.generation(2).jsonBytes()
            try Files.writeInPlace(Array(bytes.prefix(bytes.count / 2)), to: path)
        }
    }

    @Test(arguments: WatchMode.allCases)
    func idThatDoesNotMatchTheContent(mode: WatchMode) async throws {
        try await expectRejected(mode: mode, reason: "does not match the content") { path in
            var edited = Snapshots.generation(2)
            edited.flags[1].enabled = false  // edited by hand after compiling: the id still names the old content
            try Files.writeAtomically(edited.jsonBytes(), to: path)
        }
    }

    @Test(arguments: WatchMode.allCases)
    func emptyFile(mode: WatchMode) async throws {
        try await expectRejected(mode: mode, reason: "the file is empty") { path in
            try Files.writeInPlace([], to: path)
        }
    }

    @Test(arguments: WatchMode.allCases)
    func directoryWhereTheFileShouldBe(mode: WatchMode) async throws {
        try await expectRejected(mode: mode, reason: "directory") { path in
            #expect(unlink(path) == 0)
            try Files.makeFolder(path)
        } repair: { path in
            try FileManager.default.removeItem(atPath: path)
            try Files.writeAtomically(Snapshots.generation(2).jsonBytes(), to: path)
        }
    }

    @Test(arguments: WatchMode.allCases)
    func fileLargerThanTheLimit(mode: WatchMode) async throws {
        let small = Snapshots.generation(2).jsonBytes().count + 64
        try await expectRejected(mode: mode, reason: "more than the limit", options: mode.options(maximumFileSize: small)) { path in
            let padding = (0..<40).map { Flag(key: "padding.\($0)", type: .boolean, variants: Snapshots.booleans, defaultVariant: "true") }
            try Files.writeAtomically(Snapshots.generation(3, extraFlags: padding).jsonBytes(), to: path)
        }
    }

    /// Tests run as root, and root reads files whatever their mode. The file system here reads on a thread
    /// whose file-system user id is `nobody` (`setfsuid` changes one thread only), so the kernel applies the
    /// file's mode 000 exactly as it would for a service running as an ordinary user.
    @Test(arguments: WatchMode.allCases)
    func permissionDenied(mode: WatchMode) async throws {
        try await expectRejected(mode: mode, reason: "Permission denied", options: mode.options(fileSystem: UnprivilegedFileSystem())) { path in
            let other = path + ".next"
            try Files.writeInPlace(Snapshots.generation(2).jsonBytes(), to: other)
            #expect(chmod(other, 0) == 0)
            #expect(rename(other, path) == 0)
        } repair: { path in
            #expect(chmod(path, 0o644) == 0)  // only the mode changes: seen as an attribute event / a new ctime
        }
    }

    /// A bad file that stays bad is reported once, not at every polling check.
    @Test func aBadFileIsReportedOncePerChange() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.file("snapshot.json")
        try Files.writeAtomically(Snapshots.generation(1).jsonBytes(), to: path)
        let fileSystem = CountingFileSystem()
        let metrics = CountingMetrics()
        let watcher = try SnapshotFileWatcher(path: path, options: WatchMode.polling.options(metrics: metrics, fileSystem: fileSystem))
        let recorder = OutcomeRecorder(watcher)
        try await whileWatching(watcher) {
            try Files.writeInPlace([], to: path)
            #expect(await recorder.waitForRejection(containing: "empty") != nil)
            let checks = fileSystem.identityChecks
            #expect(await eventually { fileSystem.identityChecks >= checks + 10 }, "the watcher keeps polling")
            #expect(recorder.rejections.count == 1)
            try Files.writeInPlace(Array("{\"id\":".utf8), to: path)
            #expect(await recorder.waitForRejection(containing: "JSON") != nil, "a new bad version is reported")
            #expect(recorder.rejections.count == 2)
            #expect(metrics.count("failure") == 2)
        }
    }
}

/// The local file system, counting identity checks.
final class CountingFileSystem: SnapshotFileSystem {
    private let local = LocalSnapshotFileSystem()
    private let checks = Atomic<Int>(0)

    var identityChecks: Int { checks.load(ordering: .relaxed) }

    func identity(ofFileAt path: String) -> SnapshotFileIdentity? {
        checks.add(1, ordering: .relaxed)
        return local.identity(ofFileAt: path)
    }

    func contents(ofFileAt path: String, limit: Int) throws(SnapshotLoadError) -> (bytes: [UInt8], identity: SnapshotFileIdentity) {
        try local.contents(ofFileAt: path, limit: limit)
    }
}

/// The local file system, reading as the user `nobody` (see `permissionDenied`).
struct UnprivilegedFileSystem: SnapshotFileSystem {
    private let local = LocalSnapshotFileSystem()

    func identity(ofFileAt path: String) -> SnapshotFileIdentity? {
        local.identity(ofFileAt: path)
    }

    func contents(ofFileAt path: String, limit: Int) throws(SnapshotLoadError) -> (bytes: [UInt8], identity: SnapshotFileIdentity) {
        guard geteuid() == 0 else { return try local.contents(ofFileAt: path, limit: limit) }
        typealias SetFileSystemUser = @convention(c) (UInt32) -> Int32
        guard let symbol = dlsym(nil, "setfsuid") else { throw SnapshotLoadError(path: path, reason: "setfsuid is not available") }
        let setFileSystemUser = unsafeBitCast(symbol, to: SetFileSystemUser.self)
        let result = Mutex<Result<([UInt8], SnapshotFileIdentity), SnapshotLoadError>?>(nil)
        let done = DispatchSemaphore(value: 0)
        let local = self.local
        let thread = Thread {
            _ = setFileSystemUser(65534)
            let outcome: Result<([UInt8], SnapshotFileIdentity), SnapshotLoadError>
            do throws(SnapshotLoadError) {
                let read = try local.contents(ofFileAt: path, limit: limit)
                outcome = .success((read.bytes, read.identity))
            } catch {
                outcome = .failure(error)
            }
            _ = setFileSystemUser(0)
            result.withLock { $0 = outcome }
            done.signal()
        }
        thread.start()
        done.wait()
        switch result.withLock({ $0 })! {
        case .success(let read): return (read.0, read.1)
        case .failure(let error): throw error
        }
    }
}

/// A reload cannot take away the environment a watcher evaluates in.
@Suite(.timeLimit(.minutes(2)))
struct ReloadEnvironmentTests {
    static func snapshot(generation: Int, environments: [String]) -> Snapshot {
        var snapshot = Snapshots.generation(generation)
        snapshot.environments = environments
        snapshot.id = snapshot.contentID
        return snapshot
    }

    @Test(arguments: WatchMode.allCases)
    func aSnapshotWithoutTheWatchersEnvironmentIsRejected(mode: WatchMode) async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.file("snapshot.bin")
        try Files.writeAtomically(Self.snapshot(generation: 1, environments: ["staging", "production"]).binaryBytes(), to: path)
        #expect(throws: SnapshotLoadError.self) { try SnapshotFileWatcher(path: path, environment: "prod", options: mode.options()) }
        let watcher = try SnapshotFileWatcher(path: path, environment: "staging", options: mode.options())
        let recorder = OutcomeRecorder(watcher)
        try await whileWatching(watcher) {
            try Files.writeAtomically(Self.snapshot(generation: 2, environments: ["production"]).binaryBytes(), to: path)
            let rejection = await recorder.waitForRejection(containing: "environment 'staging' is not one of the snapshot's environments: production")
            #expect(rejection != nil, "\(recorder.rejections.map(\.reason))")
            #expect(Snapshots.servedGeneration(watcher.store) == 1)
            try Files.writeAtomically(Self.snapshot(generation: 3, environments: ["staging"]).binaryBytes(), to: path)
            #expect(await eventually { Snapshots.servedGeneration(watcher.store) == 3 })
        }
    }
}

/// `InMemorySnapshotFileSystem` drives a watcher without a folder on disk.
@Suite(.timeLimit(.minutes(2)))
struct InMemoryReloadTests {
    @Test func aWatcherReloadsFromMemory() async throws {
        let files = InMemorySnapshotFileSystem()
        try files.write(Snapshot(values: ["ui.new_dashboard": false]), to: "/flags/snapshot.json")
        let watcher = try SnapshotFileWatcher(path: "/flags/snapshot.json",
                                              options: .init(pollInterval: .milliseconds(5), usesFileEvents: false, fileSystem: files))
        #expect(!watcher.store.boolean("ui.new_dashboard", default: true))
        try files.write(Snapshot(values: ["ui.new_dashboard": true]), to: "/flags/snapshot.json")
        guard case .reloaded(let change) = watcher.reload() else { Issue.record("no reload"); return }
        #expect(change.changedKeys == ["ui.new_dashboard"])
        try await whileWatching(watcher) {
            files.write(Array("{".utf8), to: "/flags/snapshot.json")
            try files.write(Snapshot(values: ["ui.new_dashboard": false, "ui.theme": "dark"]), to: "/flags/snapshot.json")
            #expect(await eventually { watcher.store.string("ui.theme", default: "") == "dark" }, "polling sees the write")
        }
    }
}
