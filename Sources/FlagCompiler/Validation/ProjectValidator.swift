import FlagRuntime

/// The checks that need every file at once (duplicates, segment references and cycles, the project's
/// conventions) or the current date (expired flags, passed windows, unreachable rules).
struct ProjectValidator {
    let config: ProjectConfig
    let now: Int64

    func validate(_ files: [SourceFile]) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        // Only where each key was first defined: storing whole flags copied every one of them.
        var flagDefinitions: [String: (file: String, location: SourceLocation)] = [:]
        flagDefinitions.reserveCapacity(files.reduce(0) { $0 + $1.flags.count })
        var segmentDefinitions: [String: SourceSegment] = [:]
        for file in files {
            for segment in file.segments {
                if let first = segmentDefinitions[segment.name.value] {
                    diagnostics.append(Diagnostic(
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
                    diagnostics.append(Diagnostic(
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
        diagnostics += cycles
        if cycles.isEmpty {
            var expansion = SegmentExpansion(segments: segmentDefinitions)
            diagnostics += expansion.check(files)
        }
        return diagnostics
    }

    private func checkFlag(_ flag: SourceFlag, segments: [String: SourceSegment], into diagnostics: inout [Diagnostic]) {
        let key = flag.key.value
        if !config.keyFollowsConvention(key) {
            diagnostics.append(Diagnostic(
                .keyNaming, file: flag.file, at: flag.key.location,
                "flag key '\(key)' does not follow the naming convention \(config.namingPattern); name it like '\(config.namingExample)'"
            ))
        }
        for field in config.required where !flag.hasField(field) {
            let source = config.path.map { " (required by \($0))" } ?? " (required by default; set 'require' in flagc.yaml to change)"
            diagnostics.append(Diagnostic(.missingMetadata, file: flag.file, at: flag.key.location, "flag '\(key)' has no '\(field)'; add it\(source)"))
        }
        if let expires = flag.metadata.expires, expires <= now, let location = flag.expiresLocation {
            diagnostics.append(Diagnostic(
                .flagExpired, file: flag.file, at: location,
                "flag '\(key)' expired \(ProjectValidator.describeExpiry(expires)); remove the flag and the code that reads it, or extend 'expires'"
            ))
        }
        var catchAll: SourceRule?
        for rule in flag.rules {
            checkConditions(rule.conditions, file: flag.file, segments: segments, into: &diagnostics)
            if let until = rule.until, until.value <= now {
                diagnostics.append(Diagnostic(
                    .windowPassed, file: flag.file, at: until.location,
                    "rule \(rule.index + 1) of '\(key)' ended at \(Timestamp.format(until.value)) and can never match again; remove the rule"
                ))
            }
            if let catchAll {
                diagnostics.append(Diagnostic(
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

    private func checkConditions(_ conditions: [SourceCondition], file: String, segments: [String: SourceSegment], into diagnostics: inout [Diagnostic]) {
        for condition in conditions {
            switch condition {
            case .attribute:
                break
            case .environments(let names):
                guard !config.environments.isEmpty else { continue }
                for name in names where !config.environments.contains(name.value) {
                    diagnostics.append(Diagnostic(
                        .unknownEnvironment, file: file, at: name.location,
                        "environment '\(name.value)' is not declared in flagc.yaml\(Suggestions.didYouMean(name.value, in: config.environments)); the environments are \(config.environments.joined(separator: ", "))"
                    ))
                }
            case .segments(let names):
                for name in names where segments[name.value] == nil {
                    let hint = Suggestions.closest(to: name.value, in: segments.keys).map { "did you mean '\($0)'?" } ?? "define it under 'segments:' in any flag file"
                    diagnostics.append(Diagnostic(.unknownSegment, file: file, at: name.location, "segment '\(name.value)' is not defined; \(hint)"))
                }
            }
        }
    }

    /// Reports each cycle of segments referencing segments once, at the segment that closes it.
    private func segmentCycles(_ segments: [String: SourceSegment]) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        var state: [String: Bool] = [:]  // false: on the current path; true: done
        func references(_ segment: SourceSegment) -> [Located<String>] {
            segment.conditions.flatMap { condition -> [Located<String>] in
                if case .segments(let names) = condition { return names }
                return []
            }
        }
        func visit(_ name: String, path: [String]) {
            guard let segment = segments[name] else { return }
            state[name] = false
            for reference in references(segment) {
                switch state[reference.value] {
                case false?:
                    let cycle = (path.drop { $0 != reference.value } + [name, reference.value]).joined(separator: " → ")
                    diagnostics.append(Diagnostic(
                        .segmentCycle, file: segment.file, at: reference.location,
                        "segments reference each other in a cycle (\(cycle)); remove one of the references"
                    ))
                case nil:
                    visit(reference.value, path: path + [name])
                case true?:
                    break
                }
            }
            state[name] = true
        }
        for name in segments.keys.sorted() where state[name] == nil {
            visit(name, path: [])
        }
        return diagnostics
    }
}
