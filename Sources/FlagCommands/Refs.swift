import ArgumentParser
import FlagCompiler
import FlagRuntime
import Foundation

/// `flagc refs`: where flags are used in code, which flags nothing uses, and keys in code no flag defines.
struct Refs: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Find where flags are used in code: references per flag, flags without references, and unknown keys with a did-you-mean.",
        discussion: """
            Scans SOURCE files and folders (default: the repository through git ls-files, so .gitignore is respected; \
            outside a repository, the current folder) for each flag's key, its camelCase accessor name \
            (billing.invoice_auto_generate → billingInvoiceAutoGenerate) and the refs.patterns of flagc.yaml, at token \
            boundaries. Binary files (a NUL byte in the first 8 KiB) and files over 4 MiB are skipped and counted; the flag \
            and test files are not scanned. A quoted dotted string no flag defines is an unknown key when it is close to a \
            defined key or follows the naming pattern under a module some flag uses.

            Exit status: 0 when the scan ran, 1 when the flag files have errors or (with --format github) an unknown key \
            was found, 2 for usage errors.
            """
    )

    @Option(help: ArgumentHelp("The flag files or folder.", valueName: "path"))
    var flags = "flags"

    @Argument(help: ArgumentHelp("Files or folders to scan (default: the repository, or the current folder).", valueName: "source"))
    var sources: [String] = []

    @Option(help: "Output: text, json, markdown, github or sarif.")
    var format: RefsFormat = .text

    @Option(help: ArgumentHelp("Scan only files matching this glob (repeatable; without '/', the file name may match).", valueName: "glob"))
    var include: [String] = []

    @Option(help: ArgumentHelp("Skip files matching this glob (repeatable).", valueName: "glob"))
    var exclude: [String] = []

    @Option(help: "The project config (default: the nearest flagc.yaml at or above --flags).")
    var config: String?

    func run() async throws {
        let compiler = FlagCompiler(options: .init(paths: [flags], configPath: config))
        let result = try compiler.compile()
        try Output.stopOnErrors(result, format: DiagnosticFormat(rawValue: format.rawValue) ?? .text, validating: flags)
        let scan = try Refs.scan(result, sources: sources, include: include, exclude: exclude)
        let output = RefsOutput(scan: scan, paths: .current())
        switch format {
        case .text: Output.standardOutput(output.text())
        case .json: Output.standardOutput(output.json())
        case .markdown: Output.standardOutput(output.markdown())
        case .github: Output.standardOutput(output.github())
        case .sarif: Output.standardOutput(output.sarif())
        }
        if format == .github || format == .sarif, !scan.unknownKeys.isEmpty { throw ExitCode.failure }
    }
}

extension Refs {
    /// Scans `sources` (the repository when empty) for the flags of `result`, which has no error. The flag files,
    /// test files and config are left out: they are where keys are defined, not used.
    static func scan(_ result: FlagCompiler.Result, sources: [String], include: [String], exclude: [String]) throws -> ReferenceScan {
        let listing = try SourceListing.list(sources: sources, include: include, exclude: exclude, environment: ProcessInfo.processInfo.environment)
        let definitions = Set((result.files + result.testFiles + [result.config.path].compactMap { $0 }).compactMap(RegularFileReader.realPath))
        let files = listing.files.filter { path in
            !(path.hasSuffix(".yaml") || path.hasSuffix(".yml")) || RegularFileReader.realPath(path).map { !definitions.contains($0) } ?? true
        }
        return ReferenceScan.run(keys: result.snapshot?.flags.map(\.key) ?? [], config: result.config, files: files)
    }
}

/// The output formats of `flagc refs`.
enum RefsFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json, markdown, github, sarif
}
