import Crypto
import FlagRuntime
import Foundation

// Key files are one line of text: a label that says what the key is, a space, the base64 of the raw
// 32-byte Ed25519 key, and a newline. The label keeps a private key from being used where a public key
// belongs (both are 32 bytes), and the reverse:
//
//     flagc-ed25519-private-key 0e4n…=
//     flagc-ed25519-public-key  Zq8k…=      (a single space in the file)

/// A key file, or key text, that could not be used.
public struct SnapshotKeyError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong and what to do.
    public var message: String

    /// Creates a key error.
    public init(_ message: String) {
        self.message = message
    }

    /// The message.
    public var description: String { message }
}

/// An Ed25519 public key that may verify snapshot signatures; services hold these.
///
/// ```swift
/// let key = try SnapshotPublicKey(contentsOfFile: "/etc/flags/ci-signing.pub")
/// print(key.fingerprintText)   // 16 hex digits, as `flagc keygen` and `flagc inspect` print them
/// ```
public struct SnapshotPublicKey: Sendable, Hashable {
    /// The label on the first and only line of a public key file.
    public static let fileLabel = "flagc-ed25519-public-key"

    /// The raw 32-byte Ed25519 public key. (Only bytes are stored: swift-crypto's key types are not `Sendable`.)
    public let rawRepresentation: [UInt8]

    /// Creates a key from its raw 32 bytes.
    public init(rawRepresentation: [UInt8]) throws(SnapshotKeyError) {
        guard rawRepresentation.count == 32, (try? Curve25519.Signing.PublicKey(rawRepresentation: rawRepresentation)) != nil else {
            throw SnapshotKeyError("an Ed25519 public key has 32 bytes, not \(rawRepresentation.count)")
        }
        self.rawRepresentation = rawRepresentation
    }

    /// Reads a key from the text of a public key file (`flagc-ed25519-public-key BASE64`).
    public init(keyFileText text: String) throws(SnapshotKeyError) {
        try self.init(rawRepresentation: KeyFile.decode(text, label: Self.fileLabel, otherLabel: SnapshotSigningKey.fileLabel, kind: "public"))
    }

    /// Reads a public key file.
    public init(contentsOfFile path: String) throws(SnapshotKeyError) {
        do {
            try self.init(keyFileText: KeyFile.read(path))
        } catch {
            throw SnapshotKeyError("\(path): \(error.message)")
        }
    }

    /// SHA-256 of the raw key: what a signed snapshot's header records (32 bytes).
    public var fingerprint: [UInt8] { KeyFile.fingerprint(rawRepresentation) }

    /// The first 16 hex digits of the fingerprint, the form people compare.
    public var fingerprintText: String { SnapshotSignature.fingerprintText(fingerprint) }

    /// The contents of a public key file for this key, final newline included.
    public var keyFileText: String { KeyFile.encode(rawRepresentation, label: Self.fileLabel) }

    /// Whether `signature` is this key's Ed25519 signature of `message`.
    public func isValidSignature(_ signature: [UInt8], for message: [UInt8]) -> Bool {
        guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: rawRepresentation) else { return false }
        return key.isValidSignature(signature, for: message)
    }

    /// Keys are equal when their raw bytes are.
    public static func == (lhs: SnapshotPublicKey, rhs: SnapshotPublicKey) -> Bool {
        lhs.rawRepresentation == rhs.rawRepresentation
    }

    /// Hashes the raw bytes.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(rawRepresentation)
    }
}

/// An Ed25519 private key that signs snapshots (`flagc compile --signing-key`); it belongs in CI secrets only.
///
/// ```swift
/// let key = SnapshotSigningKey.generate()
/// let bytes = try snapshot.binaryBytes(signer: key)
/// ```
public struct SnapshotSigningKey: SnapshotSigner, Sendable {
    /// The label on the first and only line of a private key file.
    public static let fileLabel = "flagc-ed25519-private-key"

    /// The raw 32-byte seed. (Only bytes are stored: swift-crypto's key types are not `Sendable`.)
    public let rawRepresentation: [UInt8]
    /// The public key that verifies this key's signatures.
    public let publicKey: SnapshotPublicKey

    /// A new random key.
    public static func generate() -> SnapshotSigningKey {
        // A fresh key's 32-byte seed is always a valid key.
        try! SnapshotSigningKey(rawRepresentation: Array(Curve25519.Signing.PrivateKey().rawRepresentation))
    }

    /// Creates a key from its raw 32-byte seed.
    public init(rawRepresentation: [UInt8]) throws(SnapshotKeyError) {
        guard rawRepresentation.count == 32, let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: rawRepresentation) else {
            throw SnapshotKeyError("an Ed25519 private key has 32 bytes, not \(rawRepresentation.count)")
        }
        self.rawRepresentation = rawRepresentation
        publicKey = try SnapshotPublicKey(rawRepresentation: Array(key.publicKey.rawRepresentation))
    }

    /// Reads a key from the text of a private key file (`flagc-ed25519-private-key BASE64`).
    public init(keyFileText text: String) throws(SnapshotKeyError) {
        try self.init(rawRepresentation: KeyFile.decode(text, label: Self.fileLabel, otherLabel: SnapshotPublicKey.fileLabel, kind: "private"))
    }

    /// Reads a private key file.
    public init(contentsOfFile path: String) throws(SnapshotKeyError) {
        do {
            try self.init(keyFileText: KeyFile.read(path))
        } catch {
            throw SnapshotKeyError("\(path): \(error.message)")
        }
    }

    /// The contents of a private key file for this key, final newline included.
    public var keyFileText: String { KeyFile.encode(rawRepresentation, label: Self.fileLabel) }

    /// SHA-256 of the public key, recorded in the header of the snapshots this key signs.
    public var keyFingerprint: [UInt8] { publicKey.fingerprint }

    /// The Ed25519 signature of `message` (deterministic with swift-crypto's BoringSSL backend, as on Linux).
    public func sign(_ message: [UInt8]) throws -> [UInt8] {
        let key = try Curve25519.Signing.PrivateKey(rawRepresentation: rawRepresentation)
        return Array(try key.signature(for: message))
    }
}

/// Reading and writing key files.
enum KeyFile {
    /// The largest key file read (a key file is about 70 bytes).
    static let maximumSize = 4096

    static func read(_ path: String) throws(SnapshotKeyError) -> String {
        do {
            return String(decoding: try SnapshotLoader.readFile(path, limit: maximumSize), as: UTF8.self)
        } catch {
            throw SnapshotKeyError(error.reason)
        }
    }

    static func encode(_ raw: [UInt8], label: String) -> String {
        "\(label) \(Data(raw).base64EncodedString())\n"
    }

    static func decode(_ text: String, label: String, otherLabel: String, kind: String) throws(SnapshotKeyError) -> [UInt8] {
        let fields = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" })
        guard fields.count == 2, fields[0] == label else {
            if fields.first.map(String.init) == otherLabel {
                throw SnapshotKeyError("this is a \(kind == "public" ? "private" : "public") key file, not a \(kind) one; pass the .\(kind == "public" ? "pub" : "key") file written by `flagc keygen`")
            }
            throw SnapshotKeyError("not a flagc \(kind) key file: expected one line '\(label) BASE64' as written by `flagc keygen`")
        }
        guard let data = Data(base64Encoded: String(fields[1])), data.count == 32 else {
            throw SnapshotKeyError("the key is not the base64 of 32 bytes")
        }
        return Array(data)
    }

    static func fingerprint(_ raw: [UInt8]) -> [UInt8] {
        Array(Crypto.SHA256.hash(data: raw))
    }
}
