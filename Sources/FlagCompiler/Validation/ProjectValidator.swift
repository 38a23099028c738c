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

    fileprivate init(files: [SourceFile], segments: [String: SourceSegment], environments: [String]) {
        self.files = files
        self.segments = segments
        self.environments = environments
    }
}

/// The checks that need every file at once (duplicates, segment references and cycles, the project's
/// conventions) or the current date (expired flags, passed windows, unreachable rules).
struct ProjectValidator {
    let config: ProjectConfig
    let now: Int64

    /// Adds the cross-file diagnostics to `run` (which holds the earlier stages' diagnostics) and returns the
    /// validated project when `run` then holds no error.
    ///
    /// Past `DiagnosticCollector.perRunLimit` the cross-file diagnostics are only counted, so a file with
    /// 100,000 flags that each break several conventions cannot make the run's memory explode.
    func validate(_ files: [SourceFile], into run: inout DiagnosticCollector) -> ValidatedProject? {
        let (diagnostics, segments) = check(files)
        run.add(diagnostics)
        return run.hasErrors ? nil : ValidatedProject(files: files, segments: segments, environments: config.environments)
    }

    /// The cross-file diagnostics and the segment table (the first definition of each name).
    private func check(_ files: [SourceFile]) -> (DiagnosticCollector, [String: SourceSegment]) {
        var diagnostics = DiagnosticCollector(limit: DiagnosticCollector.perRunLimit)
        // Only where each key was first defined: storing whole flags copied every one of them.
        var flagDefinitions: [String: (file: String, location: SourceLocation)] = [:]
        flagDefinitions.reserveCapacity(files.reduce(0) { $0 + $1.flags.count })
        var segmentDefinitions: [String: SourceSegment] = [:]
        for file in files {
            for segment in file.segments {
                if let first = segmentDefinitions[segment.name.value] {
                    diagnostics.add(Diagnostic(
                        .duplicateSegment, file: segment.file, at: segment.name.location,
                        "segment '\(segment.name.value)' is already defined in \(first.file):\(first.name.location.line); segment names are global across files, so rename or remove one",
                        related: [Diagnostic.Related(file: first.file, location: first.name.location, message: "first defined here")]
                    ))
                } else {
                    segmentDefinitions[segment.name.value] = segment
                }
            }
        }
        for file in files {
            for flag in file.flags {
                if let first = flagDefinitions[flag.key.value] {
                    diagnostics.add(Diagnostic(
                        .duplicateFlag, file: flag.file, at: flag.key.location,
                        "flag '\(flag.key.value)' is already defined in \(first.file):\(first.location.line); remove or rename one",
                        related: [Diagnostic.Related(file: first.file, location: first.location, message: "first defined here")]
                    ))
                } else {
                    flagDefinitions[flag.key.value] = (flag.file, flag.key.location)
                }
                checkFlag(flag, segments: segmentDefinitions, into: &diagnostics)
            }
            for segment in file.segments {
                checkConditions(segment.conditions, file: segment.file, segments: segmentDefinitions, into: &diagnostics)
            }
        }
        let cycles = segmentCycles(segmentDefinitions)
        diagnostics.add(contentsOf: cycles)
        if cycles.isEmpty {
            var expansion = SegmentExpansion(segments: segmentDefinitions)
            diagnostics.add(contentsOf: expansion.check(files))
        }
        return (diagnostics, segmentDefinitions)
    }

