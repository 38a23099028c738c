import FlagRuntime
import Foundation

/// Writes a compile's output files as one unit: every file is written and flushed to a temporary file in its
/// own folder first, and none replaces the old one unless all were written; a file whose bytes did not change
/// is left untouched. Compiles into the same folder are serialized by an advisory lock on the folder.
///
/// What a reader can rely on (`docs/snapshot-json.md`, "Writing"): a file at its final name is always a whole
/// file of one compile; after a failed compile every old file is as it was.
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

    /// One file of a unit: where it goes, its bytes and its permissions.
    public struct Output: Sendable {
        /// The final path.
        public var path: String
        /// The whole content.
        public var bytes: [UInt8]
        /// The permissions of a new file (0600 for private keys), less the umask.
        public var mode: mode_t

        /// Creates an output.
        public init(path: String, bytes: [UInt8], mode: mode_t = 0o644) {
            self.path = path
            self.bytes = bytes
            self.mode = mode
        }
    }

    /// Writes `snapshot.json` and `snapshot.bin` into `directory` as one unit (with `extra` files, such as the
    /// flagd export, in the same unit), creating the folder when needed; `signer` signs the binary form, and
    /// `provenance` goes into its header.
    /// Everything is encoded before anything is written.
    @discardableResult
    public static func write(_ snapshot: Snapshot, to directory: String, signer: (any SnapshotSigner)? = nil, provenance: SnapshotProvenance? = nil, extra: [Output] = []) throws -> (WriteOutcomes, [WriteOutcome]) {
        let json = Output(path: (directory as NSString).appendingPathComponent(jsonFileName), bytes: snapshot.jsonBytes())
        let binary = Output(path: (directory as NSString).appendingPathComponent(binaryFileName), bytes: try snapshot.binaryBytes(signer: signer, provenance: provenance))
        // Never write a snapshot the runtime would refuse to load.
        for output in [json, binary] where output.bytes.count > SnapshotLoader.maximumFileSize {
            throw WriteError(path: output.path, reason: "the snapshot would be \(output.bytes.count) bytes, more than the \(SnapshotLoader.maximumFileSize) bytes the runtime loads; nothing was written")
        }
        let outcomes = try writeUnit([json, binary] + extra, lockFolder: directory)
        return (WriteOutcomes(json: outcomes[0], binary: outcomes[1]), Array(outcomes.dropFirst(2)))
    }

    /// Writes one file atomically (temporary file in the same folder, flushed, then renamed), unless it already
    /// holds these bytes. The file gets permissions `mode` from the moment it is created.
    public static func writeAtomically(_ bytes: [UInt8], to path: String, mode: mode_t = 0o644) throws -> WriteOutcome {
        try writeUnit([Output(path: path, bytes: bytes, mode: mode)], lockFolder: nil)[0]
    }

    /// Writes `outputs` as one unit under the lock of `lockFolder` (created, with its parents, when missing).
    ///
    /// Under the lock: leftover temporary files of the outputs in that folder (from a killed run) are removed; every changed
    /// output is written to `.NAME.tmp-PID` beside it and fsynced; only when all were written are they renamed
    /// into place, then their folders are fsynced. On any failure every temporary file is removed and no
    /// output has been replaced.
    /// Without `lockFolder`, nothing is locked and no leftovers are removed.
    public static func writeUnit(_ outputs: [Output], lockFolder: String?) throws -> [WriteOutcome] {
        if let lockFolder { try createFolder(lockFolder) }
        for output in outputs { try createFolder(folder(of: output.path)) }
        let lock = try lockFolder.map { folder throws in try FolderLock(folder: folder) }
        defer { lock?.release() }

        var temporaries: [(temporary: String, output: Output)] = []
        var outcomes: [WriteOutcome] = []
        do {
            for output in outputs {
                if let lockFolder, samePath(folder(of: output.path), lockFolder) {
                    removeLeftovers(of: output.path)
                }
                if try holds(output.path, output.bytes) {
                    outcomes.append(.unchanged)
                    continue
                }
                let temporary = temporaryPath(for: output.path)
                try writeFlushed(output.bytes, to: temporary, mode: output.mode)
                temporaries.append((temporary, output))
                outcomes.append(.written)
            }
        } catch {
            for (temporary, _) in temporaries { unlink(temporary) }
            throw error
        }
        for (index, (temporary, output)) in temporaries.enumerated() where rename(temporary, output.path) != 0 {
            let reason = String(cString: strerror(errno))
            for (later, _) in temporaries[index...] { unlink(later) }
            throw WriteError(path: output.path, reason: reason)
        }
        var folders: [String] = []
        for (_, output) in temporaries where !folders.contains(folder(of: output.path)) {
            folders.append(folder(of: output.path))
        }
        for folder in folders { syncFolder(folder) }
        return outcomes
    }

    /// Whether two folder paths name the same folder as written (`build`, `build/`, `./build`).
    static func samePath(_ lhs: String, _ rhs: String) -> Bool {
        func normal(_ path: String) -> String {
            let standard = (path as NSString).standardizingPath
            return standard.isEmpty ? "." : standard
        }
        return normal(lhs) == normal(rhs)
    }

    /// `.NAME.tmp-PID` in the folder of `path`.
    static func temporaryPath(for path: String) -> String {
        folder(of: path) + "/" + temporaryPrefix(for: path) + String(getpid())
    }

    /// `.NAME.tmp-`: what every temporary file of `path` starts with.
    static func temporaryPrefix(for path: String) -> String {
        ".\((path as NSString).lastPathComponent).tmp-"
    }

    /// Removes temporary files of `path` that a killed run left behind (called under the folder's lock, so no
    /// other compile is writing them).
    static func removeLeftovers(of path: String) {
        let folder = folder(of: path)
        let prefix = temporaryPrefix(for: path)
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
        for entry in entries where entry.hasPrefix(prefix) {
            unlink(folder + "/" + entry)
        }
    }

    /// Whether `path` is a regular file holding exactly `bytes`; throws when `path` is a folder (a rename
    /// could not replace it, so the unit would fail half-way).
    static func holds(_ path: String, _ bytes: [UInt8]) throws -> Bool {
        do {
            let existing = try RegularFileReader.read(path, limit: bytes.count).bytes
            guard existing.count == bytes.count else { return false }
            return bytes.isEmpty || existing.withUnsafeBytes { old in
                bytes.withUnsafeBytes { new in memcmp(old.baseAddress!, new.baseAddress!, new.count) == 0 }
            }
        } catch {
            switch error.kind {
            case .notRegularFile(let what):
                throw WriteError(path: path, reason: "it is \(what); remove it or choose another path")
            case .missing, .tooLarge, .grewPastLimit, .permissionDenied, .system:
                return false
            }
        }
    }

    /// Creates `bytes` at the new path `temporary` and flushes it to disk (unless `flush` is false: the report
    /// writes thousands of pages into a folder that is renamed into place as a whole).
    static func writeFlushed(_ bytes: [UInt8], to temporary: String, mode: mode_t, flush: Bool = true) throws {
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
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
        if flush, failure == nil, fsync(descriptor) != 0 { failure = String(cString: strerror(errno)) }
        if close(descriptor) != 0, failure == nil { failure = String(cString: strerror(errno)) }
        if let failure {
            unlink(temporary)
            throw WriteError(path: temporary, reason: failure)
        }
    }

    /// Flushes a folder's entries (the renames) to disk; best effort, as some file systems refuse it.
    static func syncFolder(_ folder: String) {
        let descriptor = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        fsync(descriptor)
        close(descriptor)
    }

    /// `mkdir -p`, with an error that names the part of the path that is not a folder.
    static func createFolder(_ path: String) throws {
        if let problem = folderProblem(path) { throw WriteError(path: path, reason: "\(problem); choose another output folder") }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) { return }
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw WriteError(path: path, reason: "cannot create the folder (\(String(cString: strerror(errno)))); check the path and its permissions")
        }
    }

    /// Why `path` cannot be (or become) a folder: it, or the nearest existing folder above it, is a file; or nil.
    public static func folderProblem(_ path: String) -> String? {
        var isDirectory: ObjCBool = false
        var candidate = path
        while !candidate.isEmpty {
            if FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory) {
                guard isDirectory.boolValue else {
                    return candidate == path ? "it is a file" : "'\(candidate)' is a file, so no folder can be created below it"
                }
                return nil
            }
            candidate = parent(of: candidate)
        }
        return nil
    }

    /// The folder a file is in, `.` for a bare name.
    static func folder(of path: String) -> String {
        let folder = parent(of: path)
        return folder.isEmpty ? "." : folder
    }

    /// The folder part of a path without Foundation's path bridging: `a/b/` → `a`, `a` → ``, `/a` → `/`.
    static func parent(of path: String) -> String {
        var text = Substring(path)
        while text.count > 1, text.hasSuffix("/") { text = text.dropLast() }
        guard let slash = text.lastIndex(of: "/") else { return "" }
        if slash == text.startIndex { return text == "/" ? "" : "/" }
        return String(text[..<slash])
    }

    /// An exclusive `flock` on the output folder itself (no lock file is left behind), held while a unit is written.
    struct FolderLock {
        let descriptor: Int32

        init(folder: String) throws {
            descriptor = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            guard descriptor >= 0 else { throw WriteError(path: folder, reason: "cannot open the output folder: \(String(cString: strerror(errno)))") }
            while flock(descriptor, LOCK_EX) != 0 {
                guard errno == EINTR else {
                    let reason = String(cString: strerror(errno))
                    close(descriptor)
                    throw WriteError(path: folder, reason: "cannot lock the output folder: \(reason)")
                }
            }
        }

        func release() {
            flock(descriptor, LOCK_UN)
            close(descriptor)
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
