import FlagRuntime

extension FlagDiffer {
    /// The changes between two rules paired by position: name, window, conditions and outcome.
    static func compareRule(_ old: Rule, _ new: Rule, oldIndex: Int, newIndex: Int, before: Flag, after: Flag) -> [FieldChange] {
        var fields: [FieldChange] = []
        let path = "rules[\(newIndex)]"
        let label = ruleLabel(new, newIndex)
        func add(_ field: FieldChange) {
            var field = field
            field.rule = newIndex
            fields.append(field)
        }
        if old.name != new.name {
            add(FieldChange(kind: "rule-name", path: path + ".name", before: old.name.map(JSONValue.string), after: new.name.map(JSONValue.string),
                            summary: "\(label) renamed from \(old.name.map { "\"\($0)\"" } ?? "(unnamed)")"))
        }
        if old.from != new.from || old.until != new.until {
            func window(_ rule: Rule) -> String {
                switch (rule.from, rule.until) {
                case (nil, nil): "always"
                case (let from?, nil): "from \(Timestamp.format(from))"
                case (nil, let until?): "until \(Timestamp.format(until))"
                case (let from?, let until?): "\(Timestamp.format(from)) – \(Timestamp.format(until))"
                }
            }
            var field = FieldChange(kind: "rule-window", path: path + ".window", before: .string(window(old)), after: .string(window(new)),
                                    summary: "\(label) window: \(window(old)) → \(window(new))")
            // Wider when it starts earlier or ends later (or lost a bound).
            field.widens = (old.from != nil && (new.from ?? .min) < old.from!) || (old.until != nil && (new.until ?? .max) > old.until!)
            add(field)
        }
        for field in compareConditions(old.conditions, new.conditions, path: path, label: label) { add(field) }
        var outcome: FieldChange?
        switch (old.outcome, new.outcome) {
        case (.serve(let a), .serve(let b)) where a != b:
            outcome = FieldChange(kind: "serve", path: path + ".serve", before: .string(a), after: .string(b),
                                  summary: "\(label) serves \(variantText(before, a)) → \(variantText(after, b))",
                                  impact: Impact(share: 1, exact: true, reshuffle: false, transitions: [.init(from: a, to: b, share: 1)]))
        case (.split(let a), .split(let b)) where a != b:
            outcome = FieldChange(kind: "split", path: path + ".split", before: .string(outcomeText(old.outcome)), after: .string(outcomeText(new.outcome)),
                                  summary: "\(label): \(outcomeText(old.outcome)) → \(outcomeText(new.outcome))" + reshuffleNote(a, b),
                                  impact: SplitImpact.impact(from: a, to: b))
        case (.serve(let a), .split(let b)):
            outcome = FieldChange(kind: "split", path: path + ".split", before: .string(outcomeText(old.outcome)), after: .string(outcomeText(new.outcome)),
                                  summary: "\(label): \(outcomeText(old.outcome)) → \(outcomeText(new.outcome))", impact: SplitImpact.impact(serving: a, replacedBy: b))
        case (.split(let a), .serve(let b)):
            outcome = FieldChange(kind: "serve", path: path + ".serve", before: .string(outcomeText(old.outcome)), after: .string(outcomeText(new.outcome)),
                                  summary: "\(label): \(outcomeText(old.outcome)) → \(outcomeText(new.outcome))", impact: SplitImpact.impact(from: a, serving: b))
        default:
            break
        }
        if var outcome {
            outcome.shrinks = losesUsers(from: old.outcome, to: new.outcome, before: before, after: after)
            add(outcome)
        }
        return fields
    }

    /// ` (reshuffle: seed 'a' → 'b')`, or nothing.
    static func reshuffleNote(_ a: Split, _ b: Split) -> String {
        var notes: [String] = []
        if a.seed != b.seed { notes.append("seed '\(a.seed)' → '\(b.seed)'") }
        if a.bucketBy != b.bucketBy { notes.append("bucket by '\(a.bucketBy)' → '\(b.bucketBy)'") }
        return notes.isEmpty ? "" : " (reshuffle: \(notes.joined(separator: ", ")))"
    }

    /// Whether users lose what they had: for a boolean flag, fewer of the rule's audience get the variants whose
    /// value is `true` (a lowered rollout, `serve: true` → `false`); for any flag, a variant a split gave a share
    /// gets none.
    static func losesUsers(from old: Outcome, to new: Outcome, before: Flag, after: Flag) -> Bool {
        func shares(_ outcome: Outcome) -> [String: Int] {
            switch outcome {
            case .serve(let variant): [variant: 10_000]
            case .split(let split): Dictionary(split.buckets.map { ($0.variant, $0.weight) }, uniquingKeysWith: +)
            }
        }
        let oldShares = shares(old), newShares = shares(new)
        if before.type == .boolean && after.type == .boolean {
            func onShare(_ shares: [String: Int], _ flag: Flag) -> Int {
                shares.filter { flag.variant(named: $0.key)?.value == .boolean(true) }.values.reduce(0, +)
            }
            return onShare(newShares, after) < onShare(oldShares, before)
        }
        guard case .split = old else { return false }
        return oldShares.contains { $0.value > 0 && (newShares[$0.key] ?? 0) == 0 }
    }

