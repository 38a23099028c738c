@testable import FlagRuntime
import FlagRuntimeTesting
import FlagSignatures
import Testing

/// Ed25519 signatures on binary snapshots: a store that trusts keys refuses unsigned snapshots, snapshots signed by
/// another key, and snapshots altered after signing (payload or header), each with an error that says which.
@Suite struct SignatureTests {
    static let key = try! SnapshotSigningKey(rawRepresentation: Array(repeating: 7, count: 32))
    static let otherKey = try! SnapshotSigningKey(rawRepresentation: Array(repeating: 9, count: 32))
    static let verifier = Ed25519Verifier(trustedPublicKeys: [key.publicKey])
    static let snapshot = BinarySnapshotTests.small
    static let signed: [UInt8] = try! snapshot.binaryBytes(signer: key)

    @Test func validSignatureLoads() throws {
        let loaded = try SnapshotLoader.read(bytes: SignatureTests.signed, verifier: SignatureTests.verifier)
        #expect(loaded.snapshot == SignatureTests.snapshot)
        #expect(loaded.signature?.keyFingerprint == SignatureTests.key.publicKey.fingerprint)
        #expect(loaded.signature?.keyFingerprintText == SignatureTests.key.publicKey.fingerprintText)
        // Several trusted keys (a rotation): any of them will do.
        let rotating = Ed25519Verifier(trustedPublicKeys: [SignatureTests.otherKey.publicKey, SignatureTests.key.publicKey])
        #expect(loadError(SignatureTests.signed, verifier: rotating) == nil)
    }

    @Test func signedOutputIsDeterministicAndReadableWithoutAVerifier() throws {
        #expect(try SignatureTests.snapshot.binaryBytes(signer: SignatureTests.key) == SignatureTests.signed)
        #expect(try SnapshotLoader.load(bytes: SignatureTests.signed) == SignatureTests.snapshot)
        #expect(SignatureTests.signed[24] & 1 == 1, "the signed flag is set")
    }

    @Test func missingSignatureIsRefused() throws {
        let unsigned = try SignatureTests.snapshot.binaryBytes()
        let reason = loadError(unsigned, verifier: SignatureTests.verifier)
        #expect(reason == "unsigned snapshot: only snapshots signed by a trusted key (\(SignatureTests.key.publicKey.fingerprintText)) are accepted; compile with --signing-key")
        let json = loadError(SignatureTests.snapshot.jsonBytes(), verifier: SignatureTests.verifier)
        #expect(json?.hasPrefix("unsigned snapshot: ") == true)
        #expect(json?.hasSuffix("(a JSON snapshot cannot carry a signature; load snapshot.bin)") == true)
    }

    @Test func wrongKeyIsRefused() throws {
        let other = try SignatureTests.snapshot.binaryBytes(signer: SignatureTests.otherKey)
        #expect(loadError(other, verifier: SignatureTests.verifier) == "signed by an untrusted key (\(SignatureTests.otherKey.publicKey.fingerprintText)); trusted: \(SignatureTests.key.publicKey.fingerprintText)")
        #expect(loadError(other, verifier: Ed25519Verifier(trustedPublicKeys: []))?.hasSuffix("trusted: none configured") == true)
    }

    /// A forged signature that claims the trusted key's fingerprint is caught by the signature check itself.
    @Test func wrongKeyClaimingTheTrustedFingerprintIsRefused() throws {
        var forged = try SignatureTests.snapshot.binaryBytes(signer: SignatureTests.otherKey)
        forged.replaceSubrange(64..<96, with: SignatureTests.key.publicKey.fingerprint)
        BinaryFile.resealHeader(&forged)
        #expect(loadError(forged, verifier: SignatureTests.verifier)?.hasPrefix("invalid signature: the snapshot was altered after key ") == true)
    }

    @Test func tamperedPayloadIsRefused() {
        // Changed naively: the checksum catches it first.
        var naive = SignatureTests.signed
        naive[naive.count - 3] ^= 0x01
        #expect(loadError(naive, verifier: SignatureTests.verifier)?.hasPrefix("checksum mismatch") == true)

        // Changed with the checksums recomputed: the signature tells (and, without a verifier, the id, which no
        // longer matches the content; with a recomputed id too, only the signature).
        var flags = SignatureTests.snapshot.flags
        flags[0].enabled = false
        var altered = SignatureTests.snapshot
        altered.flags = flags
        var resealed = BinaryFile(SignatureTests.signed)
        resealed.payload = Array(try! altered.binaryBytes()[160...])
        let bytes = resealed.bytes()
        #expect(loadError(bytes)?.contains("does not match the content") == true, "without a verifier the id gives it away")
        #expect(loadError(bytes, verifier: SignatureTests.verifier) == "invalid signature: the snapshot was altered after key \(SignatureTests.key.publicKey.fingerprintText) signed it")
        altered.id = altered.contentID
        resealed.payload = Array(try! altered.binaryBytes()[160...])
        #expect(loadError(resealed.bytes()) == nil, "without a verifier a consistently re-encoded file is well formed")
        #expect(loadError(resealed.bytes(), verifier: SignatureTests.verifier)?.hasPrefix("invalid signature") == true)
    }

