@testable import FlagReload
@testable import FlagRuntime
import Foundation
import Logging
import Testing

/// The pieces under the watcher: which folders are watched, the inotify queue overflowing, debouncing.
@Suite(.timeLimit(.minutes(2)))
struct WatchInternalsTests {
    @Test func aPlainFileIsWatchedThroughItsFolder() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let resolved = LocalSnapshotFileSystem.resolve(folder.path)!
        try Files.writeInPlace([], to: folder.file("snapshot.json"))
        let plan = WatchPlan(path: resolved + "/snapshot.json")
        #expect(plan.directories == [resolved: ["snapshot.json"]])
    }

    @Test func aConfigMapIsWatchedAtTheVolumeAndTheCurrentDataFolder() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let root = LocalSnapshotFileSystem.resolve(folder.path)!
        var volume = ConfigMapVolume(folder: root)
        try volume.publish(Snapshots.generation(1).jsonBytes())
        let plan = WatchPlan(path: volume.visiblePath)
        let data = try #require(WatchPlan.linkTarget(root + "/..data"))
        #expect(plan.directories[root] == ["snapshot.json", "..data"])
        #expect(plan.directories[root + "/..data"] == ["snapshot.json"])
        #expect(plan.directories[root + "/" + data] == ["snapshot.json"])
    }

    @Test func aMissingFolderIsAwaitedFromTheNearestExistingOne() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let root = LocalSnapshotFileSystem.resolve(folder.path)!
        #expect(WatchPlan(path: root + "/a/b/snapshot.json").directories == [root: ["a"]])
        try Files.makeFolder(root + "/a")
        #expect(WatchPlan(path: root + "/a/b/snapshot.json").directories == [root + "/a": ["b"]])
    }

    @Test func relativePathsAreMadeAbsolute() {
        #expect(WatchPlan.absolute("/etc//flags/./snapshot.json") == "/etc/flags/snapshot.json")
        #expect(WatchPlan.absolute("snapshot.json").hasSuffix("/snapshot.json"))
        #expect(WatchPlan.absolute("snapshot.json").hasPrefix("/"))
    }

    /// When more events arrive than the kernel queues (`fs.inotify.max_queued_events`, 16384 by default) the
    /// queue overflows; the monitor must then read the file whatever its identity says.
    @Test func aQueueOverflowForcesARescan() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let limit = (try? String(contentsOfFile: "/proc/sys/fs/inotify/max_queued_events", encoding: .utf8))
            .flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) } ?? 16384
        let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        let monitor = try #require(DirectoryEventMonitor(logger: logger))
        monitor.arm(WatchPlan(path: folder.file("snapshot.json")))

        // A few events about other files: a cheap identity check, not a forced read.
        for index in 0..<10 { try Files.writeInPlace([], to: folder.file("other-\(index)")) }
        var debouncer = ReloadDebouncer(quiet: 1_000_000)
        monitor.drain(into: &debouncer, at: 0)
        #expect(debouncer.deadline != nil)
        #expect(debouncer.take() == false)

        // Twice as many events as the queue holds, none about the file, and nobody reading meanwhile.
        for index in 0..<limit { try Files.writeInPlace([], to: folder.file("other-\(index)")) }  // two events each
        debouncer = ReloadDebouncer(quiet: 1_000_000)
        monitor.drain(into: &debouncer, at: 0)
        #expect(debouncer.take() == true, "the overflow was not turned into a forced rescan")
    }

    @Test func eventsAboutTheFileForceARead() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        let monitor = try #require(DirectoryEventMonitor(logger: logger))
        monitor.arm(WatchPlan(path: folder.file("snapshot.json")))
        try Files.writeAtomically([1], to: folder.file("snapshot.json"))
        var debouncer = ReloadDebouncer(quiet: 1_000_000)
        monitor.drain(into: &debouncer, at: 0)
        #expect(debouncer.deadline == 1_000_000)
        #expect(debouncer.take() == true)
    }

    @Test func theDebouncerWaitsForQuietButNotForever() {
        var debouncer = ReloadDebouncer(quiet: 5_000_000)
        #expect(debouncer.deadline == nil)
        debouncer.note(at: 0, force: false)
        #expect(debouncer.deadline == 5_000_000)
        debouncer.note(at: 3_000_000, force: true)
        #expect(debouncer.deadline == 8_000_000)
        for time in stride(from: 4_000_000, through: 100_000_000, by: 4_000_000) { debouncer.note(at: Int64(time), force: false) }
        #expect(debouncer.deadline == debouncer.cap, "a burst that never calms down is checked after the cap")
        #expect(debouncer.take() == true)
        #expect(debouncer.deadline == nil)
    }

    @Test func theDebouncerWaitsForAWriterToCloseAFileItCreated() {
        var debouncer = ReloadDebouncer(quiet: 5_000_000)
        debouncer.note(at: 0, force: true, writeOpened: true)
        #expect(debouncer.deadline == debouncer.settle)
        debouncer.note(at: 1_000_000, force: true, writeClosed: true)
        #expect(debouncer.deadline == 6_000_000)
    }

    @Test func identitiesNoticeRenamesAndRewrites() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.file("snapshot.json")
        let fileSystem = LocalSnapshotFileSystem()
        #expect(fileSystem.identity(ofFileAt: path) == nil)
        try Files.writeInPlace([1, 2, 3], to: path)
        let first = try #require(fileSystem.identity(ofFileAt: path))
        #expect(first.size == 3)
        let read = try fileSystem.contents(ofFileAt: path, limit: 10)
        #expect(read.bytes == [1, 2, 3])
        #expect(read.identity == first)
        try Files.writeAtomically([1, 2, 3], to: path)
        let renamed = try #require(fileSystem.identity(ofFileAt: path))
        #expect(renamed.inode != first.inode)
        #expect(throws: SnapshotLoadError.self) { try fileSystem.contents(ofFileAt: path, limit: 2) }
    }

    /// A file renamed over while it is being read gets a new status-change time (its link count drops), but it
    /// is still the same version: a failure read from it must not be reported twice.
    @Test func aFileRenamedOverWhileReadIsStillTheSameVersion() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.file("snapshot.json")
        try Files.writeInPlace([], to: path)
        let descriptor = open(path, O_RDONLY)
        defer { close(descriptor) }
        var status = stat()
        #expect(fstat(descriptor, &status) == 0)
        let before = LocalSnapshotFileSystem.identity(status, resolvedPath: path)
        try Files.writeAtomically([1, 2], to: path)
        #expect(fstat(descriptor, &status) == 0)
        let after = LocalSnapshotFileSystem.identity(status, resolvedPath: path)
        #expect(SnapshotReloader.sameVersion(before, after))
        #expect(!SnapshotReloader.sameVersion(before, LocalSnapshotFileSystem().identity(ofFileAt: path)))
        #expect(!SnapshotReloader.sameVersion(before, nil))
        #expect(SnapshotReloader.sameVersion(nil, nil))
    }
}
