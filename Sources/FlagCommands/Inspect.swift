import ArgumentParser
import FlagCompiler
import FlagRuntime
import FlagSignatures
import Foundation

/// `flagc inspect`: describe a snapshot file of either form, or print it as canonical JSON.
struct Inspect: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Describe a snapshot (snapshot.bin or snapshot.json): id, format, signature and a summary per flag.",
        discussion: """
            With --trusted-key, the signature is verified against the given public keys (repeat the option for \
            several). --format json prints the whole snapshot as canonical JSON, equal to the snapshot.json \
            compiled with it, so a binary snapshot can be read in review. Exit status: 0 when the snapshot loads \
            (and, with --trusted-key, its signature verifies); 1 otherwise; 2 for usage errors.
            """
    )

    @Argument(help: "The snapshot file.")
    var snapshot: String

    @OptionGroup var trust: TrustOptions

    @Option(help: "Output format: text (a summary) or json (the whole snapshot, canonical).")
    var format: InspectFormat = .text

    func run() async throws {
        let verifier = try trust.verifier()
        let bytes: [UInt8]
        let loaded: LoadedSnapshot
        do {
            bytes = try SnapshotLoader.readFile(snapshot, limit: SnapshotLoader.maximumFileSize)
            loaded = try SnapshotLoader.read(bytes: bytes)
        } catch {
            Output.standardError("error: \(SnapshotLoadError(path: snapshot, reason: error.reason))\n")
            throw ExitCode.failure
        }
        // With --trusted-key, the signature is checked before anything of the snapshot is printed, in every format.
        var verificationFailure: String?
        if let verifier {
            do {
                _ = try SnapshotLoader.read(bytes: bytes, verifier: verifier)
            } catch {
                verificationFailure = error.reason
            }
        }
        if format == .json {
            if let verificationFailure {
                Output.standardError("error: \(snapshot): NOT VERIFIED: \(verificationFailure)\n")
                throw ExitCode.failure
            }
            Output.standardOutput(String(decoding: loaded.snapshot.jsonBytes(), as: UTF8.self))
            return
        }
        let signature: String
        if let verificationFailure {
            signature = "NOT VERIFIED: \(verificationFailure)"
        } else if verifier != nil {
            signature = "signed, key \(loaded.signature?.keyFingerprintText ?? "?"), verified"
        } else {
            signature = loaded.signature.map { "signed, key \($0.keyFingerprintText) (not verified: pass --trusted-key)" } ?? "unsigned"
        }
        let snapshot = loaded.snapshot
        var text = """
            snapshot     \(self.snapshot)
            id           \(snapshot.id)
            format       \(loaded.encoding), \(loaded.byteCount) bytes
            revision     \(snapshot.revision ?? "(unknown)")
            environment  \(Self.environmentText(snapshot))
            signature    \(signature)\(Self.provenanceLine(loaded))
            flags        \(snapshot.flags.count)

            """
        text += Self.table(snapshot.flags)
        Output.standardOutput(text)
        // (A snapshot whose id does not match its content does not load at all.)
        if verificationFailure != nil { throw ExitCode.failure }
    }

    /// `production`, or `(all)`, followed by the declared environments when the snapshot carries them.
    static func environmentText(_ snapshot: Snapshot) -> String {
        let declared = snapshot.environments.map { " (declared: \($0.joined(separator: ", ")))" } ?? ""
        return (snapshot.environment ?? "(all)") + declared
    }

    /// `\nsequence     N, issued T` for a snapshot that carries provenance or is signed, else nothing.
    static func provenanceLine(_ loaded: LoadedSnapshot) -> String {
        if let provenance = loaded.provenance {
            return "\nsequence     \(provenance.sequence), issued \(Timestamp.format(provenance.issuedAt))"
        }
        return loaded.signature == nil ? "" : "\nsequence     (none: older snapshots cannot be told apart)"
    }

    /// One line per flag: key, type, enabled, variant count, rule count, default variant.
    static func table(_ flags: [FlagRuntime.Flag]) -> String {
        guard !flags.isEmpty else { return "" }
        let header = ["KEY", "TYPE", "ENABLED", "VARIANTS", "RULES", "DEFAULT"]
        let rows = flags.map { flag in
            [flag.key, flag.type.rawValue, flag.enabled ? "yes" : "no", String(flag.variants.count), String(flag.rules.count), flag.defaultVariant]
        }
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        var text = "\n"
        for row in [header] + rows {
            var line = ""
            for (column, cell) in row.enumerated() {
                line += column == row.count - 1 ? cell : cell.padding(toLength: widths[column] + 2, withPad: " ", startingAt: 0)
            }
            text += line + "\n"
        }
        return text
    }
}

/// The output formats of `flagc inspect`.
enum InspectFormat: String, ExpressibleByArgument, CaseIterable {
    /// A summary for people.
    case text
    /// The whole snapshot as canonical JSON.
    case json
}