    @Test func tamperedHeaderIsRefused() {
        for edit in 0..<3 {
            var file = BinaryFile(SignatureTests.signed)
            switch edit {
            case 0: file.minorVersion = 1  // a version the signer did not write
            case 1: file.flags |= 1 << 7  // an optional-section bit
            default: file.headerExtension = [0, 0, 0, 0]  // a longer header
            }
            let bytes = file.bytes()
            #expect(loadError(bytes) == nil, "edit \(edit) is well formed")
            #expect(loadError(bytes, verifier: SignatureTests.verifier)?.hasPrefix("invalid signature") == true, "edit \(edit)")
        }
        // Stripping the signature makes it unsigned.
        var stripped = BinaryFile(SignatureTests.signed)
        stripped.flags &= ~1
        stripped.signatureFields = Array(repeating: 0, count: 96)
        #expect(loadError(stripped.bytes(), verifier: SignatureTests.verifier)?.hasPrefix("unsigned snapshot") == true)
    }

    @Test func theSignatureCoversTheHeaderWithCRCAndSignatureZeroed() throws {
        let bytes = SignatureTests.signed
        var message = bytes
        for index in 28..<32 { message[index] = 0 }
        for index in 96..<160 { message[index] = 0 }
        #expect(SignatureTests.key.publicKey.isValidSignature(Array(bytes[96..<160]), for: message))
        let header = try bytes.withUnsafeBytes { try BinarySnapshotHeader(validating: $0) }
        #expect(bytes.withUnsafeBytes { header.signedMessage(of: $0) } == message)
    }

    @Test func storesRefuseAndKeepServingWhatTheyHad() throws {
        let directory = "/tmp/flagc-signature-tests-\(UInt64.random(in: 0...UInt64.max))"
        #expect(mkdir(directory, 0o755) == 0)
        defer { _ = rmdirRecursive(directory) }
        let good = "\(directory)/good.bin", unsigned = "\(directory)/unsigned.bin"
        try write(SignatureTests.signed, to: good)
        try write(SignatureTests.snapshot.binaryBytes(), to: unsigned)

        let store = try FlagStore(contentsOfFile: good, signatureVerifier: SignatureTests.verifier)
        #expect(store.snapshot == SignatureTests.snapshot)
        #expect(throws: SnapshotLoadError.self) { try store.replace(contentsOfFile: unsigned) }
        #expect(store.snapshot == SignatureTests.snapshot)
        #expect(throws: SnapshotLoadError.self) { try FlagStore(contentsOfFile: unsigned, signatureVerifier: SignatureTests.verifier) }
        // Without a verifier, the unsigned file is fine.
        #expect(try FlagStore(contentsOfFile: unsigned).snapshot == SignatureTests.snapshot)
    }

    // MARK: Key files

    @Test func keyFilesRoundTrip() throws {
        let key = SignatureTests.key
        #expect(key.keyFileText.hasPrefix("flagc-ed25519-private-key "))
        #expect(key.keyFileText.hasSuffix("=\n"))
        #expect(try SnapshotSigningKey(keyFileText: key.keyFileText).rawRepresentation == key.rawRepresentation)
        #expect(try SnapshotPublicKey(keyFileText: key.publicKey.keyFileText) == key.publicKey)
        #expect(key.publicKey.fingerprintText.count == 16)
        #expect(SnapshotSigningKey.generate().rawRepresentation != SnapshotSigningKey.generate().rawRepresentation)
    }

    @Test(arguments: [
        ("", "not a flagc public key file"),
        ("flagc-ed25519-public-key", "not a flagc public key file"),
        ("flagc-ed25519-public-key AAAA", "the key is not the base64 of 32 bytes"),
        ("flagc-ed25519-public-key !!!", "the key is not the base64 of 32 bytes"),
        ("flagc-ed25519-private-key BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=", "this is a private key file, not a public one"),
    ])
    func badPublicKeyFilesAreRefused(text: String, message: String) {
        do {
            _ = try SnapshotPublicKey(keyFileText: text)
            Issue.record("expected an error")
        } catch {
            #expect(error.message.hasPrefix(message), "\(error)")
        }
    }

    @Test func aPublicKeyIsNotAPrivateKey() {
        #expect(throws: SnapshotKeyError.self) { try SnapshotSigningKey(keyFileText: SignatureTests.key.publicKey.keyFileText) }
    }
}

