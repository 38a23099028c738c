import FlagRuntime
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What an API key may read: every flag, or the flags whose keys start with one of its prefixes.
struct FlagAccess: Sendable, Equatable {
    /// The key prefixes the caller may read; nil for every flag.
    var prefixes: [String]?

    /// Access to every flag (no API keys configured, or a key without prefixes).
    static let all = FlagAccess(prefixes: nil)

    /// Whether the caller may read `flag`.
    func allows(_ flag: String) -> Bool {
        guard let prefixes else { return true }
        return prefixes.contains { flag.utf8.starts(with: $0.utf8) }
    }
}

/// The API keys of `--api-key-file`, parsed: one key a line, optionally followed by the flag key prefixes it may
/// read (`KEY billing. checkout.`); blank lines and lines starting with `#` are ignored.
///
/// Only SHA-256 digests of the keys are kept, and a presented key is compared with every digest in constant
/// time (no early exit, on the digest or between keys), so timing does not tell how much of a key was right.
struct APIKeySet: Sendable {
    /// The digests and what each key may read.
    private let entries: [(digest: [UInt8], access: FlagAccess)]

    /// The number of keys.
    var count: Int { entries.count }

    /// The shortest key accepted, in characters.
    static let minimumLength = 16

    /// A line of the key file that is not a key.
    struct LineError: Error, CustomStringConvertible {
        /// `line N: what is wrong; what to do`.
        var description: String
    }

    /// Parses the key file's text.
    init(parsing text: String) throws(LineError) {
        var entries: [(digest: [UInt8], access: FlagAccess)] = []
        var digests: Set<[UInt8]> = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
            guard let key = fields.first, !key.hasPrefix("#") else { continue }
            guard key.count >= Self.minimumLength else {
                throw LineError(description: "line \(index + 1): the key is \(key.count) characters long; use at least \(Self.minimumLength) random ones (for example `openssl rand -hex 32`)")
            }
            let digest = SHA256.hash(Array(key.utf8))
            guard digests.insert(digest).inserted else {
                throw LineError(description: "line \(index + 1): the key is listed twice; give each key one line with all its prefixes")
            }
            let prefixes = fields.dropFirst().map(String.init)
            entries.append((digest, prefixes.isEmpty ? .all : FlagAccess(prefixes: prefixes)))
        }
        self.entries = entries
    }

    /// What `presented` may read, or nil when it is no key of the set.
    func access(for presented: some StringProtocol) -> FlagAccess? {
        let digest = SHA256.hash(Array(presented.utf8))
        var found: FlagAccess?
        for entry in entries {
            var difference: UInt8 = 0
            for index in 0..<digest.count { difference |= digest[index] ^ entry.digest[index] }
            if difference == 0 { found = entry.access }
        }
        return found
    }
}

/// `--api-key-file`: the key set, re-read when the file changes (`refreshIfChanged()`, which
/// `APIKeyFileService` calls every second). A file that becomes unreadable or invalid keeps the last good keys.
final class APIKeyFile: Sendable {
    /// The file's path.
    let path: String
    private struct State {
        var keys: APIKeySet
        var signature: FileSignature
    }
    private let state: Mutex<State>

    /// What tells a changed file from an unchanged one without reading it.
    struct FileSignature: Equatable {
        var device: UInt64
        var inode: UInt64
        var size: Int64
        var modified: Int64
        var changed: Int64

        init(_ status: stat) {
            device = UInt64(status.st_dev)
            inode = UInt64(status.st_ino)
            size = Int64(status.st_size)
            modified = Int64(status.st_mtim.tv_sec) * 1_000_000_000 + Int64(status.st_mtim.tv_nsec)
            changed = Int64(status.st_ctim.tv_sec) * 1_000_000_000 + Int64(status.st_ctim.tv_nsec)
        }
    }

    /// The largest key file read, in bytes.
    static let maximumSize = 1 << 20

    /// Reads the key file; throws a message naming the file and what to do.
    init(path: String) throws(APIKeyFileError) {
        self.path = path
        let (keys, signature) = try Self.read(path)
        state = Mutex(State(keys: keys, signature: signature))
    }

    /// The current keys.
    var keys: APIKeySet { state.withLock { $0.keys } }

    /// Re-reads the file if it changed since it was last read; returns nil when nothing changed, the new key
    /// count after a good re-read, or throws (keeping the old keys) when the new file is bad.
    @discardableResult
    func refreshIfChanged() throws(APIKeyFileError) -> Int? {
        var status = stat()
        guard stat(path, &status) == 0 else {
            throw APIKeyFileError(description: "cannot read the API key file \(path): \(String(cString: strerror(errno))); still using the previous keys")
        }
        guard FileSignature(status) != state.withLock({ $0.signature }) else { return nil }
        let (keys, signature) = try Self.read(path)
        state.withLock { $0 = State(keys: keys, signature: signature) }
        return keys.count
    }

    private static func read(_ path: String) throws(APIKeyFileError) -> (APIKeySet, FileSignature) {
        let file: (bytes: [UInt8], status: stat)
        do {
            file = try RegularFileReader.read(path, limit: maximumSize)
        } catch {
            throw APIKeyFileError(description: "cannot read the API key file \(path): \(error)")
        }
        do {
            return (try APIKeySet(parsing: String(decoding: file.bytes, as: UTF8.self)), FileSignature(file.status))
        } catch {
            throw APIKeyFileError(description: "\(path): \(error)")
        }
    }
}

/// A key file that cannot be read or parsed.
struct APIKeyFileError: Error, CustomStringConvertible {
    /// What is wrong and what to do.
    var description: String
}
