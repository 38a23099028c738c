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

    /// `cannot load PATH: REASON`, or `snapshot refused: REASON` for a snapshot that came from no file.
    public var description: String { path.isEmpty ? "snapshot refused: \(reason)" : "cannot load \(path): \(reason)" }
}

/// How a snapshot file was encoded.
public enum SnapshotEncoding: Sendable, Hashable, CustomStringConvertible {
    /// `snapshot.json`, with its `formatVersion`.
    case json(formatVersion: Int)
    /// `snapshot.bin`, with its format version.
    case binary(majorVersion: Int, minorVersion: Int)

    /// `json (format 1)` or `binary 1.0`.
    public var description: String {
        switch self {
        case .json(let version): "json (format \(version))"
        case .binary(let major, let minor): "binary \(major).\(minor)"
        }
    }
}

/// A loaded snapshot with what the file said about itself.
public struct LoadedSnapshot: Sendable {
    /// The decoded, checked snapshot.
    public var snapshot: Snapshot
    /// Which form the bytes were in.
    public var encoding: SnapshotEncoding
    /// The signature a binary snapshot carries (nil when unsigned, and always for JSON).
    public var signature: SnapshotSignature?
    /// The file's size in bytes.
    public var byteCount: Int
    /// The sequence and issue time a binary snapshot's header carries (nil for JSON and format 1.0).
    public var provenance: SnapshotProvenance?
}

/// Reads and checks snapshot files in either form, told apart by content: a binary snapshot starts with the
/// magic bytes `89 46 4C 41 47 0D 0A 1A`, a JSON snapshot with `{`.
///
/// ```swift
/// let snapshot = try SnapshotLoader.load(contentsOfFile: "build/snapshot.bin")
/// ```
///
/// Nothing is returned unless every check passed: for binary, magic, version, lengths, header CRC-32 and
/// payload SHA-256 (then the signature, when a verifier is given) before the payload is decoded; for both
/// forms, that the `id` is the SHA-256 of the decoded content (docs/snapshot-format.md, "What is verified").
public enum SnapshotLoader {
    /// The largest snapshot file accepted (256 MiB).
    public static let maximumFileSize = 256 << 20

    /// Reads a snapshot file (either form), decodes it and checks it; with a verifier, its signature too.
    public static func load(contentsOfFile path: String, verifier: (any SnapshotSignatureVerifier)? = nil) throws(SnapshotLoadError) -> Snapshot {
        try read(contentsOfFile: path, verifier: verifier).snapshot
    }

    /// Decodes snapshot bytes (the form is recognised by content) and checks them; with a verifier, the signature too.
    public static func load(bytes: [UInt8], verifier: (any SnapshotSignatureVerifier)? = nil) throws(SnapshotLoadError) -> Snapshot {
        try read(bytes: bytes, verifier: verifier).snapshot
    }

    /// Like `load(contentsOfFile:verifier:)`, and says which form the file was in and how it was signed.
    public static func read(contentsOfFile path: String, verifier: (any SnapshotSignatureVerifier)? = nil) throws(SnapshotLoadError) -> LoadedSnapshot {
        let bytes: [UInt8]
        do {
            bytes = try readFile(path, limit: maximumFileSize)
        } catch {
            throw SnapshotLoadError(path: path, reason: error.reason)
        }
        do {
            return try read(bytes: bytes, verifier: verifier)
        } catch {
            throw SnapshotLoadError(path: path, reason: error.reason)
        }
    }

