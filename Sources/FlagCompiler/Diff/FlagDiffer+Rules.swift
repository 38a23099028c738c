import FlagRuntime

extension FlagDiffer {
    /// Rules matched by content, then by position: an unchanged rule anywhere is matched (the longest common
    /// subsequence of equal rules), an equal rule out of order is moved, and the rest pair up in the gaps between
    /// matches, in order, as changed rules; what is left is added or removed.
    static func compareRules(_ before: Flag, _ after: Flag) -> [FieldChange] {
        let old = before.rules, new = after.rules
        let anchors = commonSubsequence(old, new)
        var unmatchedOld = Set(old.indices).subtracting(anchors.map(\.0))
        var unmatchedNew = Set(new.indices).subtracting(anchors.map(\.1))

        // Moves: equal content, not in the common subsequence.
        var moves: [(Int, Int)] = []
        for newIndex in unmatchedNew.sorted() {
            if let oldIndex = unmatchedOld.sorted().first(where: { old[$0] == new[newIndex] }) {
                moves.append((oldIndex, newIndex))
                unmatchedOld.remove(oldIndex)
                unmatchedNew.remove(newIndex)
            }
        }
        // Pairs within each gap between anchors.
        var pairs: [(Int, Int)] = []
        let bounds = [(-1, -1)] + anchors + [(old.count, new.count)]
        for (lower, upper) in zip(bounds, bounds.dropFirst()) {
            let gapOld = unmatchedOld.filter { $0 > lower.0 && $0 < upper.0 }.sorted()
            let gapNew = unmatchedNew.filter { $0 > lower.1 && $0 < upper.1 }.sorted()
            // The most similar rules pair first (same name, same split, same kind of conditions); rules with
            // nothing in common stay added and removed.
            var candidates: [(score: Int, old: Int, new: Int)] = []
            for oldIndex in gapOld {
                for newIndex in gapNew {
                    let score = similarity(old[oldIndex], new[newIndex])
                    // One rule replaced by one rule in the same place is that rule changed, however much.
                    if score >= 2 || (gapOld.count == 1 && gapNew.count == 1) { candidates.append((score, oldIndex, newIndex)) }
                }
            }
            candidates.sort { ($1.score, $0.old, $0.new) < ($0.score, $1.old, $1.new) }
            for candidate in candidates where unmatchedOld.contains(candidate.old) && unmatchedNew.contains(candidate.new) {
                pairs.append((candidate.old, candidate.new))
                unmatchedOld.remove(candidate.old)
                unmatchedNew.remove(candidate.new)
            }
        }

        // Then rules that moved across an unchanged one and changed too: paired only when clearly the same rule
        // (the same name, or the same split).
        var crossing: [(score: Int, old: Int, new: Int)] = []
        for oldIndex in unmatchedOld {
            for newIndex in unmatchedNew {
                let score = similarity(old[oldIndex], new[newIndex])
                if score >= 4 { crossing.append((score, oldIndex, newIndex)) }
            }
        }
        crossing.sort { ($1.score, $0.old, $0.new) < ($0.score, $1.old, $1.new) }
        var crossed: [(Int, Int)] = []
        for candidate in crossing where unmatchedOld.contains(candidate.old) && unmatchedNew.contains(candidate.new) {
            crossed.append((candidate.old, candidate.new))
            pairs.append((candidate.old, candidate.new))
            unmatchedOld.remove(candidate.old)
            unmatchedNew.remove(candidate.new)
        }

        var ordered: [(Int, FieldChange)] = []
        for (oldIndex, newIndex) in crossed {
            var field = FieldChange(kind: "rule-moved", path: "rules[\(newIndex)]", before: .integer(Int64(oldIndex + 1)), after: .integer(Int64(newIndex + 1)),
                                    summary: "\(ruleLabel(new[newIndex], newIndex)) moved from position \(oldIndex + 1) to \(newIndex + 1)")
            field.rule = newIndex
            ordered.append((newIndex, field))
        }
        for (oldIndex, newIndex) in moves {
            var field = FieldChange(kind: "rule-moved", path: "rules[\(newIndex)]", before: .integer(Int64(oldIndex + 1)), after: .integer(Int64(newIndex + 1)),
                                    summary: "\(ruleLabel(new[newIndex], newIndex)) moved from position \(oldIndex + 1) to \(newIndex + 1)")
            field.rule = newIndex
            ordered.append((newIndex, field))
        }
        for (oldIndex, newIndex) in pairs {
            for field in compareRule(old[oldIndex], new[newIndex], oldIndex: oldIndex, newIndex: newIndex, before: before, after: after) {
                ordered.append((newIndex, field))
            }
        }
        for newIndex in unmatchedNew {
            var field = FieldChange(kind: "rule-added", path: "rules[\(newIndex)]", before: nil, after: .string(ruleText(new[newIndex])),
                                    summary: "\(ruleLabel(new[newIndex], newIndex)) added: \(ruleText(new[newIndex]))")
            field.rule = newIndex
            field.widens = true
            if case .split(let split) = new[newIndex].outcome {
                // Its audience got the default (or a later rule) before; the split share is what it now assigns.
                field.impact = Impact(share: 1, exact: false, reshuffle: false,
                                      transitions: split.buckets.filter { $0.weight > 0 }.map { .init(from: "(before)", to: $0.variant, share: Double($0.weight) / 10_000) })
            }
            ordered.append((newIndex, field))
        }
        for oldIndex in unmatchedOld {
            var field = FieldChange(kind: "rule-removed", path: "rules[\(oldIndex)]", before: .string(ruleText(old[oldIndex])), after: nil,
                                    summary: "\(ruleLabel(old[oldIndex], oldIndex)) removed: \(ruleText(old[oldIndex]))")
            field.rule = oldIndex
            field.ruleIsInBase = true
            ordered.append((oldIndex, field))
        }
        return ordered.sorted { ($0.0, $0.1.path, $0.1.kind) < ($1.0, $1.1.path, $1.1.kind) }.map(\.1)
    }

