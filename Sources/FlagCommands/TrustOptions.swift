import ArgumentParser
import FlagCompiler
import FlagRuntime
import FlagSignatures

/// `--trusted-key FILE` (repeatable), shared by `inspect`, `eval` and `watch`: with at least one key, only
/// snapshots signed by one of them are read, and nothing is printed from any other.
struct TrustOptions: ParsableArguments {
    @Option(help: ArgumentHelp("A public key file (from `flagc keygen`) whose signatures are trusted; repeatable. With it, unsigned, untrusted and altered snapshots are refused.", valueName: "file"))
    var trustedKey: [String] = []

    /// The verifier for the given keys, or nil without `--trusted-key`; an unreadable key file is a usage error.
    func verifier() throws -> Ed25519Verifier? {
        guard !trustedKey.isEmpty else { return nil }
        let keys = try trustedKey.map { path in
            do {
                return try SnapshotPublicKey(contentsOfFile: path)
            } catch {
                throw CommandUsageError("--trusted-key \(error)")
            }
        }
        return Ed25519Verifier(trustedPublicKeys: keys)
    }
}
