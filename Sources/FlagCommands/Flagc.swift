import ArgumentParser
import FlagCompiler
import FlagRuntime
import Foundation

/// The `flagc` command: validate and compile feature-flag files.
///
/// The executable is a thin wrapper: `await Flagc.runAndExit()` parses the arguments, runs the
/// subcommand and exits with 0 (clean), 1 (a problem in the flag files) or 2 (a usage error).
public struct Flagc: AsyncParsableCommand {
    /// The command's name, abstract and subcommands.
    public static let configuration = CommandConfiguration(
        commandName: "flagc",
        abstract: "Validate and compile feature flags kept in git.",
        discussion: """
            Exit status: 0 when clean, 1 when the flag files have an error (or, with --strict, a warning), \
            2 for usage errors.
            """,
        version: FlagcVersion.description,
        subcommands: [Validate.self, Init.self, Compile.self, Test.self, Diff.self, Refs.self, Stale.self, Report.self, Owners.self, Generate.self, Rules.self, Eval.self, Watch.self, Serve.self, Inspect.self, Keygen.self]
    )

    /// Creates the command (used by the argument parser).
    public init() {}

    /// Runs `flagc` with the given arguments (the process arguments when nil) and exits.
    ///
    /// Usage errors exit with status 2 rather than the argument parser's default of 64.
    public static func runAndExit(_ arguments: [String]? = nil) async -> Never {
        do {
            var command = try parseAsRoot(arguments)
            if command is Flagc {
                // `flagc` alone names no subcommand: a usage error, with the list of subcommands.
                FileHandle.standardError.write(Data((helpMessage() + "\n").utf8))
                Foundation.exit(2)
            }
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            Foundation.exit(0)
        } catch {
            let code = exitCode(for: error)
            let isUsageError = error is CommandUsageError || error is FlagCompiler.UsageError
            if code == .validationFailure || isUsageError {
                let message = isUsageError ? "error: \(error)" : fullMessage(for: error)
                FileHandle.standardError.write(Data((message + "\n").utf8))
                Foundation.exit(2)
            }
            self.exit(withError: error)
        }
    }
}

/// A problem with how a command was invoked rather than with its input: printed as `error: …`, exit status 2.
/// (The compiler's own `FlagCompiler.UsageError`, for paths and `--env`, is treated the same way.)
struct CommandUsageError: Error, CustomStringConvertible {
    /// What is wrong and what to do.
    var description: String

    init(_ description: String) {
        self.description = description
    }
}

/// Options shared by the commands that read flag files.
struct InputOptions: ParsableArguments {
    @Argument(help: "Flag files or folders of flag files (searched recursively for *.yaml and *.yml).")
    var paths: [String] = ["flags"]

    @Option(help: "The project config (default: the nearest flagc.yaml at or above the first path).")
    var config: String?

    @Option(help: ArgumentHelp("Treat this RFC 3339 time as now for date checks, e.g. 2026-01-01T00:00:00Z.", valueName: "rfc3339"))
    var now: String?

    @ArgumentParser.Flag(help: "Fail on warnings too (the same as --fail-on warning).")
    var strict = false

    @Option(name: .customLong("fail-on"), help: ArgumentHelp("Fail on errors only (the default) or on warnings too.", valueName: "error|warning"))
    var failOn: FailureLevel = .error

    @Option(help: "Diagnostics format: text, json, github or sarif.")
    var format: DiagnosticFormat = .text

    /// Whether warnings fail the run: `--strict` or `--fail-on warning`.
    var failsOnWarnings: Bool { strict || failOn == .warning }

    /// Checks `--now` while parsing, so a bad one shows the subcommand's usage.
    func validate() throws {
        _ = try nowSeconds()
    }

    func nowSeconds() throws -> Int64? {
        try Self.seconds(now)
    }

    /// A `--now` value in Unix seconds (nil when not given); a usage error when it is not RFC 3339.
    static func seconds(_ now: String?) throws -> Int64? {
        guard let now else { return nil }
        guard let seconds = Timestamp.parseDateTime(now) else {
            throw ValidationError("--now '\(now)' is not an RFC 3339 timestamp; write it like 2026-01-01T00:00:00Z")
        }
        return seconds
    }

}

extension DiagnosticFormat: ExpressibleByArgument {}

/// What fails a run (`--fail-on`).
enum FailureLevel: String, ExpressibleByArgument, CaseIterable {
    case error, warning
}

/// Writes to standard output or error without buffering surprises.
enum Output {
    static func standardOutput(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    static func standardError(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// The formatter every command reports diagnostics with: colour only on a terminal (`fileDescriptor`), paths
    /// from the repository's root in the machine-readable formats, and the tool's version for SARIF.
    static func formatter(_ format: DiagnosticFormat, for fileDescriptor: Int32) -> DiagnosticFormatter {
        DiagnosticFormatter(format: format, colour: colourAllowed(fileDescriptor: fileDescriptor), paths: .current(), toolVersion: FlagcVersion.current)
    }

    /// `result`'s diagnostics as `format` shows them, with its suppressed and ignored ones.
    static func report(_ result: FlagCompiler.Result, as format: DiagnosticFormat, for fileDescriptor: Int32, fileCount: Int? = nil) -> String {
        formatter(format, for: fileDescriptor).report(
            result.diagnostics, suppressed: result.suppressed, ignored: result.ignored,
            fileCount: fileCount ?? result.files.count + result.testFiles.count
        )
    }

    /// When `result` has errors: prints them as `flagc validate` does and fails (exit 1), since nothing can be done
    /// with flags that do not compile. `validating` is what to validate, for the message.
    static func stopOnErrors(_ result: FlagCompiler.Result, format: DiagnosticFormat, validating paths: String) throws {
        guard result.hasErrors else { return }
        Output.standardOutput(Output.report(result, as: format, for: STDOUT_FILENO))
        Output.standardError("error: the flag files have errors; fix them first (flagc validate \(paths))\n")
        throw ExitCode.failure
    }

    /// Colour only on a terminal, and never when NO_COLOR is set.
    static func colourAllowed(fileDescriptor: Int32) -> Bool {
        isatty(fileDescriptor) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
    }
}
