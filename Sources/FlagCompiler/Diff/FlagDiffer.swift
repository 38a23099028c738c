import FlagRuntime

/// Compares two compiled sides flag by flag and environment by environment (`FlagDiff`).
public struct FlagDiffer: Sendable {
    /// The environments to compare; empty compares the snapshots for all environments.
    public var environments: [String]

    /// Creates a differ.
    public init(environments: [String]) {
        self.environments = environments
    }

    /// The diff of `base` → `head`.
    public func diff(_ base: DiffSide, _ head: DiffSide) -> FlagDiff {
        var changes: [FlagChange] = []
        if environments.isEmpty {
            changes = Self.compare(base.snapshot, head.snapshot, environment: nil)
        } else {
            // Per environment; a flag whose changes are the same in every environment is listed once.
            var perEnvironment: [String: [String: FlagChange]] = [:]
            var keys = Set<String>()
            for environment in environments {
                let before = base.environments[environment] ?? base.snapshot
                let after = head.environments[environment] ?? head.snapshot
                for change in Self.compare(before, after, environment: environment) {
                    perEnvironment[change.key, default: [:]][environment] = change
                    keys.insert(change.key)
                }
            }
            for key in keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
                let byEnvironment = perEnvironment[key] ?? [:]
                let first = byEnvironment[environments[0]]
                let same = byEnvironment.count == environments.count
                    && environments.allSatisfy { byEnvironment[$0].map { Self.withoutEnvironment($0) } == first.map { Self.withoutEnvironment($0) } }
                if same, let first {
                    changes.append(Self.withoutEnvironment(first))
                } else {
                    changes += environments.compactMap { byEnvironment[$0] }
                }
            }
        }
        return FlagDiff(
            base: FlagDiff.Side(label: base.label, revision: base.revision, id: base.snapshot.id),
            head: FlagDiff.Side(label: head.label, revision: head.revision, id: head.snapshot.id),
            environments: environments, flags: changes, populationSize: nil
        )
    }

    private static func withoutEnvironment(_ change: FlagChange) -> FlagChange {
        var change = change
        change.environment = nil
        return change
    }

    // MARK: Flags

    /// The changed flags between two snapshots, sorted by key.
    static func compare(_ before: Snapshot, _ after: Snapshot, environment: String?) -> [FlagChange] {
        let old = Dictionary(before.flags.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        let new = Dictionary(after.flags.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        var removed = before.flags.filter { new[$0.key] == nil }
        var added = after.flags.filter { old[$0.key] == nil }
        var changes: [FlagChange] = []

        // A removed and an added flag with the same content (a split seeded by its own key counts as the same) are
        // a rename.
        for flag in added {
            guard let index = removed.firstIndex(where: { Self.sameContent($0, flag) }) else { continue }
            let original = removed.remove(at: index)
            added.removeAll { $0.key == flag.key }
            var fields = compareFlags(original, flag)
            var risks: Set<DiffRisk> = [.flagRenamed]
            if fields.contains(where: { $0.impact?.reshuffle == true }) { risks.insert(.reshuffle) }
            fields = fields.filter { $0.kind != "key" }
            changes.append(FlagChange(key: flag.key, kind: .renamed, renamedFrom: original.key, environment: environment, changes: fields,
                                      risks: risks.sorted(), population: nil))
        }
        for flag in removed {
            changes.append(FlagChange(key: flag.key, kind: .removed, environment: environment,
                                      changes: [FieldChange(kind: "flag-removed", path: "", before: describe(flag), after: nil, summary: "removed (\(overview(flag)))")],
                                      risks: [.flagRemoved], population: nil))
        }
        for flag in added {
            changes.append(FlagChange(key: flag.key, kind: .added, environment: environment,
                                      changes: [FieldChange(kind: "flag-added", path: "", before: nil, after: describe(flag), summary: "added (\(overview(flag)))")],
                                      risks: [], population: nil))
        }
        for flag in after.flags {
            guard let original = old[flag.key], original != flag else { continue }
            let fields = compareFlags(original, flag)
            guard !fields.isEmpty else { continue }
            changes.append(FlagChange(key: flag.key, kind: .modified, environment: environment, changes: fields, risks: risks(fields, original, flag),
                                      population: nil))
        }
        return changes.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
    }

    /// Equal but for the key, a split seed equal to each flag's own key counting as the same.
    static func sameContent(_ a: Flag, _ b: Flag) -> Bool {
        var renamed = a
        renamed.key = b.key
        for index in renamed.rules.indices {
            if case .split(var split) = renamed.rules[index].outcome, split.seed == a.key {
                split.seed = b.key
                renamed.rules[index].outcome = .split(split)
            }
        }
        return renamed == b || a.withKeySeedsIgnored == b.withKeySeedsIgnored
    }

    /// The risks that `fields` carry.
    static func risks(_ fields: [FieldChange], _ before: Flag, _ after: Flag) -> [DiffRisk] {
        var risks = Set<DiffRisk>()
        for field in fields {
            switch field.kind {
            case "enabled": risks.insert(.killSwitchToggled)
            case "default": risks.insert(.defaultChanged)
            case "type": risks.insert(.typeChanged)
            case "variant-removed": risks.insert(.variantRemoved)
            case "rule-added", "condition-removed": risks.insert(.audienceWidened)
            case "condition-changed", "rule-window": if field.widens { risks.insert(.audienceWidened) }
            default: break
            }
            if field.impact?.reshuffle == true { risks.insert(.reshuffle) }
            if field.shrinks { risks.insert(.rolloutDecreased) }
        }
        return risks.sorted()
    }
}

extension Flag {
    /// The flag with split seeds that equal its key blanked, for rename detection.
    var withKeySeedsIgnored: Flag {
        var flag = self
        flag.key = ""
        for index in flag.rules.indices {
            if case .split(var split) = flag.rules[index].outcome, split.seed == key {
                split.seed = ""
                flag.rules[index].outcome = .split(split)
            }
        }
        return flag
    }
}
