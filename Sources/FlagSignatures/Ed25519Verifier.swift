import Crypto
import FlagRuntime

/// Accepts only binary snapshots signed by one of a set of trusted Ed25519 public keys.
///
/// Give it to a `FlagStore`; unsigned snapshots (JSON ones included), snapshots signed by any other key and
/// snapshots altered after signing are then refused with an error that says which of these it is, and the
/// store keeps serving what it had.
///
/// ```swift
/// import FlagRuntime
/// import FlagSignatures
///
/// let verifier = Ed25519Verifier(trustedPublicKeys: [try SnapshotPublicKey(contentsOfFile: "/etc/flags/ci.pub")])
/// let store = try FlagStore(contentsOfFile: "/etc/flags/snapshot.bin", signatureVerifier: verifier)
/// ```
public struct Ed25519Verifier: SnapshotSignatureVerifier {
    /// The keys whose signatures are accepted.
    public let trustedPublicKeys: [SnapshotPublicKey]

    /// Creates a verifier trusting these keys (several during a key rotation).
    public init(trustedPublicKeys: [SnapshotPublicKey]) {
        self.trustedPublicKeys = trustedPublicKeys
    }

    /// Throws unless `signature` is a valid signature of `message` by a trusted key.
    public func verify(message: [UInt8], signature: SnapshotSignature?) throws(SnapshotSignatureError) {
        guard let signature else {
            throw SnapshotSignatureError(kind: .unsigned, message: "unsigned snapshot: only snapshots signed by a trusted key (\(trustedList)) are accepted; compile with --signing-key")
        }
        guard let key = trustedPublicKeys.first(where: { $0.fingerprint == signature.keyFingerprint }) else {
            throw SnapshotSignatureError(kind: .untrustedKey, message: "signed by an untrusted key (\(signature.keyFingerprintText)); trusted: \(trustedList)")
        }
        guard key.isValidSignature(signature.signature, for: message) else {
            throw SnapshotSignatureError(kind: .invalidSignature, message: "invalid signature: the snapshot was altered after key \(key.fingerprintText) signed it")
        }
    }

    private var trustedList: String {
        trustedPublicKeys.isEmpty ? "none configured" : trustedPublicKeys.map(\.fingerprintText).joined(separator: ", ")
    }
}
