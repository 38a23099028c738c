import ArgumentParser
import FlagCompiler
import FlagRuntime
import Foundation

/// `flagc stale`: flags and segments that have done their job, from the files, git history and (optionally) code.
struct Stale: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Find stale flags and segments: expired, outlived their type, settled on one value, kill switches left off, unused.",
        discussion: """
            Reports, each with a stable id (kind/subject), since when and a suggested action:
              expired           'expires' has passed
              lifetime          older than its type's lifetime (stale.lifetimes in flagc.yaml), from the commit that added it
              settled           one value to everyone for stale.settled-days (default 14) or more, found from git history
              kill-switch-off   a kill_switch flag off (disabled or false) for stale.settled-days or more
              unreferenced      no code references the flag (with --refs or --refs-from)
              segment-unused    no flag uses the segment
              segment-identical the segment has the same conditions as another

            History is read with one git log walk over the first-parent history of HEAD; in a shallow clone or outside \
            a repository the history-based findings are skipped with a note. --no-history skips them.

            Exit status: 0 when the check ran (findings are reported, not failures), 1 when the flag files have errors \
            or, with --strict, when anything was found, 2 for usage errors.
            """
    )

    @Argument(help: "Flag files or folders of flag files.")
    var paths: [String] = ["flags"]

    @Option(help: "The project config (default: the nearest flagc.yaml at or above the first path).")
    var config: String?

    @Option(help: ArgumentHelp("Treat this RFC 3339 time as now, e.g. 2026-01-01T00:00:00Z.", valueName: "rfc3339"))
    var now: String?

    @Option(help: "Output: text, json, markdown or github.")
    var format: StaleFormat = .text

    @ArgumentParser.Flag(help: "Skip the findings that read git history (lifetime, settled, kill-switch-off).")
    var noHistory = false

    @ArgumentParser.Flag(help: "Scan the repository for references (as flagc refs does) and report flags without any.")
    var refs = false

    @Option(help: ArgumentHelp("Take references from a 'flagc refs --format json' document instead of scanning.", valueName: "file"))
    var refsFrom: String?

    @Option(help: ArgumentHelp("With --refs, skip files matching this glob (repeatable).", valueName: "glob"))
    var refsExclude: [String] = []

    @ArgumentParser.Flag(help: "Exit 1 when anything is found.")
    var strict = false

    func validate() throws {
        _ = try InputOptions.seconds(now)
        if refs, refsFrom != nil { throw ValidationError("--refs scans the code and --refs-from reads a scan; give one of them") }
        if !refsExclude.isEmpty, !refs { throw ValidationError("--refs-exclude applies to --refs only") }
    }

    func run() async throws {
        let now = try InputOptions.seconds(now) ?? Int64(Date().timeIntervalSince1970)
        let result = try FlagCompiler(options: .init(paths: paths, configPath: config, now: now)).compile()
        try Output.stopOnErrors(result, format: DiagnosticFormat(rawValue: format.rawValue) ?? .text, validating: paths.joined(separator: " "))
        var references: [String: Int]?
        if refs {
            references = Dictionary(uniqueKeysWithValues: try Refs.scan(result, sources: [], include: [], exclude: refsExclude).flags.map { ($0.key, $0.references.count) })
        } else if let refsFrom {
            references = try Stale.references(from: refsFrom)
        }
        let report = try StaleCheck(now: now, readsHistory: !noHistory, references: references).run(result, paths: paths)
        if let reason = report.historyUnavailable {
            Output.standardError("note: git history was not read (\(reason)); lifetime, settled and kill-switch-off were not checked\n")
        }
        let output = StaleOutput(report: report, paths: .current())
        switch format {
        case .text: Output.standardOutput(output.text())
        case .json: Output.standardOutput(output.json())
        case .markdown: Output.standardOutput(output.markdown())
        case .github: Output.standardOutput(output.github())
        }
        if strict, !report.findings.isEmpty { throw ExitCode.failure }
    }

    /// The references per flag in a `flagc refs --format json` document.
    static func references(from path: String) throws -> [String: Int] {
        let bytes: [UInt8]
        do {
            bytes = try RegularFileReader.read(path, limit: 256 << 20).bytes
        } catch {
            throw CommandUsageError("--refs-from '\(path)' cannot be read: \(error); pass the output of 'flagc refs --format json'")
        }
        guard case .object(let document)? = try? JSONValue(parsing: bytes), case .array(let flags)? = document["flags"] else {
            throw CommandUsageError("--refs-from '\(path)' is not a 'flagc refs --format json' document (no \"flags\" list); regenerate it with flagc refs --format json")
        }
        var counts: [String: Int] = [:]
        for case .object(let flag) in flags {
            guard case .string(let key)? = flag["key"], case .integer(let count)? = flag["count"] else { continue }
            counts[key] = Int(count)
        }
        return counts
    }
}

/// The output formats of `flagc stale`.
enum StaleFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json, markdown, github
}
