import FlagRuntime
import Foundation

/// Writes snapshot files atomically (temporary file in the same folder, then rename) and only when their
/// bytes change, so readers never see a half-written snapshot and unchanged builds leave files untouched.
public enum SnapshotFile {
    /// The name of the JSON snapshot inside the output folder.
    public static let jsonFileName = "snapshot.json"
    /// The name of the binary snapshot inside the output folder (`docs/snapshot-format.md`).
    public static let binaryFileName = "snapshot.bin"

    /// What happened to a file.
    public enum WriteOutcome: Sendable, Equatable {
        /// The file was created or replaced.
        case written
        /// The file already held these bytes.
        case unchanged
    }

    /// What happened to each of the two snapshot files.
    public struct WriteOutcomes: Sendable, Equatable {
        /// `snapshot.json`.
        public var json: WriteOutcome
        /// `snapshot.bin`.
        public var binary: WriteOutcome
    }

    /// Writes `snapshot.json` and `snapshot.bin` into `directory`, creating the folder when needed; `signer`
    /// signs the binary form. Both are encoded before either is written, so an encoding error writes nothing.
    @discardableResult
    public static func write(_ snapshot: Snapshot, to directory: String, signer: (any SnapshotSigner)? = nil) throws -> WriteOutcomes {
        let json = snapshot.jsonBytes()
        let binary = try snapshot.binaryBytes(signer: signer)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let binaryOutcome = try writeAtomically(binary, to: (directory as NSString).appendingPathComponent(binaryFileName))
        let jsonOutcome = try writeAtomically(json, to: (directory as NSString).appendingPathComponent(jsonFileName))
        return WriteOutcomes(json: jsonOutcome, binary: binaryOutcome)
    }

    /// Writes bytes to `path` through a temporary file in the same folder and a rename, unless the file already holds them.
    ///
    /// The file gets permissions `mode` (0600 for private keys) from the moment it is created.
    public static func writeAtomically(_ bytes: [UInt8], to path: String, mode: mode_t = 0o644) throws -> WriteOutcome {
        if let existing = FileManager.default.contents(atPath: path), sameBytes(existing, bytes) {
            return .unchanged
        }
        let directory = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        let temporary = (directory.isEmpty ? "." : directory) + "/.\(name).tmp-\(getpid())"
        unlink(temporary)  // a leftover would keep its old permissions; a fresh file gets `mode` (less the umask)
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL, mode)
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

    /// Whether `data` holds exactly `bytes`. `Data.elementsEqual` walks Data's iterator a byte at a time
    /// (about 10 % of a 10,000-flag compile), so this compares the lengths and then the memory.
    private static func sameBytes(_ data: Data, _ bytes: [UInt8]) -> Bool {
        guard data.count == bytes.count else { return false }
        guard !bytes.isEmpty else { return true }
        return data.withUnsafeBytes { old in
            bytes.withUnsafeBytes { new in memcmp(old.baseAddress!, new.baseAddress!, new.count) == 0 }
        }
    }

    /// A snapshot file that could not be written.
    public struct WriteError: Error, CustomStringConvertible {
        /// The file.
        public var path: String
        /// The system's reason.
        public var reason: String

        /// Creates a write error.
        public init(path: String, reason: String) {
            self.path = path
            self.reason = reason
        }

        /// `cannot write PATH: REASON`.
        public var description: String { "cannot write \(path): \(reason)" }
    }
}
