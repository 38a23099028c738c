import ArgumentParser
import FlagCompiler
import Foundation

/// `flagc validate`: report every problem in every flag file.
struct Validate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check flag files and report every problem with file, line and column.",
        discussion: "Diagnostics go to standard output. Exit status: 0 clean, 1 problems found, 2 usage error."
    )

    @OptionGroup var input: InputOptions

    func run() async throws {
        var options = FlagCompiler.Options(paths: input.paths, configPath: input.config, now: try input.nowSeconds())
        options.producesSnapshot = false
        let compiler = FlagCompiler(options: options)
        let result = try compiler.compile()
        let formatter = DiagnosticFormatter(format: input.format, colour: Output.colourAllowed(fileDescriptor: STDOUT_FILENO))
        Output.standardOutput(formatter.report(result.diagnostics, suppressed: result.suppressed, fileCount: result.files.count + result.testFiles.count))
        if result.fails(strict: input.strict) { throw ExitCode.failure }
    }
}
