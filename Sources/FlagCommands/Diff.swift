import ArgumentParser
import FlagCompiler
import FlagRuntime
import Foundation

/// `flagc diff`: what a flag change does, between two git revisions (or two folders).
struct Diff: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show what a flag change does: flags added, removed and modified, rule by rule, with the share of users whose variant changes.",
        discussion: """
            flagc diff BASE [HEAD] [PATH...] compares the flags of two git revisions (any git rev-parse spelling: main, \
            origin/main, a sha, HEAD~3). HEAD defaults to the working tree, so 'flagc diff origin/main' in a pull request \
            shows the pull request. PATH defaults to flags. A second argument that names an existing file or folder is a \
            PATH, not HEAD (to compare a revision of that name, spell it refs/heads/NAME). The trees are read from git itself: nothing \
            is checked out. flagc diff --base-dir DIR --head-dir DIR compares two folders instead.

            Exit status: 0 when the diff ran (changes or not), 1 when the head has errors or a --fail-on risk is present, \
            2 for usage errors (not a repository, an unknown revision, git missing). Risk ids: \
            \(DiffRisk.allCases.map(\.rawValue).joined(separator: ", ")) (docs/diff.md).
            """
    )

    @Argument(help: ArgumentHelp("BASE, then HEAD and PATHs.", valueName: "base [head] [path...]"))
    var arguments: [String] = []

    @Option(help: "Output: text, markdown, json or github.")
    var format: DiffFormat = .text

    @Option(name: .customLong("env"), help: ArgumentHelp("Compare this environment (repeatable; default: every declared environment).", valueName: "name"))
    var environments: [String] = []

    @Option(help: ArgumentHelp("JSON lines of contexts (as flagc eval --batch takes them, or bare context objects): evaluate both sides on each and count who changes.", valueName: "file"))
    var population: String?

    @Option(name: .customLong("fail-on"), parsing: .singleValue, help: ArgumentHelp("Exit 1 when one of these risks is present (comma-separated, repeatable).", valueName: "risk,..."))
    var failOn: [String] = []

    @Option(help: "The project config for both sides (default: each side's nearest flagc.yaml).")
    var config: String?

    @Option(help: ArgumentHelp("Treat this RFC 3339 time as now (date checks, rule windows for --population).", valueName: "rfc3339"))
    var now: String?

    @Option(name: .customLong("base-dir"), help: ArgumentHelp("Compare this folder as the base instead of a revision.", valueName: "dir"))
    var baseDirectory: String?

    @Option(name: .customLong("head-dir"), help: ArgumentHelp("Compare this folder as the head.", valueName: "dir"))
    var headDirectory: String?

    func run() async throws {
        let risks = try failOnRisks()
        let nowSeconds = try nowValue() ?? Int64(Date().timeIntervalSince1970)
        let limits = InputLimits()
        let (baseTree, headTree) = try readTrees(limits: limits)
        if let config, baseTree.config == nil, headTree.config == nil {
            throw CommandUsageError("--config '\(config)' exists on neither side; pass the path of a flagc.yaml (relative to the repository, it is read from each revision)")
        }

        let declared = FlagCompiler.declaredEnvironments(in: headTree.config, limits: limits)
        let baseDeclared = FlagCompiler.declaredEnvironments(in: baseTree.config, limits: limits)
        let known = declared + baseDeclared.filter { !declared.contains($0) }
        if let unknown = environments.first(where: { !known.contains($0) }) {
            throw CommandUsageError(known.isEmpty
                ? "--env '\(unknown)': neither side's flagc.yaml declares environments"
                : "--env '\(unknown)' is not an environment of either side; they are \(known.joined(separator: ", "))")
        }
        var distinct = Set<String>()
        let compared = (environments.isEmpty ? known : environments).filter { distinct.insert($0).inserted }
        let compiler = FlagCompiler(options: .init(paths: [], now: nowSeconds))
        let base = compiler.compileSide(baseTree, environments: compared)
        let head = compiler.compileSide(headTree, environments: compared)

        let colour = format == .text && Output.colourAllowed(fileDescriptor: STDOUT_FILENO)
        if head.hasErrors {
            let diagnosticFormat: DiagnosticFormat = format == .github ? .github : format == .json ? .json : .text
            Output.standardOutput(Output.formatter(diagnosticFormat, for: STDOUT_FILENO).report(head.diagnostics, fileCount: headTree.files.count))
            Output.standardError("error: the head (\(head.label)) has errors; fix them first (flagc validate)\n")
            throw ExitCode.failure
        }
        if base.hasErrors {
            let errors = base.diagnostics.filter { $0.severity == .error }
            Output.standardError("warning: the base (\(base.label)) has \(errors.count) error\(errors.count == 1 ? "" : "s"); it is compared as far as it compiles\n")
            for diagnostic in errors.prefix(10) { Output.standardError("  \(diagnostic)\n") }
        }

        var diff = FlagDiffer(environments: compared).diff(base, head)
        if let population {
            diff.measure(population: try Self.readPopulation(population), base: base, head: head, now: nowSeconds)
        }
        let output = DiffOutput(diff: diff, base: base, head: head, colour: colour, paths: .current())
        switch format {
        case .text: Output.standardOutput(output.text())
        case .markdown: Output.standardOutput(output.markdown())
        case .json: Output.standardOutput(output.json())
        case .github: Output.standardOutput(output.github())
        }
        let present = Set(diff.risks)
        let failing = risks.filter(present.contains)
        if !failing.isEmpty {
            Output.standardError("error: --fail-on: \(failing.map(\.rawValue).joined(separator: ", ")) present\n")
            throw ExitCode.failure
        }
    }

    /// The two trees the arguments name.
    func readTrees(limits: InputLimits) throws -> (FlagTree, FlagTree) {
        if baseDirectory != nil || headDirectory != nil {
            guard let baseDirectory, let headDirectory else { throw CommandUsageError("--base-dir and --head-dir go together") }
            let paths = arguments
            return (try FlagTreeReader.directory(baseDirectory, paths: paths, configPath: config, limits: limits),
                    try FlagTreeReader.directory(headDirectory, paths: paths, configPath: config, limits: limits))
        }
        var rest = arguments
        guard let baseRevision = rest.first else {
            throw CommandUsageError("name the base revision: flagc diff BASE [HEAD] [PATH...], for example flagc diff origin/main")
        }
        rest.removeFirst()
        var headRevision: String?
        if let second = rest.first, !FileManager.default.fileExists(atPath: second) {
            headRevision = second
            rest.removeFirst()
        }
        let paths = rest.isEmpty ? ["flags"] : rest
        let base = try FlagTreeReader.revision(baseRevision, paths: paths, configPath: config, limits: limits)
        let head = try headRevision.map { try FlagTreeReader.revision($0, paths: paths, configPath: config, limits: limits) }
            ?? FlagTreeReader.workingTree(paths: paths, configPath: config, limits: limits)
        return (base, head)
    }

    func failOnRisks() throws -> [DiffRisk] {
        try failOn.flatMap { $0.split(separator: ",") }.map { name in
            let id = name.trimmingCharacters(in: .whitespaces)
            guard let risk = DiffRisk(rawValue: id) else {
                throw CommandUsageError("--fail-on '\(id)' is not a risk id; they are \(DiffRisk.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return risk
        }
    }

    func nowValue() throws -> Int64? {
        guard let now else { return nil }
        guard let seconds = Timestamp.parseDateTime(now) else {
            throw CommandUsageError("--now '\(now)' is not an RFC 3339 timestamp; write it like 2026-01-01T00:00:00Z")
        }
        return seconds
    }

    /// The contexts of a `--population` file: one JSON object per line, either a context or an `eval --batch`
    /// request (its `context` is used). Blank lines are skipped; a bad line is a usage error naming it.
    static func readPopulation(_ path: String) throws -> [EvaluationContext] {
        let bytes: [UInt8]
        do {
            bytes = try RegularFileReader.read(path, limit: 512 << 20).bytes
        } catch {
            throw CommandUsageError("--population \(path): \(error)")
        }
        var contexts: [EvaluationContext] = []
        for (index, line) in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            guard line.contains(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }) else { continue }
            guard case .object(var members)? = try? JSONValue(parsing: line) else {
                throw CommandUsageError("--population \(path):\(index + 1): a line must be a JSON object (a context, or {\"context\": {…}})")
            }
            if case .object(let inner)? = members["context"] { members = inner }
            var context = EvaluationContext()
            do {
                try ContextJSON.apply(members, to: &context)
            } catch {
                throw CommandUsageError("--population \(path):\(index + 1): \(error)")
            }
            contexts.append(context)
        }
        return contexts
    }
}

/// `flagc diff --format`.
enum DiffFormat: String, ExpressibleByArgument, CaseIterable {
    case text, markdown, json, github
}
