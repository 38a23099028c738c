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
            for key in keys.sorted(by: { precedesByUTF8($0, $1) }) {
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
        let removedFlags = before.flags.filter { new[$0.key] == nil }
        let addedFlags = after.flags.filter { old[$0.key] == nil }
        var changes: [FlagChange] = []

        // A removed and an added flag with the same content are a rename: equal but for the key (a rename that keeps
        // its buckets with `seed: OLD_KEY`), or equal once split seeds that follow each flag's own key are set
        // aside (a rename that reshuffles). Found through hash tables, so renaming thousands of flags stays linear.
        var byPlainContent: [Flag: [Int]] = [:], bySeedlessContent: [Flag: [Int]] = [:]
        for (index, flag) in removedFlags.enumerated() {
            var plain = flag
            plain.key = ""
            byPlainContent[plain, default: []].append(index)
            bySeedlessContent[flag.withKeySeedsIgnored, default: []].append(index)
        }
        var renamedIndexes = Set<Int>()
        var added: [Flag] = []
        for flag in addedFlags {
            var plain = flag
            plain.key = ""
            let candidates = (byPlainContent[plain] ?? []) + (bySeedlessContent[flag.withKeySeedsIgnored] ?? [])
            guard let index = candidates.first(where: { !renamedIndexes.contains($0) }) else {
                added.append(flag)
                continue
            }
            renamedIndexes.insert(index)
            let original = removedFlags[index]
            let fields = compareFlags(original, flag)
            var risks: Set<DiffRisk> = [.flagRenamed]
            if fields.contains(where: { $0.impact?.reshuffle == true }) { risks.insert(.reshuffle) }
            changes.append(FlagChange(key: flag.key, kind: .renamed, renamedFrom: original.key, environment: environment, changes: fields,
                                      risks: risks.sorted(), population: nil))
        }
        let removed = removedFlags.indices.filter { !renamedIndexes.contains($0) }.map { removedFlags[$0] }
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
            var fields = compareFlags(original, flag)
            if fields.isEmpty {
                // Every difference the differ knows is itemised; a flag that still differs is never left out.
                var field = FieldChange(kind: "other", path: "", before: nil, after: nil, summary: "changed in a way this diff does not itemise; compare the rules by hand")
                field.widens = true
                fields = [field]
            }
            changes.append(FlagChange(key: flag.key, kind: .modified, environment: environment, changes: fields, risks: risks(fields, original, flag),
                                      population: nil))
        }
        return changes.sorted { precedesByUTF8($0.key, $1.key) }
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
            case "condition-changed", "rule-window", "other": if field.widens { risks.insert(.audienceWidened) }
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
