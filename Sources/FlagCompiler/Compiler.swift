import FlagRuntime
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The flag compiler: reads flag files, validates them and lowers them to a `Snapshot`.
///
/// The stages, in order, each in the folder of its name, with the type each one hands to the next:
///
/// 1. `Discovery/` (`FileDiscovery`): the paths given → the flag files' paths, sorted, and their bytes.
/// 2. `Parsing/` (`YAMLParser`): a file's bytes → a `YAMLNode` tree.
/// 3. `Decoding/` (`FileDecoder`): a `YAMLNode` tree → a `SourceFile`, with every check one file decides alone.
/// 4. `Validation/` (`ProjectValidator`, each cross-file rule in its file under `Validation/Rules/`): every
///    `SourceFile` → a `ValidatedProject`, made only when the run has no error.
/// 5. `Lowering/` (`Lowering`): a `ValidatedProject` → `[Flag]` → a `Snapshot`.
/// 6. `Output/` (`SnapshotFile`): a `Snapshot` → files on disk (`Flagd/` turns it into flagd's format instead).
///
/// Test files (`*.test.yaml`) are found by discovery apart from flag files, decoded by `TestFileDecoder` into
/// `FlagTestFile`s (matrices expanded) and checked against the flags (`TestUnknownReference`) before validation,
/// so their errors block the snapshot like any other; `Testing/` (`FlagTestRunner`) evaluates their cases.
///
/// `Config/` reads `flagc.yaml` (used by discovery and validation), and `Owners/` the CODEOWNERS file its
/// `owners.from` names (`KnownOwners`, `CodeOwners`; `flagc owners` checks CODEOWNERS with `OwnersCheck`).
/// Every stage reports to one `DiagnosticCollector` (`Diagnostics/`), so one run reports every problem.
/// `RuleCatalog` lists every rule and where it is checked.
///
/// ```swift
/// let compiler = FlagCompiler(options: .init(paths: ["flags"]))
/// let result = try compiler.compile()
/// if let snapshot = result.snapshot { try SnapshotFile.write(snapshot, to: "build") }
/// for diagnostic in result.diagnostics { print(diagnostic) }
/// ```
public struct FlagCompiler: Sendable {
    /// What to compile and how.
    public struct Options: Sendable {
        /// Files or folders of flag files.
        public var paths: [String]
        /// The project config to use; by default the nearest `flagc.yaml` at or above the first path.
        public var configPath: String?
        /// Compile for one environment: rules for other environments are dropped.
        public var environment: String?
        /// The source revision recorded in the snapshot.
        public var revision: String?
        /// "Now" for date checks, in Unix seconds; defaults to the current time.
        public var now: Int64?
        /// Limits on input size.
        public var limits: InputLimits
        /// The files the change being checked touched, as paths from the repository's root (`changedFiles(since:)`);
        /// a duplicate flag is then reported in the touched file. Nil when no base revision is known.
        public var changedFiles: Set<String>?
        /// Whether to lower the flags to a snapshot when there is no error; `validate` turns it off, as it only
        /// reports (every check, the snapshot-size estimate included, runs before lowering).
        public var producesSnapshot = true

        /// Creates options.
        public init(paths: [String], configPath: String? = nil, environment: String? = nil, revision: String? = nil, now: Int64? = nil, limits: InputLimits = InputLimits()) {
            self.paths = paths
            self.configPath = configPath
            self.environment = environment
            self.revision = revision
            self.now = now
            self.limits = limits
        }
    }

