import ArgumentParser
import FlagCompiler
import FlagRuntime
import Foundation

/// `flagc compile`: validate, then write the snapshot.
struct Compile: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Validate flag files and write DIR/snapshot.json.",
        discussion: """
            Nothing is written when there is an error (or, with --strict, a warning). The snapshot is written \
            atomically and only when its bytes change. Diagnostics go to standard error.
            """
    )

    @OptionGroup var input: InputOptions

    @Option(help: ArgumentHelp("The output folder.", valueName: "dir"))
    var out: String

    @Option(help: ArgumentHelp("Compile for one environment: rules for other environments are dropped.", valueName: "name"))
    var env: String?

    @Option(help: "The source revision to record (default: the git commit of the first path, when in a repository).")
    var revision: String?

    func run() async throws {
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
            throw FlagCompiler.UsageError(description: "--out '\(out)' is a file; pass a folder for snapshot.json")
        }
        let path = (out as NSString).appendingPathComponent(SnapshotFile.jsonFileName)
        let outcome: SnapshotFile.WriteOutcome
        do {
            outcome = try SnapshotFile.write(snapshot, to: out)
        } catch {
            Output.standardError("error: \(error)\n")
            throw ExitCode.failure
        }
        let verb = outcome == .written ? "wrote" : "unchanged"
        Output.standardOutput("\(verb) \(path): \(snapshot.flags.count) flags, id \(snapshot.id)\n")
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
