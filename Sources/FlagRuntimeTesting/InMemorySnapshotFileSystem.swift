import FlagRuntime
import Synchronization

/// Files held in memory, for reload tests without a folder on disk: pass it as
/// `SnapshotFileWatcher.Options(usesFileEvents: false, fileSystem:)` and change files with `write` and
/// `removeFile`. Each write gives the file a new identity, as a rename over it would.
///
/// ```swift
/// let files = InMemorySnapshotFileSystem()
/// try files.write(Snapshot(values: ["ui.new_dashboard": false]), to: "/flags/snapshot.json")
/// let watcher = try SnapshotFileWatcher(path: "/flags/snapshot.json",
///                                       options: .init(pollInterval: .milliseconds(10), usesFileEvents: false, fileSystem: files))
/// try files.write(Snapshot(values: ["ui.new_dashboard": true]), to: "/flags/snapshot.json")
/// _ = watcher.reload()                              // or let `run()` poll
/// #expect(watcher.store.boolean("ui.new_dashboard", default: false))
/// ```
public final class InMemorySnapshotFileSystem: SnapshotFileSystem {
    private struct File {
        var bytes: [UInt8]
        var identity: SnapshotFileIdentity
    }

    private let files = Mutex<[String: File]>([:])
    /// Counts writes; it is the inode and the modification time (in nanoseconds) of the newest file.
    private let writes = Atomic<UInt64>(0)

    /// Creates a file system holding `files` (absolute path → bytes).
    public init(files initial: [String: [UInt8]] = [:]) {
        for (path, bytes) in initial.sorted(by: { $0.key < $1.key }) { write(bytes, to: path) }
    }

    /// Creates or replaces the file at `path` (an absolute path).
    public func write(_ bytes: [UInt8], to path: String) {
        let version = writes.add(1, ordering: .relaxed).newValue
        let identity = SnapshotFileIdentity(resolvedPath: path, device: 1, inode: version, size: Int64(bytes.count),
                                            modificationTime: Int64(version), statusChangeTime: Int64(version))
        files.withLock { $0[path] = File(bytes: bytes, identity: identity) }
    }

    /// Writes `snapshot` to `path`: the binary form when the path ends in `.bin`, else the JSON form.
    public func write(_ snapshot: Snapshot, to path: String) throws {
        write(path.hasSuffix(".bin") ? try snapshot.binaryBytes() : snapshot.jsonBytes(), to: path)
    }

    /// Removes the file at `path`, if there is one.
    public func removeFile(at path: String) {
        _ = files.withLock { $0.removeValue(forKey: path) }
    }

    /// The identity of the file at `path`, or nil when there is none.
    public func identity(ofFileAt path: String) -> SnapshotFileIdentity? {
        files.withLock { $0[path]?.identity }
    }

    /// The bytes of the file at `path` and their identity; throws when there is no file or it is over `limit`.
    public func contents(ofFileAt path: String, limit: Int) throws(SnapshotLoadError) -> (bytes: [UInt8], identity: SnapshotFileIdentity) {
        guard let file = files.withLock({ $0[path] }) else {
            throw SnapshotLoadError(path: path, reason: "No such file or directory: the file does not exist (yet)")
        }
        guard file.bytes.count <= limit else {
            throw SnapshotLoadError(path: path, reason: FileReadError(kind: .tooLarge(size: file.bytes.count, limit: limit)).description)
        }
        return (file.bytes, file.identity)
    }
}