    /// What a run produced.
    public struct Result: Sendable {
        /// The problems found, in reporting order: at most `DiagnosticCollector.perFileLimit` of a file and
        /// `perRunLimit` of the run.
        public var diagnostics: [Diagnostic]
        /// The problems counted beyond those limits.
        public var suppressed: SuppressedDiagnostics
        /// The snapshot, when there was no error (and `Options.producesSnapshot` is set).
        public var snapshot: Snapshot?
        /// The flag files read.
        public var files: [String]
        /// The project config used.
        public var config: ProjectConfig
        /// The test files read (`*.test.yaml`, `*.test.yml`), decoded, in path order.
        package var tests: [FlagTestFile] = []
        /// The diagnostics that `# flagc:ignore` comments silenced, in reporting order, with their reasons.
        public var ignored: [IgnoredDiagnostic] = []
        /// The decoded flag files, in path order: what the lifecycle checks (`StaleCheck`) read.
        var sources: [SourceFile] = []
        /// The `type` of each flag that has one, by key (the first definition of a key counts).
        public var flagKinds: [String: FlagKind] {
            var kinds: [String: FlagKind] = [:]
            for flag in sources.flatMap(\.flags) where kinds[flag.key.value] == nil {
                if let kind = flag.kind { kinds[flag.key.value] = kind }
            }
            return kinds
        }

        /// Every flag with an `owner`, in file order (what `flagc owners` checks against CODEOWNERS).
        package var flagOwners: [FlagOwner] {
            sources.flatMap(\.flags).compactMap { flag in
                flag.metadata.owner.map { FlagOwner(file: flag.file, key: flag.key.value, owner: $0, location: flag.ownerLocation ?? flag.key.location) }
            }
        }

        /// The paths of the test files read.
        public var testFiles: [String] { tests.map(\.path) }

        /// Whether an error (not only warnings) was found.
        public var hasErrors: Bool { suppressed.errors > 0 || diagnostics.contains { $0.severity == .error } }

        /// Whether the run fails: an error, or with `strict` any diagnostic (suppressed ones included).
        public func fails(strict: Bool) -> Bool {
            strict ? !diagnostics.isEmpty || suppressed.count > 0 : hasErrors
        }
    }

    /// A problem with the invocation rather than the flag files (exit status 2).
    public struct UsageError: Error, Sendable, CustomStringConvertible {
        /// What is wrong and what to do.
        public var description: String

        /// Creates a usage error.
        public init(description: String) {
            self.description = description
        }
    }

    /// The options of this compiler.
    public var options: Options

    /// Creates a compiler.
    public init(options: Options) {
        self.options = options
    }

    /// Validates and, when there is no error, lowers the flag files to a snapshot.
    public func compile() throws(UsageError) -> Result {
        var collector = DiagnosticCollector()
        let config = try loadConfig(into: &collector)
        let found = try FileDiscovery.flagFiles(in: options.paths, followOutsideLinks: config.followsOutsideLinks)
        collector.add(contentsOf: found.problems)
        let files = found.files
        if let environment = options.environment, !config.environments.isEmpty, !config.environments.contains(environment) {
            throw UsageError(description: "--env '\(environment)' is not one of the environments declared in \(config.path ?? ProjectConfig.fileName): \(config.environments.joined(separator: ", "))")
        }
        let limits = options.limits
        let decoded = ConcurrentMap.map(files) { path -> (SourceFile, DiagnosticCollector) in
            FlagCompiler.decodeFile(at: path, limits: limits)
        }
        let tests = ConcurrentMap.map(found.testFiles) { path -> (FlagTestFile, DiagnosticCollector) in
            FlagCompiler.decodeTestFile(at: path, limits: limits)
        }
        return finish(decoded, tests: tests, config: config, files: files, collector: collector)
    }

    /// A flag file's content that the caller has already read (from a git object, an editor buffer, a fuzzer).
    public struct SourceText: Sendable {
        /// The path diagnostics name.
        public var path: String
        /// The file's bytes.
        public var bytes: [UInt8]

        /// Creates a source text.
        public init(path: String, bytes: [UInt8]) {
            self.path = path
            self.bytes = bytes
        }
    }

    /// Validates and lowers flag files given in memory, with `config` as the project config; `options.paths`
    /// and `options.configPath` are not used. Same diagnostics and snapshot as `compile()` on the same files.
    public func compile(sources texts: [SourceText], config: ProjectConfig = ProjectConfig()) -> Result {
        let limits = options.limits
        let decoded = ConcurrentMap.map(texts) { text -> (SourceFile, DiagnosticCollector) in
            FlagCompiler.decode(text.bytes, path: text.path, limits: limits)
        }
        return finish(decoded, config: config, files: texts.map(\.path), collector: DiagnosticCollector())
    }

