import ArgumentParser
import FlagCompiler
import FlagRuntime
import FlagSignatures
import Foundation

/// `flagc compile`: validate, then write the snapshot.
struct Compile: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Validate flag files and write DIR/snapshot.json and DIR/snapshot.bin.",
        discussion: """
            Nothing is written when there is an error (or, with --strict, a warning). Each file is written \
            atomically and only when its bytes change; both hold the same snapshot and id. With --signing-key, \
            snapshot.bin carries an Ed25519 signature (see docs/snapshot-format.md). With --flagd FILE, the same \
            flags are also written as an OpenFeature flagd flag-definition document (see docs/flagd.md); without \
            --env, its environment conditions compare the `environment` context attribute. Diagnostics go to \
            standard error.
            """
    )

    @OptionGroup var input: InputOptions

    @Option(help: ArgumentHelp("The output folder.", valueName: "dir"))
    var out: String

    @Option(help: ArgumentHelp("Compile for one environment: rules for other environments are dropped.", valueName: "name"))
    var env: String?

    @Option(help: "The source revision to record (default: the git commit of the first path, when in a repository).")
    var revision: String?

    @Option(help: ArgumentHelp("Sign snapshot.bin with this private key file (written by `flagc keygen`).", valueName: "file"))
    var signingKey: String?

    @Option(help: ArgumentHelp("Also write the flags as a flagd flag-definition document to this file.", valueName: "file"))
    var flagd: String?

    @Option(help: ArgumentHelp("The flagSetId in the flagd document's metadata (default: \(FlagdExporter.defaultFlagSetID)).", valueName: "id"))
    var flagdFlagSetId: String?

    func run() async throws {
        let signer = try signingKey.map { path in
            do {
                return try SnapshotSigningKey(contentsOfFile: path)
            } catch {
                throw FlagCompiler.UsageError(description: "--signing-key \(error)")
            }
        }
        let revision = self.revision ?? GitRevision.head(of: input.paths.first ?? ".")
        let compiler = FlagCompiler(options: .init(
            paths: input.paths, configPath: input.config, environment: env, revision: revision, now: try input.nowSeconds()
        ))
        let result = try compiler.compile()
        if !result.diagnostics.isEmpty || input.format != .text {
            let formatter = DiagnosticFormatter(format: input.format, colour: Output.colourAllowed(fileDescriptor: STDERR_FILENO))
            Output.standardError(formatter.report(result.diagnostics, fileCount: result.files.count))
        }
        guard !input.fails(result.diagnostics), let snapshot = result.snapshot else {
            Output.standardError("nothing written: fix the problems above and compile again\n")
            throw ExitCode.failure
        }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: out, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw FlagCompiler.UsageError(description: "--out '\(out)' is a file; pass a folder for snapshot.json and snapshot.bin")
        }
        if flagdFlagSetId != nil, flagd == nil {
            throw FlagCompiler.UsageError(description: "--flagd-flag-set-id needs --flagd FILE")
        }
        if let flagd, FileManager.default.fileExists(atPath: flagd, isDirectory: &isDirectory), isDirectory.boolValue {
            throw FlagCompiler.UsageError(description: "--flagd '\(flagd)' is a folder; pass the path of the file to write, for example build/flagd.json")
        }
        // Exported before anything is written, so that a flag flagd cannot express leaves every file as it was.
        var flagdBytes: [UInt8]?
        do throws(FlagdExportError) {
            if flagd != nil {
                flagdBytes = try FlagdExporter(flagSetID: flagdFlagSetId ?? FlagdExporter.defaultFlagSetID).bytes(for: snapshot)
            }
        } catch {
            for problem in error.problems {
                Output.standardError("error[flagd-export]: \(problem)\n")
            }
            Output.standardError("nothing written: flagd cannot evaluate these rules as flagc does; fix them or compile without --flagd\n")
            throw ExitCode.failure
        }
        let outcomes: SnapshotFile.WriteOutcomes
        var flagdOutcome: SnapshotFile.WriteOutcome?
        do {
            outcomes = try SnapshotFile.write(snapshot, to: out, signer: signer)
            if let flagd, let flagdBytes {
                let folder = (flagd as NSString).deletingLastPathComponent
                if !folder.isEmpty { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
                flagdOutcome = try SnapshotFile.writeAtomically(flagdBytes, to: flagd)
            }
        } catch {
            Output.standardError("error: \(error)\n")
            throw ExitCode.failure
        }
        var summary = Self.summary(outcomes, folder: out, signer: signer)
        if let flagd, let flagdOutcome {
            summary += "; \(flagdOutcome == .written ? "wrote" : "unchanged") \(flagd) (flagd)"
        }
        Output.standardOutput("\(summary): \(snapshot.flags.count) flags, id \(snapshot.id)\n")
    }

    /// `wrote out/snapshot.json and out/snapshot.bin`, `unchanged …`, or one of each; then the signing key, if any.
    static func summary(_ outcomes: SnapshotFile.WriteOutcomes, folder: String, signer: SnapshotSigningKey?) -> String {
        let json = (folder as NSString).appendingPathComponent(SnapshotFile.jsonFileName)
        let binary = (folder as NSString).appendingPathComponent(SnapshotFile.binaryFileName)
        let verb = { (outcome: SnapshotFile.WriteOutcome) in outcome == .written ? "wrote" : "unchanged" }
        var text = outcomes.json == outcomes.binary
            ? "\(verb(outcomes.json)) \(json) and \(binary)"
            : "\(verb(outcomes.json)) \(json), \(verb(outcomes.binary)) \(binary)"
        if let signer { text += " (signed with key \(signer.publicKey.fingerprintText))" }
        return text
    }
}

/// The git commit a folder is at, when it is inside a repository and git is installed.
enum GitRevision {
    static func head(of path: String) -> String? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return nil }
        let directory = isDirectory.boolValue ? path : (path as NSString).deletingLastPathComponent
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "-C", directory.isEmpty ? "." : directory, "rev-parse", "HEAD"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            return nil
        }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : text
    }
}
