import FlagRuntime

/// Flag files that passed every check of the run with no error, with their segment table: what lowering takes.
///
/// Only `ProjectValidator.validate(_:into:)` makes one (its initializer is private to this file), so lowering
/// cannot be handed files that were not validated, and the segment table is built once, by the validator.
struct ValidatedProject: Sendable {
    /// The decoded files, in the order they were read.
    let files: [SourceFile]
    /// Every segment by name; names are unique (a second definition is a `duplicate-segment` error).
    let segments: [String: SourceSegment]
    /// The environments flagc.yaml declares (empty when it declares none), which conditions were checked against.
    let environments: [String]

    init(files: [SourceFile], segments: [String: SourceSegment], environments: [String]) {
        self.files = files
        self.segments = segments
        self.environments = environments
    }
}

/// A check that needs every file at once or the current date. Each has its own file under `Validation/Rules/`,
/// named after its rule id, holding its `RuleDescription` and the check that `ProjectValidator` calls.
protocol ProjectRule {
    /// The rule's id, summary, examples and where it is checked.
    static var description: RuleDescription { get }
}

extension ProjectRule {
    /// A flag file with one valid flag (`RuleCatalog.flag`), for the examples.
    static func flag(_ body: String, key: String = "demo.feature") -> String { RuleCatalog.flag(body, key: key) }

    /// An example of one file, `flags/demo.yaml`.
    static func one(_ yaml: String) -> [String: ExampleFile] { RuleCatalog.one(yaml) }
}

/// The checks that need every file at once (duplicates, segment references and cycles, the project's
/// conventions) or the current date (expired flags, passed windows, unreachable rules), each in its rule's file.
/// This walks the files once and calls them in order.
struct ProjectValidator {
    let config: ProjectConfig
    let now: Int64
    /// The files (as diagnostics name them) that the change being checked touched, when a base revision is known:
    /// a duplicate flag is then reported in the file the change touched.
    var changedFiles: Set<String>? = nil

    /// Adds the cross-file diagnostics to `run` (which holds the earlier stages' diagnostics) and returns the
    /// validated project when `run` then holds no error.
    ///
    /// Past `DiagnosticCollector.perRunLimit` the cross-file diagnostics are only counted, so a file with
    /// 100,000 flags that each break several conventions cannot make the run's memory explode.
    func validate(_ files: [SourceFile], into run: inout DiagnosticCollector) -> ValidatedProject? {
        let (diagnostics, segments, _) = check(files)
        run.add(diagnostics)
        adjust(&run, files: files)
        return run.hasErrors ? nil : ValidatedProject(files: files, segments: segments, environments: config.environments)
    }

    /// Like `validate(_:into:)`, but when the run holds errors, returns what can still be lowered instead of nil:
    /// the complete flags (the first definition of each key), and the segments unless they reference each other
    /// in a cycle or too deeply (then segment conditions never hold). For `flagc diff`, whose base side may be
    /// broken and must still be compared as far as it compiles.
    func validatePartially(_ files: [SourceFile], into run: inout DiagnosticCollector) -> ValidatedProject {
        let (diagnostics, segments, segmentsAreUsable) = check(files)
        run.add(diagnostics)
        adjust(&run, files: files)
        guard run.hasErrors else { return ValidatedProject(files: files, segments: segments, environments: config.environments) }
        var seen = Set<String>()
        let kept = files.map { file in
            var file = file
            file.flags = file.flags.filter { $0.isComplete && seen.insert($0.key.value).inserted }
            return file
        }
        return ValidatedProject(files: kept, segments: segmentsAreUsable ? segments : [:], environments: config.environments)
    }

    /// Applies `flagc.yaml`'s `rules:` levels and the files' `# flagc:ignore` comments to every diagnostic of the
    /// run, before it is decided whether the run has errors: a warning raised to an error blocks the snapshot.
    private func adjust(_ run: inout DiagnosticCollector, files: [SourceFile]) {
        var ignores: [String: [IgnoreComment]] = [:]
        for file in files where !file.ignores.isEmpty { ignores[file.path, default: []] += file.ignores }
        run.adjust(levels: config.ruleLevels, ignores: ignores)
    }

    /// The cross-file diagnostics, the segment table (the first definition of each name), and whether the segments
    /// can be inlined (no cycle, not too deep, not too large).
    private func check(_ files: [SourceFile]) -> (DiagnosticCollector, [String: SourceSegment], Bool) {
        var diagnostics = DiagnosticCollector(limit: DiagnosticCollector.perRunLimit)
        let segments = DuplicateSegment.table(of: files, into: &diagnostics)
        var duplicateFlags = DuplicateFlag(reservingCapacity: files.reduce(0) { $0 + $1.flags.count }, changedFiles: changedFiles)
        for file in files {
            for flag in file.flags {
                duplicateFlags.check(flag, into: &diagnostics)
                checkFlag(flag, segments: segments, into: &diagnostics)
            }
            for segment in file.segments {
                checkConditions(segment.conditions, file: segment.file, segments: segments, into: &diagnostics)
            }
        }
        SegmentUnused.check(files, segments: segments, into: &diagnostics)
        SegmentIdentical.check(files, into: &diagnostics)
        let cycles = SegmentCycle.check(segments)
        diagnostics.add(contentsOf: cycles)
        var inlinable = cycles.isEmpty
        if cycles.isEmpty {
            var expansion = SegmentExpansion(segments: segments)
            let tooDeep = SegmentDepth.check(&expansion)
            diagnostics.add(contentsOf: tooDeep)
            inlinable = tooDeep.isEmpty
            if tooDeep.isEmpty {
                let tooLarge = SnapshotSize.check(files, &expansion)
                diagnostics.add(contentsOf: tooLarge)
                inlinable = tooLarge.isEmpty
            }
        }
        return (diagnostics, segments, inlinable)
    }

    private func checkFlag(_ flag: SourceFlag, segments: [String: SourceSegment], into diagnostics: inout DiagnosticCollector) {
        KeyNaming.check(flag, config: config, into: &diagnostics)
        MissingMetadata.check(flag, config: config, into: &diagnostics)
        OwnerUnknown.check(flag, config: config, into: &diagnostics)
        FlagExpired.check(flag, now: now, into: &diagnostics)
        var unreachable = UnreachableRule()
        for rule in flag.rules {
            checkConditions(rule.conditions, file: flag.file, segments: segments, into: &diagnostics)
            WindowPassed.check(rule, of: flag, now: now, into: &diagnostics)
            unreachable.check(rule, of: flag, into: &diagnostics)
        }
    }

    private func checkConditions(_ conditions: [SourceCondition], file: String, segments: [String: SourceSegment], into diagnostics: inout DiagnosticCollector) {
        for condition in conditions {
            switch condition {
            case .attribute:
                break
            case .environments(let names):
                UnknownEnvironment.check(names, file: file, config: config, into: &diagnostics)
            case .segments(let names):
                UnknownSegment.check(names, file: file, segments: segments, into: &diagnostics)
            }
        }
    }
}
