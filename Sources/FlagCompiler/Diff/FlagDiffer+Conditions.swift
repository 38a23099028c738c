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
        switch (old.outcome, new.outcome) {
        case (.serve(let a), .serve(let b)) where a != b:
            add(FieldChange(kind: "serve", path: path + ".serve", before: .string(a), after: .string(b),
                            summary: "\(label) serves \(variantText(before, a)) → \(variantText(after, b))",
                            impact: Impact(share: 1, exact: true, reshuffle: false, transitions: [.init(from: a, to: b, share: 1)])))
        case (.split(let a), .split(let b)) where a != b:
            let impact = SplitImpact.impact(from: a, to: b)
            var field = FieldChange(kind: "split", path: path + ".split", before: .string(outcomeText(old.outcome)), after: .string(outcomeText(new.outcome)),
                                    summary: "\(label): \(outcomeText(old.outcome)) → \(outcomeText(new.outcome))" + reshuffleNote(a, b), impact: impact)
            field.shrinks = losesUsers(from: a, to: b, flag: after)
            add(field)
        case (.serve(let a), .split(let b)):
            add(FieldChange(kind: "split", path: path + ".split", before: .string(outcomeText(old.outcome)), after: .string(outcomeText(new.outcome)),
                            summary: "\(label): \(outcomeText(old.outcome)) → \(outcomeText(new.outcome))", impact: SplitImpact.impact(serving: a, replacedBy: b)))
        case (.split(let a), .serve(let b)):
            let transitions = a.buckets.filter { $0.variant != b && $0.weight > 0 }.map { Impact.Transition(from: $0.variant, to: b, share: Double($0.weight) / 10_000) }
            var field = FieldChange(kind: "serve", path: path + ".serve", before: .string(outcomeText(old.outcome)), after: .string(outcomeText(new.outcome)),
                                    summary: "\(label): \(outcomeText(old.outcome)) → \(outcomeText(new.outcome))",
                                    impact: Impact(share: transitions.reduce(0) { $0 + $1.share }, exact: true, reshuffle: false, transitions: transitions))
            field.shrinks = after.type == .boolean && b == "false"
            add(field)
        default:
            break
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

    /// Users lose what they had: a boolean rollout gives `true` to fewer users, or a variant's share drops to 0.
    static func losesUsers(from a: Split, to b: Split, flag: Flag) -> Bool {
        let after = Dictionary(b.buckets.map { ($0.variant, $0.weight) }, uniquingKeysWith: +)
        return a.buckets.contains { bucket in
            let remaining = after[bucket.variant] ?? 0
            if flag.type == .boolean, bucket.variant == "true" { return remaining < bucket.weight }
            return bucket.weight > 0 && remaining == 0
        }
    }

    /// A condition's identity within a rule: the attribute and operator, `environment`, or `segments`.
    static func conditionKey(_ condition: Condition) -> String {
        switch condition {
        case .attribute(let name, let op, _): "\(name) \(op.rawValue)"
        case .environment: "environment"
        case .segments: "segments"
        }
    }

    /// Conditions matched by identity; list operands show the members added and removed.
    static func compareConditions(_ old: [Condition], _ new: [Condition], path: String, label: String) -> [FieldChange] {
        var fields: [FieldChange] = []
        let oldByKey = Dictionary(old.map { (conditionKey($0), $0) }, uniquingKeysWith: { first, _ in first })
        let newByKey = Dictionary(new.map { (conditionKey($0), $0) }, uniquingKeysWith: { first, _ in first })
        for condition in old where newByKey[conditionKey(condition)] == nil {
            let key = conditionKey(condition)
            var field = FieldChange(kind: "condition-removed", path: "\(path).conditions.\(key)", before: .string(conditionText(condition)), after: nil,
                                    summary: "\(label): condition removed: \(conditionText(condition))")
            field.widens = true
            fields.append(field)
        }
        for condition in new {
            let key = conditionKey(condition)
            guard let previous = oldByKey[key] else {
                fields.append(FieldChange(kind: "condition-added", path: "\(path).conditions.\(key)", before: nil, after: .string(conditionText(condition)),
                                          summary: "\(label): condition added: \(conditionText(condition))"))
                continue
            }
            guard previous != condition else { continue }
            fields.append(conditionChange(previous, condition, path: "\(path).conditions.\(key)", label: label))
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
            }
        default:
            field.widens = true  // a scalar operand changed: another audience, possibly a larger one
        }
        return field
    }
}
