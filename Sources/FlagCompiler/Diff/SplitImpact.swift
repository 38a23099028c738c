import FlagRuntime

/// The exact effect of changing a split, from its bucket ranges.
///
/// A split hashes `seed + value` onto 10,000 positions and gives each variant the positions of its bucket, in the
/// buckets' order. With the same seed and bucketing attribute a user keeps their position, so the users whose
/// variant changes are exactly the positions whose bucket names another variant: re-weighting moves the edge
/// between neighbours, re-ordering moves whole ranges. With another seed or attribute every user draws a new
/// position: the expected share that changes is 1 − Σ p_before(v) · p_after(v).
enum SplitImpact {
    /// The positions each variant holds, in order: `(variant, start, end)` with `end` exclusive.
    static func ranges(_ split: Split) -> [(variant: String, start: Int, end: Int)] {
        var start = 0
        return split.buckets.map { bucket in
            defer { start += bucket.weight }
            return (bucket.variant, start, start + bucket.weight)
        }
    }

    /// The impact of replacing `before` with `after` on the rule's audience.
    static func impact(from before: Split, to after: Split) -> Impact {
        if before.seed != after.seed || before.bucketBy != after.bucketBy {
            return reshuffle(from: before, to: after)
        }
        var moved: [String: [String: Int]] = [:]
        for old in ranges(before) {
            for new in ranges(after) where old.variant != new.variant {
                let overlap = min(old.end, new.end) - max(old.start, new.start)
                if overlap > 0 { moved[old.variant, default: [:]][new.variant, default: 0] += overlap }
            }
        }
        let transitions = moved.flatMap { from, targets in targets.map { Impact.Transition(from: from, to: $0.key, share: Double($0.value) / 10_000) } }
        return Impact(share: transitions.reduce(0) { $0 + $1.share }, exact: true, reshuffle: false, transitions: sorted(transitions))
    }

    /// Independent draws before and after: the expected share from each variant to each other.
    static func reshuffle(from before: Split, to after: Split) -> Impact {
        var transitions: [Impact.Transition] = []
        for old in before.buckets where old.weight > 0 {
            for new in after.buckets where new.weight > 0 && new.variant != old.variant {
                transitions.append(Impact.Transition(from: old.variant, to: new.variant, share: Double(old.weight) / 10_000 * Double(new.weight) / 10_000))
            }
        }
        return Impact(share: transitions.reduce(0) { $0 + $1.share }, exact: false, reshuffle: true, transitions: sorted(transitions))
    }

    /// The impact of a rule that served `variant` to its whole audience now splitting, or the reverse.
    static func impact(serving variant: String, replacedBy split: Split) -> Impact {
        let transitions = split.buckets.filter { $0.variant != variant && $0.weight > 0 }
            .map { Impact.Transition(from: variant, to: $0.variant, share: Double($0.weight) / 10_000) }
        return Impact(share: transitions.reduce(0) { $0 + $1.share }, exact: true, reshuffle: false, transitions: sorted(transitions))
    }

    /// The impact of a split replaced by a rule that serves `variant` to its whole audience.
    static func impact(from split: Split, serving variant: String) -> Impact {
        let transitions = split.buckets.filter { $0.variant != variant && $0.weight > 0 }
            .map { Impact.Transition(from: $0.variant, to: variant, share: Double($0.weight) / 10_000) }
        return Impact(share: transitions.reduce(0) { $0 + $1.share }, exact: true, reshuffle: false, transitions: sorted(transitions))
    }

    /// Largest first, then by names.
    private static func sorted(_ transitions: [Impact.Transition]) -> [Impact.Transition] {
        transitions.sorted { ($1.share, $0.from, $0.to) < ($0.share, $1.from, $1.to) }
    }
}