/// Rollback and freshness: with a verifier, a store refuses a validly signed snapshot older than the one it serves
/// (unless told to accept older ones) and, with a maximum age, one issued too long ago.
@Suite struct FreshnessTests {
    static let key = SignatureTests.key
    static let verifier = SignatureTests.verifier
    static let older: Snapshot = {
        var flags = BinarySnapshotTests.small.flags
        flags[1].defaultVariant = "low"
        flags[1].variants = [Variant(name: "low", value: .integer(3))]
        return Snapshot(flags: flags)
    }()

    /// Writes `snapshot` signed with `sequence` (issued at `issuedAt`) to a fresh file; returns its path.
    func file(_ snapshot: Snapshot, sequence: UInt64?, issuedAt: Int64 = 1_800_000_000) throws -> String {
        let path = "/tmp/flagc-freshness-\(UInt64.random(in: 0...UInt64.max)).bin"
        let provenance = sequence.map { SnapshotProvenance(sequence: $0, issuedAt: issuedAt) }
        try write(try snapshot.binaryBytes(signer: Self.key, provenance: provenance), to: path)
        return path
    }

    @Test func provenanceIsSignedAndRead() throws {
        let bytes = try BinarySnapshotTests.small.binaryBytes(signer: Self.key, provenance: SnapshotProvenance(sequence: 42, issuedAt: 1_800_000_000))
        let loaded = try SnapshotLoader.read(bytes: bytes, verifier: Self.verifier)
        #expect(loaded.provenance == SnapshotProvenance(sequence: 42, issuedAt: 1_800_000_000))
        #expect(loaded.encoding == .binary(majorVersion: 1, minorVersion: 1))
        // The sequence is covered by the signature: raising it breaks the signature.
        var raised = bytes
        raised[160] = 43
        BinaryFile.resealHeader(&raised)
        #expect(throws: SnapshotLoadError.self) { try SnapshotLoader.read(bytes: raised, verifier: Self.verifier) }
        #expect(try SnapshotLoader.read(bytes: raised).provenance?.sequence == 43, "without a verifier it is only read")
    }

    @Test func olderSnapshotsAreRefusedUnlessAccepted() throws {
        let newer = try file(BinarySnapshotTests.small, sequence: 5)
        let replay = try file(Self.older, sequence: 3)
        let unsequenced = try file(Self.older, sequence: nil)
        defer { for path in [newer, replay, unsequenced] { unlink(path) } }
        let store = try FlagStore(contentsOfFile: newer, signatureVerifier: Self.verifier)
        #expect(throws: SnapshotLoadError.self) { try store.replace(contentsOfFile: replay) }
        #expect(throws: SnapshotLoadError.self) { try store.replace(contentsOfFile: unsequenced) }
        #expect(store.snapshot == BinarySnapshotTests.small, "the served snapshot stays")
        do {
            try store.replace(contentsOfFile: replay)
        } catch {
            #expect(error.reason.hasPrefix("the snapshot is older than the one being served (sequence 3 < 5)"), "\(error)")
        }
        let rollback = try FlagStore(contentsOfFile: newer, signatureVerifier: Self.verifier,
                                     freshnessPolicy: SnapshotFreshnessPolicy(acceptsOlderSnapshots: true))
        try rollback.replace(contentsOfFile: replay)
        #expect(rollback.snapshot.id == Self.older.id)
        // Without a verifier the sequence proves nothing and is not applied.
        let unverified = try FlagStore(contentsOfFile: newer)
        try unverified.replace(contentsOfFile: replay)
        #expect(unverified.snapshot.id == Self.older.id)
    }

    @Test func maximumAgeRefusesStaleSnapshots() throws {
        let path = try file(BinarySnapshotTests.small, sequence: 1, issuedAt: 1_800_000_000)
        defer { unlink(path) }
        let policy = SnapshotFreshnessPolicy(maximumAge: 3600)
        let fresh = try FlagStore(contentsOfFile: path, clock: FixedClock(1_800_000_000 + 3600), signatureVerifier: Self.verifier, freshnessPolicy: policy)
        #expect(fresh.snapshot == BinarySnapshotTests.small)
        do {
            _ = try FlagStore(contentsOfFile: path, clock: FixedClock(1_800_000_000 + 3601), signatureVerifier: Self.verifier, freshnessPolicy: policy)
            Issue.record("a snapshot older than the maximum age loaded")
        } catch {
            #expect(error.reason.contains("more than the maximum age of 3600 s"), "\(error)")
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

private func write(_ bytes: [UInt8], to path: String) throws {
    guard let file = fopen(path, "wb") else { throw SnapshotKeyError("cannot open \(path)") }
    defer { fclose(file) }
    guard fwrite(bytes, 1, bytes.count, file) == bytes.count else { throw SnapshotKeyError("cannot write \(path)") }
}

private func rmdirRecursive(_ path: String) -> Int32 {
    for name in ["good.bin", "unsigned.bin"] { unlink("\(path)/\(name)") }
    return rmdir(path)
}