    /// Cross-file validation and lowering, shared by both entry points.
    private func finish(_ decoded: [(SourceFile, DiagnosticCollector)], tests: [(FlagTestFile, DiagnosticCollector)] = [], config: ProjectConfig, files: [String], collector: DiagnosticCollector) -> Result {
        var collector = collector
        let sources = decoded.map(\.0)
        for (_, diagnostics) in decoded { collector.add(diagnostics) }
        // Test files are checked before validation, so that an error in one blocks the snapshot like any other.
        for (_, diagnostics) in tests { collector.add(diagnostics) }
        TestUnknownReference.check(tests.map(\.0), flags: sources.flatMap(\.flags), config: config, into: &collector)
        let now = options.now ?? Int64(time(nil))
        var validator = ProjectValidator(config: config, now: now)
        if let changed = options.changedFiles {
            let paths = RepositoryPaths.current()
            validator.changedFiles = Set(files.filter { changed.contains(paths.fromRoot($0)) })
        }
        let project = validator.validate(sources, into: &collector)

        var snapshot: Snapshot?
        if let project, options.producesSnapshot {
            snapshot = Lowering(project, environment: options.environment).snapshot(revision: options.revision)
        }
        // The run keeps the first diagnostics in reporting order; the rest are counted by rule.
        var suppressed = collector.suppressed
        var shown = collector.sorted
        if shown.count > DiagnosticCollector.perRunLimit {
            for diagnostic in shown[DiagnosticCollector.perRunLimit...] { suppressed.add(diagnostic) }
            shown.removeSubrange(DiagnosticCollector.perRunLimit...)
        }
        let ignored = collector.ignored.sorted { Diagnostic.reportingOrder($0.diagnostic, $1.diagnostic) }
        return Result(diagnostics: shown, suppressed: suppressed, snapshot: snapshot, files: files, config: config, tests: tests.map(\.0), ignored: ignored, sources: sources)
    }

    static func decodeFile(at path: String, limits: InputLimits) -> (SourceFile, DiagnosticCollector) {
        var decoder = FileDecoder(file: path)
        var ignores: [IgnoreComment] = []
        guard let root = parseFile(at: path, limits: limits, into: &decoder.diagnostics, ignores: &ignores) else {
            return (SourceFile(path: path), decoder.diagnostics.collector)
        }
        var (file, diagnostics) = decode(root, with: decoder)
        file.ignores = ignores
        return (file, diagnostics)
    }

    /// Reads, parses and decodes one test file (`*.test.yaml`).
    static func decodeTestFile(at path: String, limits: InputLimits) -> (FlagTestFile, DiagnosticCollector) {
        var decoder = TestFileDecoder(file: path)
        guard let root = parseFile(at: path, limits: limits, into: &decoder.diagnostics),
              !(decoder.diagnostics.collector.hasErrors && root == nil) else {
            return (FlagTestFile(path: path), decoder.diagnostics.collector)
        }
        let file = decoder.decode(root)
        return (file, decoder.diagnostics.collector)
    }

    /// Reads and parses a file: its tree (nil inside for an empty file or a syntax error), or nil when the file
    /// cannot be read (reported). The bytes are released once parsed, before the tree is decoded (a 16 MiB file
    /// is 16 MiB less at the peak).
    private static func parseFile(at path: String, limits: InputLimits, into diagnostics: inout FileDiagnostics) -> YAMLNode?? {
        var ignores: [IgnoreComment] = []
        return parseFile(at: path, limits: limits, into: &diagnostics, ignores: &ignores)
    }

    /// `parseFile`, also reading the file's `# flagc:ignore` comments (the parser drops comments).
    private static func parseFile(at path: String, limits: InputLimits, into diagnostics: inout FileDiagnostics, ignores: inout [IgnoreComment]) -> YAMLNode?? {
        do {
            let bytes = try FileDiscovery.read(path, limit: limits.maximumFileSize)
            ignores = IgnoreComment.scan(bytes, into: &diagnostics)
            return .some(YAMLParser(limits: limits).parse(bytes, diagnostics: &diagnostics))
        } catch {
            diagnostics.report(error.rule, at: nil, error.message)
            return nil
        }
    }

