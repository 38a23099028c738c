// The runtime's side of snapshot signing: what a signature is, and the two protocols a crypto library
// implements. FlagRuntime itself has no crypto dependency; the opt-in `FlagSignatures` target provides
// Ed25519 (`Ed25519Verifier`, `SnapshotSigningKey`).

/// The signature carried in a binary snapshot's header.
public struct SnapshotSignature: Sendable, Hashable {
    /// SHA-256 of the signer's raw 32-byte Ed25519 public key (32 bytes).
    public var keyFingerprint: [UInt8]
    /// The 64-byte Ed25519 signature of the signed message (see `docs/snapshot-format.md`, "Signatures").
    public var signature: [UInt8]

    /// Creates a signature value.
    package init(keyFingerprint: [UInt8], signature: [UInt8]) {
        self.keyFingerprint = keyFingerprint
        self.signature = signature
    }

    /// The short form of the key fingerprint people compare: the first 16 hex digits.
    public var keyFingerprintText: String {
        SnapshotSignature.fingerprintText(keyFingerprint)
    }

    /// The first 16 lowercase hex digits of a 32-byte key fingerprint.
    public static func fingerprintText(_ fingerprint: [UInt8]) -> String {
        BinarySnapshotFormat.hex(fingerprint.prefix(8))
    }
}

/// Where a binary snapshot stands in the order of snapshots its signer issued: a sequence number that only
/// grows, and when it was issued. Carried in the header (format 1.1) and covered by the signature, so with a
/// verifier a `FlagStore` can refuse a validly signed but older snapshot (a replay) or one issued too long ago.
public struct SnapshotProvenance: Sendable, Hashable {
    /// Grows with every snapshot the signer issues (by default the time of the source revision, in Unix seconds).
    public var sequence: UInt64
    /// When the snapshot was issued, in Unix seconds.
    public var issuedAt: Int64

    /// Creates a provenance.
    public init(sequence: UInt64, issuedAt: Int64) {
        self.sequence = sequence
        self.issuedAt = issuedAt
    }
}

/// Signs binary snapshots; `Snapshot.binaryBytes(signer:)` calls it while writing.
///
/// `FlagSignatures.SnapshotSigningKey` is the Ed25519 implementation the CLI uses.
public protocol SnapshotSigner {
    /// SHA-256 of the raw public key that verifies this signer's signatures (32 bytes).
    var keyFingerprint: [UInt8] { get }

    /// The 64-byte signature of `message`.
    func sign(_ message: [UInt8]) throws -> [UInt8]
}

/// Decides whether a snapshot's signature is acceptable; `SnapshotLoader` and `FlagStore` call it before
/// decoding a snapshot's payload.
///
/// `FlagSignatures.Ed25519Verifier(trustedPublicKeys:)` is the implementation:
///
/// ```swift
/// import FlagSignatures
/// let verifier = Ed25519Verifier(trustedPublicKeys: [try SnapshotPublicKey(contentsOfFile: "/etc/flags/ci.pub")])
/// let store = try FlagStore(contentsOfFile: "snapshot.bin", signatureVerifier: verifier)
/// ```
public protocol SnapshotSignatureVerifier: Sendable {
    /// Throws unless `signature` is a valid signature of `message` by a trusted key; `signature` is nil for an
    /// unsigned snapshot (a JSON snapshot is always unsigned).
    func verify(message: [UInt8], signature: SnapshotSignature?) throws(SnapshotSignatureError)
}

/// Why a snapshot's signature was refused.
public struct SnapshotSignatureError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kinds of refusal.
    public enum Kind: Sendable, Equatable {
        /// The snapshot carries no signature.
        case unsigned
        /// The snapshot is signed by a key that is not trusted.
        case untrustedKey
        /// The signature does not match the content: the snapshot was altered after signing.
        case invalidSignature
    }

    /// What kind of refusal this is.
    public var kind: Kind
    /// What is wrong, for people.
    public var message: String

    /// Creates a signature error.
    public init(kind: Kind, message: String) {
        self.kind = kind
        self.message = message
    }

    /// The message.
    public var description: String { message }
}
