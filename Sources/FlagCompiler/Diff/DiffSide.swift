import FlagRuntime
import Foundation

/// One side of a diff, compiled: its diagnostics, and its flags lowered for every environment compared.
///
/// The files are parsed, decoded and validated once; only lowering runs per environment. A side with errors is
/// still lowered as far as it compiles (`ProjectValidator.validatePartially`), so a change that repairs a broken
/// base can be reviewed.
public struct DiffSide: Sendable {
    /// Where a flag and its rules are written.
    public struct FlagLocation: Sendable, Hashable {
        /// The flag file.
        public var file: String
        /// The flag key's position.
        public var key: SourceLocation
        /// Each written rule's position, by its position in the flag's `rules` list.
        public var rules: [SourceLocation]
    }

    /// For people: the revision and its short id, "working tree", or a folder.
    public var label: String
    /// The full commit id, for a git revision.
    public var revision: String?
    /// The problems found, as `validate` reports them.
    public var diagnostics: [Diagnostic]
    /// Whether any of them is an error.
    public var hasErrors: Bool
    /// Whether the side has no flag files at all (a tree added or removed by the change).
    public var isMissing: Bool
    /// The environments the side's `flagc.yaml` declares.
    public var declaredEnvironments: [String]
    /// The snapshot for all environments (what `flagc compile` writes without `--env`); its id names the side.
    public var snapshot: Snapshot
    /// The snapshot specialised for each compared environment (as `compile --env` writes it).
    public var environments: [String: Snapshot]
    /// Where each flag is written.
    public var locations: [String: FlagLocation]
    /// Per environment, per flag, the written position of each lowered rule.
    public var ruleSources: [String: [String: [Int]]]

    /// The written position of rule `index` of `key` in `environment`'s snapshot (nil: all environments).
    public func location(of key: String, rule index: Int? = nil, environment: String? = nil) -> (file: String, location: SourceLocation)? {
        guard let flag = locations[key] else { return nil }
        guard let index else { return (flag.file, flag.key) }
        let written = environment.flatMap { ruleSources[$0]?[key] }.map { index < $0.count ? $0[index] : index } ?? index
        return written < flag.rules.count ? (flag.file, flag.rules[written]) : (flag.file, flag.key)
    }
}

extension FlagCompiler {
    /// Compiles one side of a diff: `sources` with the `flagc.yaml` in `configSource` (nil: the defaults), lowered
    /// for all environments and for each of `environments` (nil: every environment the config declares).
    public func compileSide(label: String, revision: String?, sources: [SourceText], configSource: SourceText?, environments requested: [String]?,
                            isMissing: Bool = false, extraProblems: [Diagnostic] = []) -> DiffSide {
        var collector = DiagnosticCollector()
        collector.add(contentsOf: extraProblems)
        var config = ProjectConfig()
        if let configSource {
            let (decoded, diagnostics) = ProjectConfig.decode(configSource.bytes, path: configSource.path, limits: options.limits)
            config = decoded
            collector.add(diagnostics)
        }
        let limits = options.limits
        let decoded = ConcurrentMap.map(sources) { text -> (SourceFile, DiagnosticCollector) in
            FlagCompiler.decode(text.bytes, path: text.path, limits: limits)
        }
        for (_, diagnostics) in decoded { collector.add(diagnostics) }
        let files = decoded.map(\.0)
        let now = options.now ?? Int64(time(nil))
        let project = ProjectValidator(config: config, now: now).validatePartially(files, into: &collector)

        var locations: [String: DiffSide.FlagLocation] = [:]
        for file in project.files {
            for flag in file.flags where locations[flag.key.value] == nil {
                locations[flag.key.value] = DiffSide.FlagLocation(file: file.path, key: flag.key.location, rules: flag.rules.map(\.location))
            }
        }
        let all = Self.lowerValid(project, environment: nil)
        var environments: [String: Snapshot] = [:]
        var ruleSources: [String: [String: [Int]]] = [:]
        for environment in requested ?? config.environments {
            let lowered = Self.lowerValid(project, environment: environment)
            environments[environment] = lowered.snapshot
            ruleSources[environment] = lowered.ruleSources
        }
        return DiffSide(
            label: label, revision: revision, diagnostics: collector.sorted, hasErrors: collector.hasErrors, isMissing: isMissing,
            declaredEnvironments: config.environments, snapshot: all.snapshot, environments: environments, locations: locations,
            ruleSources: ruleSources
        )
    }

    /// Lowers `project` for `environment`, keeping only flags that pass `SnapshotValidation` (a broken side may
    /// hold flags that do not; a valid side loses none).
    private static func lowerValid(_ project: ValidatedProject, environment: String?) -> (snapshot: Snapshot, ruleSources: [String: [Int]]) {
        let lowering = Lowering(project, environment: environment)
        let (flags, ruleSources) = lowering.lowerTracingRules()
        let valid = flags.filter { flag in (try? SnapshotValidation.check(flag)) != nil }
        // A side that does not declare a compared environment (one the other side added) carries no list, so its
        // snapshot can still be evaluated there (`--population`).
        let declared = project.environments.isEmpty || environment.map { !project.environments.contains($0) } == true ? nil : project.environments
        let snapshot = Snapshot(environment: environment, environments: declared, flags: valid)
        return (snapshot, ruleSources)
    }
}

extension FlagCompiler {
    /// The environments a `flagc.yaml` declares (none for nil or a config that does not decode).
    public static func declaredEnvironments(in config: SourceText?, limits: InputLimits = InputLimits()) -> [String] {
        guard let config else { return [] }
        return ProjectConfig.decode(config.bytes, path: config.path, limits: limits).0.environments
    }

    /// Compiles a tree read by `FlagTreeReader` as one side of a diff.
    public func compileSide(_ tree: FlagTree, environments: [String]?) -> DiffSide {
        compileSide(label: tree.label, revision: tree.revision, sources: tree.files, configSource: tree.config, environments: environments,
                    isMissing: tree.isMissing, extraProblems: tree.problems)
    }
}
