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
            --env, its environment conditions compare the `environment` context attribute. With \
            --openfeature-operator FILE, they are written as OpenFeature Operator resources (a FeatureFlag holding \
            the flagd document and a FeatureFlagSource, see docs/kubernetes.md). Diagnostics go to standard error.
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

    @Option(help: ArgumentHelp("The signed sequence number of snapshot.bin (default with --signing-key: SOURCE_DATE_EPOCH, else the commit time of the revision, else the newest flag file modification time); services refuse a snapshot with a lower one than they serve.", valueName: "n"))
    var sequence: UInt64?

    @Option(help: ArgumentHelp("Also write the flags as a flagd flag-definition document to this file.", valueName: "file"))
    var flagd: String?

    @Option(help: ArgumentHelp("Also write the OpenFeature CLI's flag manifest (flagType, defaultValue, description per key) to this file, for `openfeature generate`.", valueName: "file"))
    var openfeatureManifest: String?

    @Option(help: ArgumentHelp("Also write the flags as OpenFeature Operator resources (a FeatureFlag and a FeatureFlagSource, YAML) to this file, for `kubectl apply -f`.", valueName: "file"))
    var openfeatureOperator: String?

    @Option(help: ArgumentHelp("The namespace of the OpenFeature Operator resources (default: \(OpenFeatureOperatorExporter.defaultNamespace)).", valueName: "namespace"))
    var namespace: String?

    @Option(help: ArgumentHelp("The name of the OpenFeature Operator resources (default: \(OpenFeatureOperatorExporter.defaultName)).", valueName: "name"))
    var name: String?

    @Option(help: ArgumentHelp("The flagSetId in the flagd document's metadata (default: \(FlagdExporter.defaultFlagSetID)).", valueName: "id"))
    var flagdFlagSetId: String?

    func run() async throws {
        let signer = try signingKey.map { path in
            do {
                return try SnapshotSigningKey(contentsOfFile: path)
            } catch {
                throw CommandUsageError("--signing-key \(error)")
            }
        }
        if sequence != nil, signer == nil {
            throw CommandUsageError("--sequence needs --signing-key: only a signature makes the sequence trustworthy")
        }
        let revision = self.revision ?? GitRevision.head(of: input.paths.first ?? ".")
        let compiler = FlagCompiler(options: .init(
            paths: input.paths, configPath: input.config, environment: env, revision: revision, now: try input.nowSeconds()
        ))
        let result = try compiler.compile()
        if !result.diagnostics.isEmpty || result.suppressed.count > 0 || input.format != .text {
            Output.standardError(Output.report(result, as: input.format, for: STDERR_FILENO, fileCount: result.files.count))
        }
        guard !result.fails(strict: input.failsOnWarnings), let snapshot = result.snapshot else {
            Output.standardError("nothing written: fix the problems above and compile again\n")
            throw ExitCode.failure
        }
        if flagdFlagSetId != nil, flagd == nil, openfeatureOperator == nil {
            throw CommandUsageError("--flagd-flag-set-id needs --flagd FILE or --openfeature-operator FILE")
        }
        if openfeatureOperator == nil, namespace != nil || name != nil {
            throw CommandUsageError("--\(namespace != nil ? "namespace" : "name") needs --openfeature-operator FILE")
        }
        let operatorExporter = OpenFeatureOperatorExporter(
            name: name ?? OpenFeatureOperatorExporter.defaultName,
            namespace: namespace ?? OpenFeatureOperatorExporter.defaultNamespace,
            flagSetID: flagdFlagSetId ?? FlagdExporter.defaultFlagSetID
        )
        if let problem = OpenFeatureOperatorExporter.namespaceProblem(operatorExporter.namespace) {
            throw CommandUsageError("--namespace: \(problem)")
        }
        if let problem = OpenFeatureOperatorExporter.nameProblem(operatorExporter.name) {
            throw CommandUsageError("--name: \(problem)")
        }
        var isDirectory: ObjCBool = false
        if let manifest = openfeatureManifest, FileManager.default.fileExists(atPath: manifest, isDirectory: &isDirectory), isDirectory.boolValue {
            throw CommandUsageError("--openfeature-manifest '\(manifest)' is a folder; pass the path of the file to write, for example build/flags.manifest.json")
        }
        if let flagd, FileManager.default.fileExists(atPath: flagd, isDirectory: &isDirectory), isDirectory.boolValue {
            throw CommandUsageError("--flagd '\(flagd)' is a folder; pass the path of the file to write, for example build/flagd.json")
        }
        if let path = openfeatureOperator, FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw CommandUsageError("--openfeature-operator '\(path)' is a folder; pass the path of the file to write, for example build/openfeature.yaml")
        }
        if let problem = SnapshotFile.folderProblem(out) {
            throw CommandUsageError("--out '\(out)': \(problem); pass a folder for snapshot.json and snapshot.bin")
        }
        // Exported before anything is written, so that a flag flagd cannot express leaves every file as it was.
        var extra: [SnapshotFile.Output] = []
        do throws(FlagdExportError) {
            if let flagd {
                let bytes = try FlagdExporter(flagSetID: flagdFlagSetId ?? FlagdExporter.defaultFlagSetID).bytes(for: snapshot)
                extra.append(SnapshotFile.Output(path: flagd, bytes: bytes))
            }
            if let openfeatureManifest {
                extra.append(SnapshotFile.Output(path: openfeatureManifest, bytes: OpenFeatureManifest.bytes(for: snapshot)))
            }
            if let openfeatureOperator {
                extra.append(SnapshotFile.Output(path: openfeatureOperator, bytes: try operatorExporter.bytes(for: snapshot)))
            }
        } catch {
            for problem in error.problems {
                Output.standardError("error[flagd-export]: \(problem)\n")
            }
            let options = [flagd.map { _ in "--flagd" }, openfeatureOperator.map { _ in "--openfeature-operator" }].compactMap { $0 }
            Output.standardError("nothing written: flagd cannot evaluate these flags as flagc does; fix them or compile without \(options.joined(separator: " and "))\n")
            throw ExitCode.failure
        }
        // One unit: every file is written and flushed before any replaces its old version.
        let outcomes: SnapshotFile.WriteOutcomes
        let extraOutcomes: [SnapshotFile.WriteOutcome]
        do {
            let provenance = signer.map { _ in Self.provenance(sequence: sequence, revisionPath: input.paths.first ?? ".", files: result.files) }
            (outcomes, extraOutcomes) = try SnapshotFile.write(snapshot, to: out, signer: signer, provenance: provenance, extra: extra)
        } catch {
            Output.standardError("error: \(error)\nnothing replaced: every output file is as it was before this compile\n")
            throw ExitCode.failure
        }
        var summary = Self.summary(outcomes, folder: out, signer: signer)
        for (output, outcome) in zip(extra, extraOutcomes) {
            let what = output.path == flagd ? "flagd" : output.path == openfeatureOperator ? "OpenFeature Operator" : "OpenFeature manifest"
            summary += "; \(outcome == .written ? "wrote" : "unchanged") \(output.path) (\(what))"
        }
        Output.standardOutput("\(summary): \(snapshot.flags.count) flags, id \(snapshot.id)\n")
    }

    /// The provenance of a signed snapshot. The issue time is SOURCE_DATE_EPOCH when set, else the commit time of
    /// the flags' git revision, else the newest modification time among the flag files, so that compiling the
    /// same files twice gives the same bytes; the sequence is `--sequence`, else the issue time (which grows along
    /// a branch).
    static func provenance(sequence: UInt64?, revisionPath: String, files: [String]) -> SnapshotProvenance {
        let issuedAt = ProcessInfo.processInfo.environment["SOURCE_DATE_EPOCH"].flatMap { Int64($0) }
            ?? GitRevision.commitTime(of: revisionPath)
            ?? files.compactMap { path in
                (try? FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date).map { Int64($0.timeIntervalSince1970) }
            }.max()
            ?? 0
        return SnapshotProvenance(sequence: sequence ?? UInt64(max(0, issuedAt)), issuedAt: issuedAt)
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

/// What git says about the folder holding the flags, when it is inside a repository and git is installed.
enum GitRevision {
    /// The commit the folder is at.
    static func head(of path: String) -> String? {
        git(["rev-parse", "HEAD"], at: path)
    }

    /// The committer time of that commit, in Unix seconds.
    static func commitTime(of path: String) -> Int64? {
        git(["log", "-1", "--format=%ct", "HEAD"], at: path).flatMap { Int64($0) }
    }

    private static func git(_ arguments: [String], at path: String) -> String? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return nil }
        let directory = isDirectory.boolValue ? path : (path as NSString).deletingLastPathComponent
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "-C", directory.isEmpty ? "." : directory] + arguments
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
