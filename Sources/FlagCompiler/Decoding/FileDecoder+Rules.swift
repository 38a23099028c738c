import FlagRuntime

/// Decoding a flag's rules: time windows, conditions and the outcome (serve, split or rollout).
extension FileDecoder {
    /// The rule at `index` of a flag's `rules`; nil when it is not a mapping or its conditions are invalid.
    mutating func decodeRule(_ node: YAMLNode, index: Int, flag: FlagContext) -> SourceRule? {
        guard let fields = diagnostics.fields(of: node, allowed: FileDecoder.ruleFields, in: "a rule of '\(flag.key)'") else { return nil }
        var valid = true
        let name = fields["name"].flatMap { diagnostics.text($0.value, "'name'") }
        var from = fields["from"].flatMap { diagnostics.dateTime($0.value, "'from'") }
        var until = fields["until"].flatMap { diagnostics.dateTime($0.value, "'until'") }
        if fields["from"] != nil && from == nil || fields["until"] != nil && until == nil { valid = false }
        if let start = from, let end = until, start.value >= end.value {
            diagnostics.report(.windowOrder, at: start.location, "'from' (\(Timestamp.format(start.value))) is not before 'until' (\(Timestamp.format(end.value))), so the rule can never be active; swap or correct them")
            valid = false
            from = nil
            until = nil
        }
        var conditions: [SourceCondition] = []
        if let when = fields["when"] {
            guard let decoded = decodeConditions(when.value, context: "'when'") else { return nil }
            conditions = decoded
        }

        let outcomes = ["serve", "split", "rollout"].filter { fields[$0] != nil }
        var rule = SourceRule(index: index, location: node.location, name: name, from: from, until: until, conditions: conditions, outcome: nil)
        guard outcomes.count == 1 else {
            let message = outcomes.isEmpty
                ? "the rule has no outcome; add one of 'serve', 'split' or 'rollout'"
                : "the rule has \(outcomes.map { "'\($0)'" }.joined(separator: " and ")); keep exactly one outcome per rule"
            diagnostics.report(.ruleOutcome, at: node.location, message)
            return rule
        }
        for field in ["bucket_by", "seed"] where fields[field] != nil && outcomes[0] == "serve" {
            diagnostics.report(.unknownField, at: fields[field]!.key.location, "'\(field)' applies only to 'split' and 'rollout'; remove it from this 'serve' rule")
            valid = false
        }
        let outcome: Outcome
        switch outcomes[0] {
        case "serve":
            guard let variant = resolveVariant(fields["serve"]!.value, in: flag, rule: .serveUnknownVariant, what: "'serve'") else { return rule }
            outcome = .serve(variant: variant)
        default:
            let seed = fields["seed"].flatMap { diagnostics.name($0.value, "'seed'") } ?? flag.key
            var bucketBy = Condition.targetingKey
            if let field = fields["bucket_by"] {
                guard let attribute = diagnostics.name(field.value, "'bucket_by'") else { return rule }
                bucketBy = attribute
            }
            let buckets = outcomes[0] == "split"
                ? decodeSplit(fields["split"]!.value, flag: flag)
                : decodeRollout(fields["rollout"]!.value, flag: flag)
            guard let buckets else { return rule }
            outcome = .split(Split(seed: seed, bucketBy: bucketBy, buckets: buckets))
        }
        if valid { rule.outcome = outcome }
        return rule
    }

