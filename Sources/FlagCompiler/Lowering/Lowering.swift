import FlagRuntime

/// Lowers a validated project to snapshot flags: segments are inlined, and with an environment given,
/// environment conditions are decided now (rules for other environments are dropped).
struct Lowering {
    let project: ValidatedProject
    let environment: String?

    init(_ project: ValidatedProject, environment: String?) {
        self.project = project
        self.environment = environment
    }

    /// The snapshot of the project, with the environments flagc.yaml declares (`Snapshot` sorts the flags and
    /// computes the content id).
    func snapshot(revision: String?) -> Snapshot {
        Snapshot(
            revision: revision,
            environment: environment,
            environments: project.environments.isEmpty ? nil : project.environments,
            flags: lower()
        )
    }

    /// The outcome of lowering a list of conditions: either they can never hold, or what remains to check at run time.
    enum Lowered {
        case never
        case conditions([Condition])
    }

    /// The project's complete flags, in the order they were read.
    func lower() -> [Flag] {
        lowerTracingRules().flags
    }

    /// The project's complete flags, and for each flag key the source position (in the flag's `rules` list) of
    /// each lowered rule: with an environment, rules for other environments are dropped, so lowered and written
    /// positions differ (`flagc diff` annotates the written rule).
    func lowerTracingRules() -> (flags: [Flag], ruleSources: [String: [Int]]) {
        var flags: [Flag] = []
        var ruleSources: [String: [Int]] = [:]
        var cache: [String: Lowered] = [:]
        for file in project.files {
            for source in file.flags where source.isComplete {
                var rules: [Rule] = []
                var positions: [Int] = []
                for rule in source.rules {
                    guard let outcome = rule.outcome, case .conditions(let conditions) = lower(rule.conditions, cache: &cache) else { continue }
                    rules.append(Rule(name: rule.name, from: rule.from?.value, until: rule.until?.value, conditions: conditions, outcome: outcome))
                    positions.append(rule.index)
                }
                flags.append(Flag(
                    key: source.key.value,
                    type: source.type,
                    enabled: source.enabled,
                    variants: source.variants,
                    defaultVariant: source.defaultVariant,
                    rules: rules,
                    metadata: source.metadata
                ))
                ruleSources[source.key.value] = positions
            }
        }
        return (flags, ruleSources)
    }

    private func lower(_ conditions: [SourceCondition], cache: inout [String: Lowered]) -> Lowered {
        var lowered: [Condition] = []
        for condition in conditions {
            switch condition {
            case .attribute(let condition):
                lowered.append(condition)
            case .environments(let names):
                let names = names.map(\.value)
                if let environment {
                    if !names.contains(environment) { return .never }
                } else {
                    lowered.append(.environment(names))
                }
            case .segments(let names):
                var resolved: [ResolvedSegment] = []
                var alwaysMatches = false
                for name in names.map(\.value) {
                    switch lowerSegment(name, cache: &cache) {
                    case .never:
                        continue
                    case .conditions(let conditions) where conditions.isEmpty:
                        alwaysMatches = true
                    case .conditions(let conditions):
                        resolved.append(ResolvedSegment(name: name, conditions: conditions))
                    }
                }
                if alwaysMatches { continue }
                if resolved.isEmpty { return .never }
                lowered.append(.segments(resolved))
            }
        }
        return .conditions(lowered)
    }

    private func lowerSegment(_ name: String, cache: inout [String: Lowered]) -> Lowered {
        if let cached = cache[name] { return cached }
        guard let segment = project.segments[name] else { return .never }
        let lowered = lower(segment.conditions, cache: &cache)
        cache[name] = lowered
        return lowered
    }
}
