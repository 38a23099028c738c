import ArgumentParser
import FlagCompiler
import FlagSignatures
import Foundation

/// `flagc keygen`: write an Ed25519 key pair for signing snapshots.
struct Keygen: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write an Ed25519 key pair for signing snapshots (NAME.key, mode 0600, and NAME.pub).",
        discussion: """
            Keep NAME.key in CI secrets and pass it to `flagc compile --signing-key`; give NAME.pub to services \
            (Ed25519Verifier) and to `flagc inspect --trusted-key`. Each file is one line: a label and the base64 \
            of the raw 32-byte key. Existing files are not overwritten unless --force is given.
            """
    )

    @Option(help: ArgumentHelp("The folder to write the key files into.", valueName: "dir"))
    var out: String = "."

    @Option(help: ArgumentHelp("The file name without extension.", valueName: "name"))
    var name: String = "flagc-signing"

    @ArgumentParser.Flag(help: "Replace existing key files.")
    var force = false

    func run() async throws {
        let folder = { (file: String) in out == "." ? file : (out as NSString).appendingPathComponent(file) }
        let privatePath = folder(name + ".key")
        let publicPath = folder(name + ".pub")
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: out, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw CommandUsageError("--out '\(out)' is a file; pass a folder for the key files")
        }
        if !force {
            for path in [privatePath, publicPath] where FileManager.default.fileExists(atPath: path) {
                throw CommandUsageError("\(path) exists; choose another --name or --out, or pass --force to replace it")
            }
        }
        let key = SnapshotSigningKey.generate()
        do {
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            _ = try SnapshotFile.writeAtomically(Array(key.keyFileText.utf8), to: privatePath, mode: 0o600)
            _ = try SnapshotFile.writeAtomically(Array(key.publicKey.keyFileText.utf8), to: publicPath, mode: 0o644)
        } catch {
            Output.standardError("error: \(error)\n")
            throw ExitCode.failure
        }
        Output.standardOutput("""
            wrote \(privatePath) (private key, mode 0600: store it as a CI secret, never commit it)
            wrote \(publicPath) (public key \(key.publicKey.fingerprintText): give it to services that verify snapshots)

            """)
    }
}