    private mutating func decodeSplit(_ node: YAMLNode, flag: FlagContext) -> [Split.Bucket]? {
        guard let pairs = node.mapping, !pairs.isEmpty else {
            diagnostics.report(.wrongType, at: node.location, "'split' must map variant names to percentages, for example { blue: 50, green: 50 }")
            return nil
        }
        var buckets: [Split.Bucket] = []
        var valid = true
        for pair in pairs {
            guard let variant = resolveVariant(pair.key, in: flag, rule: .splitUnknownVariant, what: "a 'split' entry") else {
                valid = false
                continue
            }
            guard let weight = percentage(pair.value, what: "the weight of '\(variant)'", rule: .splitWeight) else {
                valid = false
                continue
            }
            if buckets.contains(where: { $0.variant == variant }) {
                diagnostics.report(.splitDuplicateVariant, at: pair.key.location, "variant '\(variant)' appears twice in this 'split'; give each variant one weight")
                valid = false
                continue
            }
            buckets.append(Split.Bucket(variant: variant, weight: weight))
        }
        guard valid else { return nil }
        let sum = buckets.reduce(0) { $0 + $1.weight }
        guard sum == 10_000 else {
            diagnostics.report(.splitSum, at: node.location, "split weights sum to \(formatPercent(sum)), not 100; adjust them so they add up to exactly 100")
            return nil
        }
        return buckets
    }

    private mutating func decodeRollout(_ node: YAMLNode, flag: FlagContext) -> [Split.Bucket]? {
        guard flag.type == .boolean,
              let on = flag.variants.first(where: { $0.value == .boolean(true) }),
              let off = flag.variants.first(where: { $0.value == .boolean(false) }) else {
            diagnostics.report(.rolloutNotBoolean, at: node.location, "'rollout' needs a boolean flag with a true and a false variant, and '\(flag.key)' is not one; use 'split' to divide traffic between variants")
            return nil
        }
        guard let weight = percentage(node, what: "'rollout'", rule: .rolloutRange) else { return nil }
        guard weight <= 10_000 else {
            diagnostics.report(.rolloutRange, at: node.location, "'rollout' is \(formatPercent(weight)); a rollout is a percentage from 0 to 100")
            return nil
        }
        return [Split.Bucket(variant: on.name, weight: weight), Split.Bucket(variant: off.name, weight: 10_000 - weight)]
    }

    /// A percentage with at most two decimals, as hundredths (`33.33` → 3333), read from the text as written
    /// so that no binary rounding creeps in.
    private mutating func percentage(_ node: YAMLNode, what: String, rule: RuleID) -> Int? {
        if diagnostics.reportAmbiguousNumber(node, what) { return nil }
        guard let scalar = node.scalar, scalar.isPlain, case let resolved = scalar.resolved, resolved.isNumber else {
            diagnostics.report(.wrongType, at: node.location, "\(what) must be a percentage such as 25 or 12.5, not \(node.kindDescription)")
            return nil
        }
        var text = Substring(scalar.value)
        if text.hasPrefix("-") {
            diagnostics.report(rule, at: node.location, "\(what) is negative (\(scalar.value)); percentages run from 0 to 100")
            return nil
        }
        if text.hasPrefix("+") { text = text.dropFirst() }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, parts.allSatisfy({ $0.utf8.allSatisfy { $0 >= 48 && $0 <= 57 } }),
              let whole = parts[0].isEmpty ? 0 : Int(parts[0]), whole <= 1_000_000 else {
            diagnostics.report(rule, at: node.location, "\(what) (\(scalar.value)) must be a plain decimal from 0 to 100 with at most two decimals")
            return nil
        }
        var fraction = parts.count == 2 ? String(parts[1]) : ""
        while fraction.count > 2, fraction.hasSuffix("0") { fraction.removeLast() }
        guard fraction.count <= 2 else {
            diagnostics.report(rule, at: node.location, "\(what) (\(scalar.value)) has more than two decimals; round it to hundredths of a percent")
            return nil
        }
        fraction += String(repeating: "0", count: 2 - fraction.count)
        return whole * 100 + Int(fraction)!
    }

    private func formatPercent(_ hundredths: Int) -> String {
        let fraction = hundredths % 100
        if fraction == 0 { return "\(hundredths / 100)" }
        return fraction % 10 == 0 ? "\(hundredths / 100).\(fraction / 10)" : "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }
}

extension ResolvedScalar {
    var isNumber: Bool {
        switch self {
        case .integer, .float: true
        default: false
        }
    }
}