    /// A condition's identity within a rule: the attribute and operator, `environment`, or `segments`.
    static func conditionKey(_ condition: Condition) -> String {
        switch condition {
        case .attribute(let name, let op, _): "\(name) \(op.rawValue)"
        case .environment: "environment"
        case .segments: "segments"
        }
    }

    /// Conditions matched as a multiset: equal conditions first, then conditions on the same attribute and operator
    /// in order (two conditions may share them); list operands show the members added and removed.
    static func compareConditions(_ old: [Condition], _ new: [Condition], path: String, label: String) -> [FieldChange] {
        var oldLeft = Array(old.indices), newLeft: [Int] = []
        for index in new.indices {
            if let match = oldLeft.firstIndex(where: { old[$0] == new[index] }) {
                oldLeft.remove(at: match)
            } else {
                newLeft.append(index)
            }
        }
        var fields: [FieldChange] = []
        var seen: [String: Int] = [:]
        func conditionPath(_ condition: Condition) -> String {
            let key = conditionKey(condition)
            let count = seen[key, default: 0]
            seen[key] = count + 1
            return "\(path).conditions.\(key)" + (count == 0 ? "" : " #\(count + 1)")
        }
        for index in newLeft {
            let condition = new[index]
            if let match = oldLeft.firstIndex(where: { conditionKey(old[$0]) == conditionKey(condition) }) {
                let previous = old[oldLeft.remove(at: match)]
                fields.append(conditionChange(previous, condition, path: conditionPath(condition), label: label))
            } else {
                fields.append(FieldChange(kind: "condition-added", path: conditionPath(condition), before: nil, after: .string(conditionText(condition)),
                                          summary: "\(label): condition added: \(conditionText(condition))"))
            }
        }
        for index in oldLeft {
            let condition = old[index]
            var field = FieldChange(kind: "condition-removed", path: "\(path).conditions.\(conditionKey(condition))", before: .string(conditionText(condition)),
                                    after: nil, summary: "\(label): condition removed: \(conditionText(condition))")
            field.widens = true
            fields.append(field)
        }
        return fields
    }

    /// One condition whose operand changed.
    static func conditionChange(_ old: Condition, _ new: Condition, path: String, label: String) -> FieldChange {
        var field = FieldChange(kind: "condition-changed", path: path, before: .string(conditionText(old)), after: .string(conditionText(new)),
                                summary: "\(label): \(conditionText(old)) → \(conditionText(new))")
        func members(_ removed: [String], _ added: [String], _ subject: String, widensWhenAdded: Bool) {
            var parts: [String] = []
            if !added.isEmpty { parts.append("+\(added.count) (\(added.prefix(5).joined(separator: ", "))\(added.count > 5 ? ", …" : ""))") }
            if !removed.isEmpty { parts.append("−\(removed.count) (\(removed.prefix(5).joined(separator: ", "))\(removed.count > 5 ? ", …" : ""))") }
            field.summary = "\(label): \(subject) \(parts.joined(separator: ", "))"
            field.before = .array(removed.map(JSONValue.string))
            field.after = .array(added.map(JSONValue.string))
            field.widens = widensWhenAdded ? !added.isEmpty : !removed.isEmpty
        }
        switch (old, new) {
        case (.attribute(let name, let op, .strings(let a)), .attribute(_, _, .strings(let b))):
            let removed = a.filter { !Set(b).contains($0) }, added = b.filter { !Set(a).contains($0) }
            members(removed, added, "\(name == Condition.targetingKey ? "user" : name) \(op.rawValue)", widensWhenAdded: op != .notIn)
        case (.environment(let a), .environment(let b)):
            members(a.filter { !b.contains($0) }, b.filter { !a.contains($0) }, "environments", widensWhenAdded: true)
        case (.segments(let a), .segments(let b)):
            let oldNames = a.map(\.name), newNames = b.map(\.name)
            if oldNames == newNames {
                let changed = zip(a, b).filter { $0 != $1 }.map(\.0.name)
                field.summary = "\(label): segment \(changed.joined(separator: ", ")) changed its conditions"
                field.widens = true  // without comparing the segments' audiences, assume the worst
            } else {
                members(oldNames.filter { !newNames.contains($0) }, newNames.filter { !oldNames.contains($0) }, "segments", widensWhenAdded: true)
                // A segment kept under its name may have changed too.
                let oldByName = Dictionary(a.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
                if b.contains(where: { segment in oldByName[segment.name].map { $0 != segment } ?? false }) { field.widens = true }
            }
        default:
            field.widens = true  // a scalar operand changed: another audience, possibly a larger one
        }
        return field
    }
}
