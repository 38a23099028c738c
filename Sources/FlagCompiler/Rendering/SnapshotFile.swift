import FlagRuntime
import Foundation

/// Writes snapshot files atomically (temporary file in the same folder, then rename) and only when their
/// bytes change, so readers never see a half-written snapshot and unchanged builds leave files untouched.
public enum SnapshotFile {
    /// The name of the JSON snapshot inside the output folder.
    public static let jsonFileName = "snapshot.json"

    /// What happened to a file.
    public enum WriteOutcome: Sendable, Equatable {
        /// The file was created or replaced.
        case written
        /// The file already held these bytes.
        case unchanged
    }

    /// Writes `snapshot.json` into `directory`, creating the folder when needed.
    @discardableResult
    public static func write(_ snapshot: Snapshot, to directory: String) throws -> WriteOutcome {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return try writeAtomically(snapshot.jsonBytes(), to: (directory as NSString).appendingPathComponent(jsonFileName))
    }

    /// Writes bytes to `path` through a temporary file in the same folder and a rename, unless the file already holds them.
    public static func writeAtomically(_ bytes: [UInt8], to path: String) throws -> WriteOutcome {
        if let existing = FileManager.default.contents(atPath: path), existing.elementsEqual(bytes) {
            return .unchanged
        }
        let directory = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        let temporary = (directory.isEmpty ? "." : directory) + "/.\(name).tmp-\(getpid())"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard descriptor >= 0 else { throw WriteError(path: temporary, reason: String(cString: strerror(errno))) }
        var failure: String?
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Foundation.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = String(cString: strerror(errno))
                    return
                }
                offset += written
            }
        }
        if failure == nil, fsync(descriptor) != 0 { failure = String(cString: strerror(errno)) }
        close(descriptor)
        if failure == nil, rename(temporary, path) != 0 { failure = String(cString: strerror(errno)) }
        if let failure {
            unlink(temporary)
            throw WriteError(path: path, reason: failure)
        }
        return .written
    }

    /// A snapshot file that could not be written.
    public struct WriteError: Error, CustomStringConvertible {
        /// The file.
        public var path: String
        /// The system's reason.
        public var reason: String

        /// `cannot write PATH: REASON`.
        public var description: String { "cannot write \(path): \(reason)" }
    }
}
