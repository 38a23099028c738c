import FlagRuntime

extension FlagDiff {
    /// Evaluates both sides on every context of `population` and records, per changed flag and environment, how
    /// many contexts get another value or variant: the whole-flag answer, earlier rules included (`--population`).
    public mutating func measure(population: [EvaluationContext], base: DiffSide, head: DiffSide, now: Int64) {
        populationSize = population.count
        let clock = SettableClock(default: now)  // both sides see the same instant
        var cache: [String: (FlagStore?, FlagStore?)] = [:]
        func stores(for environment: String?) -> (FlagStore?, FlagStore?) {
            let name = environment ?? ""
            if let cached = cache[name] { return cached }
            let before = environment.flatMap { base.environments[$0] } ?? base.snapshot
            let after = environment.flatMap { head.environments[$0] } ?? head.snapshot
            let pair = (try? FlagStore(snapshot: before, environment: environment, clock: clock), try? FlagStore(snapshot: after, environment: environment, clock: clock))
            cache[name] = pair
            return pair
        }
        for index in flags.indices {
            let change = flags[index]
            // For a change shown once for every environment, the first environment stands for all.
            let (before, after) = stores(for: change.environment ?? environments.first)
            guard let before, let after else { continue }
            let oldKey = change.renamedFrom ?? change.key
            var counts: [String: [String: Int]] = [:]
            var changed = 0
            for context in population {
                let old = before.details(oldKey, context: context), new = after.details(change.key, context: context)
                guard old.value != new.value || old.variant != new.variant else { continue }
                changed += 1
                counts[Self.outcomeName(old), default: [:]][Self.outcomeName(new), default: 0] += 1
            }
            let transitions = counts.flatMap { from, targets in targets.map { PopulationImpact.Count(from: from, to: $0.key, count: $0.value) } }
                .sorted { ($1.count, $0.from, $0.to) < ($0.count, $1.from, $1.to) }
            flags[index].population = PopulationImpact(changed: changed, total: population.count, transitionCounts: Array(transitions.prefix(10)))
        }
    }

    /// The variant served, or `(default)` for the caller's default (missing, disabled, an error).
    static func outcomeName(_ details: EvaluationDetails<FlagValue?>) -> String {
        details.variant ?? (details.value == nil ? "(default)" : "(override)")
    }
}
