@testable import FlagReload
import FlagRuntime
import Foundation
import Testing

/// Reloads go through `SnapshotLoader`: the binary form is recognised by content, and a store's signature
/// verifier decides on every reloaded file as it does at start.
@Suite(.timeLimit(.minutes(2)))
struct ReloadVerificationTests {
    @Test func aBinarySnapshotReplacesAJSONOne() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.file("snapshot")
        try Files.writeAtomically(Snapshots.generation(1).jsonBytes(), to: path)
        let watcher = try SnapshotFileWatcher(path: path, options: WatchMode.events.options())
        try await whileWatching(watcher) {
            try Files.writeAtomically(Snapshots.generation(2).binaryBytes(), to: path)
            #expect(await eventually { Snapshots.servedGeneration(watcher.store) == 2 })
            var damaged = try Snapshots.generation(3).binaryBytes()
            damaged[damaged.count - 1] ^= 0xFF
            let recorder = OutcomeRecorder(watcher)
            try Files.writeAtomically(damaged, to: path)
            #expect(await eventually { !recorder.rejections.isEmpty }, "a damaged binary snapshot is rejected")
            #expect(Snapshots.servedGeneration(watcher.store) == 2)
        }
    }

    @Test func onlySnapshotsTheVerifierAcceptsAreServed() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.file("snapshot.bin")
        let trusted = ToyKey(secret: 7), untrusted = ToyKey(secret: 9)
        let verifier = ToyVerifier(trusted: 7)

        try Files.writeAtomically(Snapshots.generation(1).binaryBytes(), to: path)
        let unsigned = #expect(throws: SnapshotLoadError.self) {
            try SnapshotFileWatcher(path: path, signatureVerifier: verifier, options: WatchMode.events.options())
        }
        #expect(unsigned?.reason.contains("not signed") == true, "\(String(describing: unsigned))")

        try Files.writeAtomically(Snapshots.generation(1).binaryBytes(signer: trusted), to: path)
        let watcher = try SnapshotFileWatcher(path: path, signatureVerifier: verifier, options: WatchMode.events.options())
        #expect(watcher.store.signatureVerifier != nil)
        let recorder = OutcomeRecorder(watcher)
        try await whileWatching(watcher) {
            try Files.writeAtomically(Snapshots.generation(2).binaryBytes(signer: untrusted), to: path)
            #expect(await recorder.waitForRejection(containing: "untrusted key") != nil, "\(recorder.rejections)")
            try Files.writeAtomically(Snapshots.generation(3).jsonBytes(), to: path)
            #expect(await recorder.waitForRejection(containing: "not signed") != nil, "\(recorder.rejections)")
            #expect(Snapshots.servedGeneration(watcher.store) == 1)
            try Files.writeAtomically(Snapshots.generation(4).binaryBytes(signer: trusted), to: path)
            #expect(await eventually { Snapshots.servedGeneration(watcher.store) == 4 })
        }
    }
}

/// A stand-in for a real signing key: a keyed checksum, enough to tell trusted, untrusted and altered apart.
struct ToyKey: SnapshotSigner {
    var secret: UInt8

    var keyFingerprint: [UInt8] { [UInt8](repeating: secret, count: 32) }

    func sign(_ message: [UInt8]) throws -> [UInt8] { Self.checksum(message, secret: secret) }

    static func checksum(_ message: [UInt8], secret: UInt8) -> [UInt8] {
        var sum = [UInt8](repeating: secret, count: 64)
        for (index, byte) in message.enumerated() { sum[index % 64] = sum[index % 64] &* 31 &+ (byte ^ secret) }
        return sum
    }
}

/// Accepts only snapshots signed by `ToyKey(secret: trusted)`.
struct ToyVerifier: SnapshotSignatureVerifier {
    var trusted: UInt8

    func verify(message: [UInt8], signature: SnapshotSignature?) throws(SnapshotSignatureError) {
        guard let signature else { throw SnapshotSignatureError(kind: .unsigned, message: "the snapshot is not signed") }
        guard signature.keyFingerprint == ToyKey(secret: trusted).keyFingerprint else {
            throw SnapshotSignatureError(kind: .untrustedKey, message: "signed by an untrusted key")
        }
        guard signature.signature == ToyKey.checksum(message, secret: trusted) else {
            throw SnapshotSignatureError(kind: .invalidSignature, message: "the signature does not match the content")
        }
    }
}
