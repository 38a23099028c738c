#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What identifies one version of a snapshot file without reading it: where its path leads, which inode
/// it is, and its size and timestamps. A new identity means the file may have changed.
public struct SnapshotFileIdentity: Sendable, Hashable, CustomStringConvertible {
    /// The path with every symbolic link resolved (the file a Kubernetes ConfigMap or a symlink flip points at).
    public var resolvedPath: String
    /// The device holding the file.
    public var device: UInt64
    /// The inode number (a rename over the file gives a new one).
    public var inode: UInt64
    /// The size in bytes.
    public var size: Int64
    /// The modification time, in nanoseconds since 1970.
    public var modificationTime: Int64
    /// The status-change time (permissions, links), in nanoseconds since 1970.
    public var statusChangeTime: Int64

    /// Creates an identity.
    public init(resolvedPath: String, device: UInt64, inode: UInt64, size: Int64, modificationTime: Int64, statusChangeTime: Int64) {
        self.resolvedPath = resolvedPath
        self.device = device
        self.inode = inode
        self.size = size
        self.modificationTime = modificationTime
        self.statusChangeTime = statusChangeTime
    }

    /// `PATH inode N, N bytes, modified T`.
    public var description: String { "\(resolvedPath) inode \(inode), \(size) bytes, modified \(modificationTime)ns" }
}

/// The file-system calls a `SnapshotFileWatcher` makes to check and read its file; inject another
/// implementation to simulate failures in tests. Both calls follow symbolic links.
public protocol SnapshotFileSystem: Sendable {
    /// The identity of the file at `path`, or nil when there is no file there (or it cannot be examined).
    func identity(ofFileAt path: String) -> SnapshotFileIdentity?

    /// The whole content of the regular file at `path` and the identity of what was read; throws with a
    /// reason for people (missing, a directory, permission denied, larger than `limit` bytes, …).
    func contents(ofFileAt path: String, limit: Int) throws(SnapshotLoadError) -> (bytes: [UInt8], identity: SnapshotFileIdentity)
}

/// The real file system, through POSIX calls (the runtime does not depend on Foundation).
public struct LocalSnapshotFileSystem: SnapshotFileSystem {
    /// Creates the local file system.
    public init() {}

    /// `stat` of the path (following links) and its `realpath`.
    public func identity(ofFileAt path: String) -> SnapshotFileIdentity? {
        var status = stat()
        guard stat(path, &status) == 0, let resolved = Self.resolve(path) else { return nil }
        return Self.identity(status, resolvedPath: resolved)
    }

    /// Opens the file once, checks it is a regular file within `limit`, reads it to the end and reports the
    /// identity of the open file after reading (so a write during the read shows up as a newer identity).
    public func contents(ofFileAt path: String, limit: Int) throws(SnapshotLoadError) -> (bytes: [UInt8], identity: SnapshotFileIdentity) {
        let resolved = Self.resolve(path) ?? path
        do {
            let (bytes, status) = try RegularFileReader.read(path, limit: limit)
            return (bytes, Self.identity(status, resolvedPath: resolved))
        } catch {
            let reason: String
            switch error.kind {
            case .missing: reason = Self.describe(ENOENT)
            case .permissionDenied: reason = Self.describe(EACCES)
            case .notRegularFile("a folder"): reason = "it is a directory, not a snapshot file"
            default: reason = error.description
            }
            throw SnapshotLoadError(path: path, reason: reason)
        }
    }

    static func identity(_ status: stat, resolvedPath: String) -> SnapshotFileIdentity {
        #if canImport(Darwin)
        let modified = Int64(status.st_mtimespec.tv_sec) * 1_000_000_000 + Int64(status.st_mtimespec.tv_nsec)
        let changed = Int64(status.st_ctimespec.tv_sec) * 1_000_000_000 + Int64(status.st_ctimespec.tv_nsec)
        #else
        let modified = Int64(status.st_mtim.tv_sec) * 1_000_000_000 + Int64(status.st_mtim.tv_nsec)
        let changed = Int64(status.st_ctim.tv_sec) * 1_000_000_000 + Int64(status.st_ctim.tv_nsec)
        #endif
        return SnapshotFileIdentity(
            resolvedPath: resolvedPath, device: UInt64(status.st_dev), inode: UInt64(status.st_ino),
            size: Int64(status.st_size), modificationTime: modified, statusChangeTime: changed
        )
    }

    /// `realpath(path)`, or nil when some part of it does not exist.
    static func resolve(_ path: String) -> String? {
        RegularFileReader.realPath(path)
    }

    /// The system's message for `code`, with a hint for the usual deployment mistakes.
    static func describe(_ code: Int32) -> String {
        let message = String(cString: strerror(code))
        switch code {
        case ENOENT: return "\(message): the file does not exist (yet)"
        case EACCES, EPERM: return "\(message): the service cannot read the file; check its owner and mode"
        default: return message
        }
    }
}