    /// How alike two rules are, for pairing changed rules: the same name counts most, then the same split
    /// (seed and bucketing), the same conditions' attributes, the same kind of outcome.
    static func similarity(_ a: Rule, _ b: Rule) -> Int {
        var score = 0
        if let name = a.name, name == b.name { score += 4 }
        switch (a.outcome, b.outcome) {
        case (.split(let x), .split(let y)):
            score += 1
            if x.seed == y.seed && x.bucketBy == y.bucketBy { score += 3 }
            if Set(x.buckets.map(\.variant)) == Set(y.buckets.map(\.variant)) { score += 2 }
        case (.serve, .serve):
            score += 1
        default:
            break
        }
        let keysA = Set(a.conditions.map(conditionKey)), keysB = Set(b.conditions.map(conditionKey))
        if keysA == keysB { score += 2 } else if !keysA.isDisjoint(with: keysB) { score += 1 }  // two catch-alls count as alike
        if a.from == b.from && a.until == b.until { score += 1 }
        return score
    }

    /// The index pairs of the longest common subsequence of equal rules.
    static func commonSubsequence(_ a: [Rule], _ b: [Rule]) -> [(Int, Int)] {
        guard !a.isEmpty, !b.isEmpty else { return [] }
        // Rules per flag are few (a flag with thousands of rules is rare): the quadratic table is fine.
        var lengths = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in stride(from: a.count - 1, through: 0, by: -1) {
            for j in stride(from: b.count - 1, through: 0, by: -1) {
                lengths[i][j] = a[i] == b[j] ? lengths[i + 1][j + 1] + 1 : max(lengths[i + 1][j], lengths[i][j + 1])
            }
        }
        var pairs: [(Int, Int)] = []
        var i = 0, j = 0
        while i < a.count && j < b.count {
            if a[i] == b[j] {
                pairs.append((i, j))
                i += 1
                j += 1
            } else if lengths[i + 1][j] >= lengths[i][j + 1] {
                i += 1
            } else {
                j += 1
            }
        }
        return pairs
    }

    /// `rule 2 "pilot tenants"` (positions counted from 1, as `flagc eval` prints them).
    static func ruleLabel(_ rule: Rule, _ index: Int) -> String {
        "rule \(index + 1)" + (rule.name.map { " \"\($0)\"" } ?? "")
    }

    /// The rule in one line: `when tenant in [acme, globex] → 'true'`.
    static func ruleText(_ rule: Rule) -> String {
        var parts: [String] = []
        if !rule.conditions.isEmpty { parts.append("when " + rule.conditions.map(conditionText).joined(separator: " and ")) }
        if let from = rule.from { parts.append("from \(Timestamp.format(from))") }
        if let until = rule.until { parts.append("until \(Timestamp.format(until))") }
        parts.append("→ " + outcomeText(rule.outcome))
        return parts.joined(separator: " ")
    }

    static func outcomeText(_ outcome: Outcome) -> String {
        switch outcome {
        case .serve(let variant): "'\(variant)'"
        case .split(let split): "split " + split.buckets.map { "\($0.variant) \(percent(Double($0.weight) / 10_000))" }.joined(separator: ", ")
        }
    }

    static func conditionText(_ condition: Condition) -> String {
        switch condition {
        case .attribute(let name, let op, let operand): "\(name == Condition.targetingKey ? "user" : name) \(op.rawValue) \(operandText(operand))"
        case .environment(let names): "environment in [\(names.joined(separator: ", "))]"
        case .segments(let segments): "segment \(segments.map(\.name).joined(separator: " or "))"
        }
    }

    static func operandText(_ operand: Condition.Operand, limit: Int = 5) -> String {
        func list(_ items: [String]) -> String {
            items.count <= limit ? "[\(items.joined(separator: ", "))]" : "[\(items.prefix(limit).joined(separator: ", ")), … \(items.count) in all]"
        }
        switch operand {
        case .string(let text): return "'\(text)'"
        case .number(let number): return number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : String(number)
        case .boolean(let flag): return String(flag)
        case .timestamp(let seconds): return Timestamp.format(seconds)
        case .strings(let items): return list(items)
        case .numbers(let items): return list(items.map { operandText(.number($0)) })
        }
    }

    /// `25.00 %`.
    static func percent(_ share: Double) -> String {
        let hundredths = Int((share * 10_000).rounded())
        let fraction = hundredths % 100
        return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction) %"
    }
}

/// The diff's text helpers, for the command's renderers.
public enum FlagDifferText {
    /// A share from 0 to 1 as `25.00 %`.
    public static func percent(_ share: Double) -> String { FlagDiffer.percent(share) }
}
