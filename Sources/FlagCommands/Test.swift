import ArgumentParser
import FlagCompiler
import FlagRuntime
import Foundation

/// `flagc test`: compile the flags and check the expectations of the test files beside them.
struct Test: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check the expectations of test files (*.test.yaml, *.test.yml) against the compiled flags.",
        discussion: """
            Compiles the flag files (errors as validate reports them), then evaluates every case of every test \
            file through FlagRuntime, the code services run: one result per case and matrix row, in each \
            configured environment for a case without 'env'. A failure shows its file:line:col, what was expected, \
            what came out and why (the eval --explain text). See docs/testing.md.

            Exit status: 0 every case passed, 1 a case failed, a flag or test file has an error, no test file was \
            found or the coverage is below --min-coverage, 2 usage error.
            """
    )

    @Argument(help: "Folders or files of flag files and test files (searched recursively).")
    var paths: [String] = ["flags"]

    @Option(help: "Report format: text, json, github, junit or sarif.")
    var format: TestReportFormat = .text

    @Option(help: "Run only the cases whose name (matrix values substituted) or flag key contains this text.")
    var filter: String?

    @ArgumentParser.Flag(help: "Report, for every flag, the rules no case made decisive and the variants no case produced.")
    var coverage = false

    @Option(name: .customLong("min-coverage"), help: ArgumentHelp("Fail when fewer than this share of the rules (in percent) were decisive in some case.", valueName: "pct"))
    var minimumCoverage: Double?

    @Option(help: ArgumentHelp("Evaluate cases without 'at' at this RFC 3339 time (default: now); also 'now' for date checks.", valueName: "rfc3339"))
    var now: String?

    @Option(help: "The project config (default: the nearest flagc.yaml at or above the first path).")
    var config: String?

    @Option(help: ArgumentHelp("Run in this environment only: cases without 'env' run in it, cases for another environment are skipped.", valueName: "name"))
    var env: String?

    func validate() throws {
        _ = try InputOptions.seconds(now)
        if let minimumCoverage, !(0...100).contains(minimumCoverage) {
            throw ValidationError("--min-coverage \(minimumCoverage) is not a percentage; write a number from 0 to 100")
        }
    }

    func run() async throws {
        let nowSeconds = try InputOptions.seconds(now)
        let result = try FlagCompiler(options: FlagCompiler.Options(paths: paths, configPath: config, now: nowSeconds)).compile()
        let environments = result.config.environments
        if let env, !environments.isEmpty, !environments.contains(env) {
            throw CommandUsageError("--env '\(env)' is not one of the environments declared in \(result.config.path ?? "flagc.yaml"): \(environments.joined(separator: ", "))")
        }
        guard !result.hasErrors, let snapshot = result.snapshot else {
            reportDiagnostics(result)
            throw ExitCode.failure
        }
        guard !result.tests.isEmpty else {
            Output.standardError("error: no test files (*.test.yaml, *.test.yml) under \(paths.joined(separator: ", ")); add one next to the flags (docs/testing.md)\n")
            throw ExitCode.failure
        }
        let runner = FlagTestRunner(snapshot: snapshot, environments: environments, now: nowSeconds, filter: filter, environment: env)
        let report = try runner.run(result.tests)
        let output = TestReportOutput(report: report, showsCoverage: coverage, minimumCoverage: minimumCoverage, paths: .current())
        Output.standardOutput(output.render(format, colour: Output.colourAllowed(fileDescriptor: STDOUT_FILENO)))
        if format == .junit || format == .json, let failure = output.coverageFailure {
            Output.standardError("error: \(failure)\n")  // the XML and the document have no place for it
        }
        if filter != nil && report.results.isEmpty {
            Output.standardError("error: --filter '\(filter ?? "")' matched no case\n")
            throw ExitCode.failure
        }
        if report.failureCount > 0 || !output.meetsMinimumCoverage { throw ExitCode.failure }
    }

    /// The compile errors, as `validate` shows them; for JUnit, as text on standard error (standard output is XML only).
    private func reportDiagnostics(_ result: FlagCompiler.Result) {
        let fileCount = result.files.count + result.testFiles.count
        switch format {
        case .text, .json, .github, .sarif:
            Output.standardOutput(Output.report(result, as: DiagnosticFormat(rawValue: format.rawValue) ?? .text, for: STDOUT_FILENO, fileCount: fileCount))
        case .junit:
            Output.standardError(Output.report(result, as: .text, for: STDERR_FILENO, fileCount: fileCount))
        }
    }
}

/// The formats of `flagc test`.
enum TestReportFormat: String, CaseIterable, ExpressibleByArgument {
    /// A block per failure at its `file:line:col`, then a summary line.
    case text
    /// One stable document (`schemas/flag-test-results.schema.json`).
    case json
    /// GitHub Actions annotations at the failing cases.
    case github
    /// JUnit XML: a testsuite per file, a testcase per result.
    case junit
    /// SARIF 2.1.0: the failed cases as results of the rule `test-failed`.
    case sarif
}
