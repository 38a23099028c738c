import ArgumentParser
import FlagCompiler
import Foundation

/// `flagc validate`: report every problem in every flag file.
struct Validate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check flag files and report every problem with file, line and column.",
        discussion: """
            Diagnostics go to standard output: text, json, github (annotations) or sarif (SARIF 2.1.0, for code scanning). \
            The machine-readable formats name files from the repository's root. Exit status: 0 clean, 1 an error (or, \
            with --strict or --fail-on warning, a warning), 2 usage error.
            """
    )

    @OptionGroup var input: InputOptions

    @Option(help: ArgumentHelp("The revision the change is compared with (a pull request's base): a flag defined twice is reported in the file the change touched.", valueName: "rev"))
    var base: String?

    func run() async throws {
        var options = FlagCompiler.Options(paths: input.paths, configPath: input.config, now: try input.nowSeconds())
        options.producesSnapshot = false
        if let base { options.changedFiles = try FlagCompiler.changedFiles(since: base) }
        let compiler = FlagCompiler(options: options)
        let result = try compiler.compile()
        Output.standardOutput(Output.report(result, as: input.format, for: STDOUT_FILENO))
        if result.fails(strict: input.failsOnWarnings) { throw ExitCode.failure }
    }
}