    /// Parses and decodes one file's bytes.
    static func decode(_ bytes: [UInt8], path: String, limits: InputLimits) -> (SourceFile, DiagnosticCollector) {
        var decoder = FileDecoder(file: path)
        let ignores = IgnoreComment.scan(bytes, into: &decoder.diagnostics)
        let root = YAMLParser(limits: limits).parse(bytes, diagnostics: &decoder.diagnostics)
        var (file, diagnostics) = decode(root, with: decoder)
        file.ignores = ignores
        return (file, diagnostics)
    }

    /// Decodes a parsed tree with the decoder that holds the parse's diagnostics.
    private static func decode(_ root: YAMLNode?, with decoder: FileDecoder) -> (SourceFile, DiagnosticCollector) {
        var decoder = decoder
        if decoder.diagnostics.collector.hasErrors && root == nil {
            return (SourceFile(path: decoder.diagnostics.file), decoder.diagnostics.collector)
        }
        let file = decoder.decode(root)
        return (file, decoder.diagnostics.collector)
    }

    private func loadConfig(into collector: inout DiagnosticCollector) throws(UsageError) -> ProjectConfig {
        if let path = options.configPath {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw UsageError(description: "--config '\(path)' does not exist; pass the path of a flagc.yaml")
            }
            if isDirectory.boolValue {
                throw UsageError(description: "--config '\(path)' is a folder; pass the path of the flagc.yaml file itself, for example \((path as NSString).appendingPathComponent(ProjectConfig.fileName))")
            }
        }
        guard let path = options.configPath ?? FileDiscovery.config(for: options.paths.first ?? ".") else {
            return ProjectConfig()
        }
        do {
            let bytes = try FileDiscovery.read(path, limit: options.limits.maximumFileSize)
            var (config, diagnostics) = ProjectConfig.decode(bytes, path: path, limits: options.limits)
            collector.add(diagnostics)
            if let from = config.ownersFile {
                let (known, problems) = KnownOwners.read(from: from, configPath: path, limits: options.limits)
                config.knownOwners = known
                collector.add(problems)
            }
            return config
        } catch {
            collector.add(Diagnostic(error.rule, file: path, at: nil, error.message))
            var config = ProjectConfig()
            config.path = path
            return config
        }
    }
}

extension FlagCompiler {
    /// The files a change touched since `base`: those that differ between the merge base of `base` and `HEAD`, and
    /// the working tree (committed or not), and new files not yet added, as paths from the repository's root. A usage error when `base` is not
    /// a revision or git cannot run.
    public static func changedFiles(since base: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws(UsageError) -> Set<String> {
        let git = try Git(directory: ".", environment: environment)
        let (commit, _) = try git.commit(named: base)
        let result = try git.run(["diff", "--name-only", "-z", "--no-renames", "--merge-base", commit])
        guard result.status == 0 else {
            throw UsageError(description: "git cannot compare with '\(base)': \(Git.firstLine(result.error))")
        }
        // New files not added to the index yet are part of the change too.
        let untracked = try git.run(["ls-files", "-z", "--others", "--exclude-standard", "--full-name"])
        return Set((result.output + (untracked.status == 0 ? untracked.output : [])).split(separator: 0).map { String(decoding: $0, as: UTF8.self) })
    }
}

/// Maps over an array on all cores, keeping the order.
enum ConcurrentMap {
    static func map<Element: Sendable, Result: Sendable>(_ elements: [Element], _ transform: @Sendable (Element) -> Result) -> [Result] {
        guard elements.count > 1 else { return elements.map(transform) }
        let results = ResultSlots<Result>(count: elements.count)
        DispatchApply.concurrentPerform(iterations: elements.count) { index in
            results.store(transform(elements[index]), at: index)
        }
        return results.values()
    }
}