    private func checkFlag(_ flag: SourceFlag, segments: [String: SourceSegment], into diagnostics: inout DiagnosticCollector) {
        let key = flag.key.value
        if !config.keyFollowsConvention(key) {
            diagnostics.add(Diagnostic(
                .keyNaming, file: flag.file, at: flag.key.location,
                "flag key '\(key)' does not follow the naming convention \(config.namingPattern); name it like '\(config.namingExample)'"
            ))
        }
        for field in config.required where !flag.hasField(field) {
            let source = config.path.map { " (required by \($0))" } ?? " (required by default; set 'require' in flagc.yaml to change)"
            diagnostics.add(Diagnostic(.missingMetadata, file: flag.file, at: flag.key.location, "flag '\(key)' has no '\(field)'; add it\(source)"))
        }
        if let expires = flag.metadata.expires, expires <= now, let location = flag.expiresLocation {
            diagnostics.add(Diagnostic(
                .flagExpired, file: flag.file, at: location,
                "flag '\(key)' expired \(ProjectValidator.describeExpiry(expires)); remove the flag and the code that reads it, or extend 'expires'"
            ))
        }
        var catchAll: SourceRule?
        for rule in flag.rules {
            checkConditions(rule.conditions, file: flag.file, segments: segments, into: &diagnostics)
            if let until = rule.until, until.value <= now {
                diagnostics.add(Diagnostic(
                    .windowPassed, file: flag.file, at: until.location,
                    "rule \(rule.index + 1) of '\(key)' ended at \(Timestamp.format(until.value)) and can never match again; remove the rule"
                ))
            }
            if let catchAll {
                diagnostics.add(Diagnostic(
                    .unreachableRule, file: flag.file, at: rule.location,
                    "rule \(rule.index + 1) of '\(key)' can never match: the rule at line \(catchAll.location.line) has no conditions and always serves; move this rule above it or remove it",
                    related: [Diagnostic.Related(file: flag.file, location: catchAll.location, message: "this rule always matches")]
                ))
            } else if rule.conditions.isEmpty, rule.from == nil, rule.until == nil, case .serve? = rule.outcome {
                catchAll = rule
            }
        }
    }

    /// `at the end of 2026-05-31` for a date (stale from the next midnight), else `at <timestamp>`.
    static func describeExpiry(_ instant: Int64) -> String {
        guard instant % 86_400 == 0 else { return "at \(Timestamp.format(instant))" }
        return "at the end of \(Timestamp.format(instant - 86_400).prefix(10))"
    }

    private func checkConditions(_ conditions: [SourceCondition], file: String, segments: [String: SourceSegment], into diagnostics: inout DiagnosticCollector) {
        for condition in conditions {
            switch condition {
            case .attribute:
                break
            case .environments(let names):
                guard !config.environments.isEmpty else { continue }
                for name in names where !config.environments.contains(name.value) {
                    diagnostics.add(Diagnostic(
                        .unknownEnvironment, file: file, at: name.location,
                        "environment '\(name.value)' is not declared in flagc.yaml\(Suggestions.didYouMean(name.value, in: config.environments)); the environments are \(config.environments.joined(separator: ", "))"
                    ))
                }
            case .segments(let names):
                for name in names where segments[name.value] == nil {
                    let hint = Suggestions.closest(to: name.value, in: segments.keys).map { "did you mean '\($0)'?" } ?? "define it under 'segments:' in any flag file"
                    diagnostics.add(Diagnostic(.unknownSegment, file: file, at: name.location, "segment '\(name.value)' is not defined; \(hint)"))
                }
            }
        }
    }

    /// Reports each cycle of segments referencing segments once, at the segment that closes it.
    ///
    /// An explicit stack, not recursion: a chain of 100,000 segments must not overflow the thread's stack, and
    /// the path is the stack itself, not a copy per level.
    private func segmentCycles(_ segments: [String: SourceSegment]) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        var state: [String: Bool] = [:]  // false: on the current path; true: done
        func references(_ name: String) -> [Located<String>] {
            segments[name]?.conditions.flatMap { condition -> [Located<String>] in
                if case .segments(let names) = condition { return names }
                return []
            } ?? []
        }
        for root in segments.keys.sorted() where state[root] == nil {
            var stack: [(name: String, references: [Located<String>], next: Int)] = [(root, references(root), 0)]
            state[root] = false
            while let top = stack.last {
                guard top.next < top.references.count else {
                    state[top.name] = true
                    stack.removeLast()
                    continue
                }
                stack[stack.count - 1].next += 1
                let reference = top.references[top.next]
                switch state[reference.value] {
                case false?:
                    let onPath = stack.map(\.name)
                    let cycle = (onPath.drop { $0 != reference.value } + [reference.value]).joined(separator: " → ")
                    if let segment = segments[top.name] {
                        diagnostics.append(Diagnostic(
                            .segmentCycle, file: segment.file, at: reference.location,
                            "segments reference each other in a cycle (\(cycle)); remove one of the references"
                        ))
                    }
                case nil where segments[reference.value] != nil:
                    state[reference.value] = false
                    stack.append((reference.value, references(reference.value), 0))
                case nil, true?:
                    break
                }
            }
        }
        return diagnostics
    }
}
