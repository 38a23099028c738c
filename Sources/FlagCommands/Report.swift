import ArgumentParser
import FlagCompiler
import FlagRuntime
import Foundation

/// `flagc report`: the flag dashboard as a static site (or markdown pages), written atomically into a folder.
struct Report: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the flag dashboard as a static site: every flag, its rules in plain language, segments, owners, references, tests, stale findings and history.",
        discussion: """
            Writes DIR as one unit: the pages go into a new folder beside it, which then replaces DIR, so a failed run \
            leaves the old report as it was. DIR must be new, empty or an earlier report (it holds .flagc-report). \
            States (expired, scheduled, stale) and the counts are computed for --now (default: the current time, as \
            flagc stale does); the same files, revision and --now give byte-identical output.

            Exit status: 0 when written, 1 when the flag files have errors (nothing is written), 2 for usage errors.
            """
    )

    @Argument(help: "Flag files or folders of flag files.")
    var paths: [String] = ["flags"]

    @Option(help: ArgumentHelp("The folder to write the report into (replaced as a whole).", valueName: "dir"))
    var out: String

    @Option(parsing: .upToNextOption, help: ArgumentHelp("Scan these files or folders for references, as flagc refs does ('.' for the repository).", valueName: "source"))
    var refs: [String] = []

    @ArgumentParser.Flag(help: "Read git history: each flag's changes, and the stale findings that need history.")
    var history = false

    @Option(help: "The title of every page.")
    var title = "Feature flags"

    @Option(help: ArgumentHelp("Where the report is published (canonical links; absolute links in markdown).", valueName: "url"))
    var baseURL: String?

    @Option(help: "Output: html or markdown.")
    var format: ReportFormat = .html

    @Option(help: "The project config (default: the nearest flagc.yaml at or above the first path).")
    var config: String?

    @Option(help: ArgumentHelp("Treat this RFC 3339 time as now, e.g. 2026-01-01T00:00:00Z.", valueName: "rfc3339"))
    var now: String?

    func validate() throws {
        _ = try InputOptions.seconds(now)
        if let baseURL, !(baseURL.hasPrefix("https://") || baseURL.hasPrefix("http://")) {
            throw ValidationError("--base-url '\(baseURL)' is not an http(s) address; write it like https://acme.github.io/flags/")
        }
    }

    func run() async throws {
        let now = try InputOptions.seconds(now) ?? Int64(Date().timeIntervalSince1970)
        if let problem = SnapshotFile.folderProblem(out) { throw CommandUsageError("--out '\(out)': \(problem); choose a folder") }
        let result = try FlagCompiler(options: .init(paths: paths, configPath: config, now: now)).compile()
        try Output.stopOnErrors(result, format: .text, validating: paths.joined(separator: " "))
        let stale = try StaleCheck(now: now, readsHistory: history, references: nil).run(result, paths: paths)
        var options = ReportModel.Options(title: title, now: now, baseURL: baseURL, stale: stale)
        options.links = RepositoryLinks.read(directory: ".", environment: ProcessInfo.processInfo.environment)
        options.revision = GitRevision.head(of: paths.first ?? ".")
        if !refs.isEmpty {
            let scan = try Refs.scan(result, sources: refs == ["."] ? [] : refs, include: [], exclude: [])
            options.references = Dictionary(uniqueKeysWithValues: scan.flags.map { ($0.key, $0.references) })
        }
        if history {
            let log = try FlagChangeLog.read(paths: paths, limits: InputLimits())
            if let reason = log.unavailable { Output.standardError("note: git history was not read (\(reason)); the pages show no history\n") } else { options.history = log }
        }
        let model = ReportModel(result, options: options, paths: .current())
        let files = format == .html ? HTMLReport(model).files() : MarkdownReport(model).files()
        do {
            try ReportSite.write(files, to: out)
        } catch let error as SnapshotFile.WriteError {
            throw CommandUsageError("cannot write the report to '\(out)': \(error)")
        }
        Output.standardOutput("wrote \(out)/\(format == .html ? "index.html" : "index.md"): \(model.counts.flags) flags, \(files.count) files\n")
    }
}

/// The output formats of `flagc report`.
enum ReportFormat: String, ExpressibleByArgument, CaseIterable {
    case html, markdown
}
