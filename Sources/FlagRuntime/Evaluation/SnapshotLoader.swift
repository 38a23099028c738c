#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A snapshot file that could not be loaded: which file and what is wrong.
public struct SnapshotLoadError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file.
    public var path: String
    /// What is wrong, for example "not valid JSON: line 3, column 7: …".
    public var reason: String

    /// Creates a load error.
    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    /// `cannot load PATH: REASON`.
    public var description: String { "cannot load \(path): \(reason)" }
}

/// Reads and checks snapshot files.
public enum SnapshotLoader {
    /// The largest snapshot file accepted (256 MiB).
    public static let maximumFileSize = 256 << 20

    /// Reads a snapshot file, decodes it and checks that its `id` matches its content.
    public static func load(contentsOfFile path: String) throws(SnapshotLoadError) -> Snapshot {
        let bytes: [UInt8]
        do {
            bytes = try readFile(path, limit: maximumFileSize)
        } catch {
            throw SnapshotLoadError(path: path, reason: error.reason)
        }
        do {
            return try load(bytes: bytes)
        } catch {
            throw SnapshotLoadError(path: path, reason: error.reason)
        }
    }

    /// Decodes snapshot bytes (the form is recognised by content) and checks the id against the content.
    public static func load(bytes: [UInt8]) throws(SnapshotLoadError) -> Snapshot {
        guard let first = bytes.first(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }) else {
            throw SnapshotLoadError(path: "", reason: bytes.isEmpty ? "the file is empty" : "the file holds only white space")
        }
        guard first == UInt8(ascii: "{") else {
            throw SnapshotLoadError(path: "", reason: "not a flagc snapshot: a JSON snapshot starts with '{'")
        }
        let snapshot: Snapshot
        do {
            snapshot = try Snapshot(jsonBytes: bytes)
        } catch {
            throw SnapshotLoadError(path: "", reason: error.description)
        }
        let expected = Snapshot.contentID(environment: snapshot.environment, flags: snapshot.flags)
        guard snapshot.id == expected else {
            throw SnapshotLoadError(path: "", reason: "the id \(snapshot.id.prefix(12))… does not match the content (\(expected.prefix(12))…): the file was edited or damaged; compile it again")
        }
        return snapshot
    }

    /// Reads a whole file with POSIX calls (the runtime does not depend on Foundation).
    static func readFile(_ path: String, limit: Int) throws(SnapshotLoadError) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw SnapshotLoadError(path: path, reason: String(cString: strerror(errno))) }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw SnapshotLoadError(path: path, reason: String(cString: strerror(errno))) }
        guard (status.st_mode & S_IFMT) == S_IFREG else { throw SnapshotLoadError(path: path, reason: "not a regular file") }
        guard Int(status.st_size) <= limit else {
            throw SnapshotLoadError(path: path, reason: "the file is \(status.st_size) bytes, more than the limit of \(limit)")
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Int(status.st_size))
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw SnapshotLoadError(path: path, reason: String(cString: strerror(errno)))
            }
            if count == 0 { break }
            bytes.append(contentsOf: buffer[..<count])
            if bytes.count > limit { throw SnapshotLoadError(path: path, reason: "the file grew past the limit of \(limit) bytes while being read") }
        }
        return bytes
    }
}