    /// Like `load(bytes:verifier:)`, and says which form the bytes were in and how they were signed.
    public static func read(bytes: [UInt8], verifier: (any SnapshotSignatureVerifier)? = nil) throws(SnapshotLoadError) -> LoadedSnapshot {
        if bytes.first == BinarySnapshotFormat.magic[0] {
            return try readBinary(bytes, verifier: verifier)
        }
        guard let first = bytes.first(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }) else {
            throw SnapshotLoadError(path: "", reason: bytes.isEmpty ? "the file is empty" : "the file holds only white space")
        }
        guard first == UInt8(ascii: "{") else {
            throw SnapshotLoadError(path: "", reason: "not a flagc snapshot: it starts with neither '{' (JSON) nor the binary magic bytes \(BinarySnapshotFormat.spacedHex(BinarySnapshotFormat.magic))")
        }
        if let verifier {
            do {
                try verifier.verify(message: bytes, signature: nil)
            } catch {
                throw SnapshotLoadError(path: "", reason: "\(error.message) (a JSON snapshot cannot carry a signature; load snapshot.bin)")
            }
        }
        let snapshot: Snapshot
        do {
            snapshot = try Snapshot(jsonBytes: bytes)
        } catch {
            throw SnapshotLoadError(path: "", reason: error.description)
        }
        try checkID(snapshot, contentID: snapshot.contentID)
        return LoadedSnapshot(snapshot: snapshot, encoding: .json(formatVersion: snapshot.formatVersion), signature: nil, byteCount: bytes.count)
    }

    /// The id must be the SHA-256 of the content, in both forms (the decoders have checked validity with
    /// `SnapshotValidation`): a file whose content was edited (and, for binary, whose checksums were recomputed)
    /// cannot pass under the old id. `expected` is `snapshot.contentID`, or for binary the same id computed from the
    /// payload (`BinaryContentID`).
    private static func checkID(_ snapshot: Snapshot, contentID expected: String) throws(SnapshotLoadError) {
        guard snapshot.id == expected else {
            throw SnapshotLoadError(path: "", reason: "the id \(snapshot.id.prefix(12))… does not match the content (\(expected.prefix(12))…): the file was edited or damaged; compile it again")
        }
    }

    /// The payload size from which the content id is computed on a second thread while the payload is decoded (about
    /// 1,600 flags; starting a thread takes tens of microseconds, and below this the id takes well under a millisecond).
    static let backgroundContentIDThreshold = 256 << 10

    /// Header, checksum, signature, then payload; each step must pass before the next one starts.
    private static func readBinary(_ bytes: [UInt8], verifier: (any SnapshotSignatureVerifier)?) throws(SnapshotLoadError) -> LoadedSnapshot {
        let result: Result<LoadedSnapshot, SnapshotLoadError> = bytes.withUnsafeBytes { raw in
            do throws(SnapshotLoadError) {
                let header: BinarySnapshotHeader
                do throws(SnapshotDecodingError) {
                    header = try BinarySnapshotHeader(validating: raw)
                } catch {
                    throw SnapshotLoadError(path: "", reason: error.description)
                }
                if let verifier {
                    do throws(SnapshotSignatureError) {
                        try verifier.verify(message: header.signedMessage(of: raw), signature: header.signature)
                    } catch {
                        throw SnapshotLoadError(path: "", reason: error.message)
                    }
                }
                // The content id is written from the payload's bytes (`BinaryContentID`): a third of the instructions
                // of writing it from the decoded snapshot. For a large payload, on a thread of its own while this one
                // decodes; the thread is joined before `raw` goes out of scope, whatever the decoder says.
                let background = raw.count >= backgroundContentIDThreshold ? BackgroundWork.start { BinaryContentID.of(raw, header: header) } : nil
                let snapshot: Snapshot
                do throws(SnapshotDecodingError) {
                    snapshot = try BinarySnapshotDecoder.decodePayload(raw, header: header)
                } catch {
                    _ = background?.join()
                    throw SnapshotLoadError(path: "", reason: error.description)
                }
                let contentID = if let background { background.join() } else { BinaryContentID.of(raw, header: header) }
                assert(contentID == snapshot.contentID, "the content id written from the payload differs from the decoded snapshot's")
                try checkID(snapshot, contentID: contentID ?? snapshot.contentID)
                return .success(LoadedSnapshot(
                    snapshot: snapshot,
                    encoding: .binary(majorVersion: header.majorVersion, minorVersion: header.minorVersion),
                    signature: header.signature,
                    byteCount: bytes.count,
                    provenance: header.provenance
                ))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// Reads a whole regular file of at most `limit` bytes (`RegularFileReader`).
    package static func readFile(_ path: String, limit: Int) throws(SnapshotLoadError) -> [UInt8] {
        do {
            return try RegularFileReader.read(path, limit: limit).bytes
        } catch {
            throw SnapshotLoadError(path: path, reason: error.description)
        }
    }
}
