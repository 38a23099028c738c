import FlagRuntime

/// Flag rules in plain language, for the report: `tenants acme, globex, until 31 Dec 2026 23:59 UTC → true`.
///
/// A pure function of the lowered rule (segments inlined keep their names), golden-tested over every rule kind in
/// `Tests/FlagCompilerTests/Fixtures/report/rule-wording.txt`.
///
/// ```swift
/// let text = RuleWording.describe(flag.rules[0], of: flag)
/// ```
package enum RuleWording {
    /// One rule: who it matches, when, and what it serves.
    package static func describe(_ rule: Rule, of flag: Flag) -> String {
        "\(audience(rule)) → \(outcome(rule.outcome, of: flag))"
    }

    /// Who and when a rule matches: its conditions and window, or `everyone`.
    package static func audience(_ rule: Rule) -> String {
        var parts = rule.conditions.map(condition)
        if let from = rule.from { parts.append("from \(ReportDates.long(from))") }
        if let until = rule.until { parts.append("until \(ReportDates.long(until))") }
        return parts.isEmpty ? "everyone" : parts.joined(separator: ", ")
    }

    /// What the flag does when no rule matches (or always, when disabled): `otherwise → false`.
    package static func fallback(of flag: Flag) -> String {
        guard flag.enabled else { return "disabled: every caller gets the default value in its code" }
        return "\(flag.rules.isEmpty ? "everyone" : "otherwise") → \(variant(flag.defaultVariant, of: flag))"
    }

    /// A served variant, a rollout (`true for 10 % of users`) or a split (`blue 50 %, green 50 % by tenant`).
    package static func outcome(_ outcome: Outcome, of flag: Flag) -> String {
        switch outcome {
        case .serve(let name):
            return variant(name, of: flag)
        case .split(let split):
            var text: String
            if let rollout = rolloutShare(split, of: flag) {
                text = "true for \(percent(rollout)) of \(split.bucketBy == Condition.targetingKey ? "users" : split.bucketBy + " values"), false for the rest"
            } else {
                text = "split " + split.buckets.map { "\(variant($0.variant, of: flag)) \(percent($0.weight))" }.joined(separator: ", ")
                if split.bucketBy != Condition.targetingKey { text += " by \(split.bucketBy)" }
            }
            if split.seed != flag.key { text += " (seed \(split.seed))" }
            return text
        }
    }

    /// The share of `true` out of 10 000 when `split` is a boolean rollout (a `true` and a `false` bucket).
    package static func rolloutShare(_ split: Split, of flag: Flag) -> Int? {
        guard flag.type == .boolean, split.buckets.count == 2,
              let on = split.buckets.first(where: { flag.variant(named: $0.variant)?.value == .boolean(true) }),
              split.buckets.contains(where: { flag.variant(named: $0.variant)?.value == .boolean(false) }) else { return nil }
        return on.weight
    }

    /// One condition: `users alice, bob`, `country is one of DE, FR`, `segment beta-testers`.
    package static func condition(_ condition: Condition) -> String {
        switch condition {
        case .environment(let names):
            return "\(names.count == 1 ? "environment" : "environments") \(names.joined(separator: ", "))"
        case .segments(let segments):
            let names = segments.map(\.name)
            return names.count == 1 ? "segment \(names[0])" : "segments \(names.joined(separator: " or "))"
        case .attribute(let name, let op, let operand):
            switch (name, op) {
            case (Condition.targetingKey, .in): return "users \(list(operand))"
            case (Condition.tenant, .in): return "tenants \(list(operand))"
            case (Condition.groups, .intersects): return "groups \(list(operand))"
            default: return "\(name == Condition.targetingKey ? "user" : name) \(phrase(op, operand))"
            }
        }
    }

    /// `is one of DE, FR`, `is at least 10`, `is set`.
    static func phrase(_ op: Condition.Operator, _ operand: Condition.Operand) -> String {
        let value = list(operand)
        switch op {
        case .in: return "is one of \(value)"
        case .notIn: return "is none of \(value)"
        case .intersects: return "includes any of \(value)"
        case .eq: return "is \(value)"
        case .neq: return "is not \(value)"
        case .startsWith: return "starts with \(value)"
        case .endsWith: return "ends with \(value)"
        case .contains: return "contains \(value)"
        case .lt: return "is less than \(value)"
        case .lte: return "is at most \(value)"
        case .gt: return "is more than \(value)"
        case .gte: return "is at least \(value)"
        case .semverEq: return "is version \(value)"
        case .semverLt: return "is a version below \(value)"
        case .semverLte: return "is version \(value) or below"
        case .semverGt: return "is a version above \(value)"
        case .semverGte: return "is version \(value) or above"
        case .before: return "is before \(value)"
        case .after: return "is after \(value)"
        case .exists: return operand == .boolean(false) ? "is not set" : "is set"
        }
    }

    /// An operand as text: lists comma-separated, strings quoted only when empty or padded, times in words.
    static func list(_ operand: Condition.Operand) -> String {
        switch operand {
        case .string(let text): return quoted(text)
        case .number(let value): return number(value)
        case .boolean(let value): return value ? "true" : "false"
        case .timestamp(let seconds): return ReportDates.long(seconds)
        case .strings(let texts): return texts.map(quoted).joined(separator: ", ")
        case .numbers(let numbers): return numbers.map(number).joined(separator: ", ")
        }
    }

    /// `10`, not `10.0`, for a whole number.
    private static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : value.description
    }

    private static func quoted(_ text: String) -> String {
        text.isEmpty || text.contains(",") || text.first == " " || text.last == " " ? "\"\(text)\"" : text
    }

    /// A variant by name, with its value when that says more than the name (`blue ("#00f")`).
    static func variant(_ name: String, of flag: Flag) -> String {
        guard let value = flag.variant(named: name)?.value else { return name }
        if case .string(name) = value { return name }
        let shown = ReportValues.text(value)
        return shown == name ? name : "\(name) (\(shown))"
    }

    /// A weight out of 10 000 as a percentage: `10 %`, `33.33 %`.
    package static func percent(_ weight: Int) -> String {
        let whole = weight / 100, rest = weight % 100
        return rest == 0 ? "\(whole) %" : "\(whole).\(rest < 10 ? "0" : "")\(rest % 10 == 0 ? String(rest / 10) : String(rest)) %"
    }
}

/// Dates as the report shows them, from Unix seconds (UTC, never the local zone).
package enum ReportDates {
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// `31 Dec 2026 23:59 UTC`.
    package static func long(_ seconds: Int64) -> String {
        let text = Array(Timestamp.format(seconds))
        let month = Int(String(text[5...6])) ?? 1
        let day = Int(String(text[8...9])) ?? 1
        return "\(day) \(months[month - 1]) \(String(text[0...3])) \(String(text[11...15])) UTC"
    }

    /// An `expires` instant: a date (stale from the following midnight) as `end of 30 Jun 2027 (UTC)`, a time as `long` does.
    package static func expiry(_ seconds: Int64) -> String {
        guard seconds % 86_400 == 0 else { return long(seconds) }
        let day = long(seconds - 86_400)
        return "end of \(day.prefix(day.count - 10)) (UTC)"
    }

    /// `2026-12-31`.
    package static func day(_ seconds: Int64) -> String { String(Timestamp.format(seconds).prefix(10)) }

    /// The first instant of the month after the one `seconds` falls in (for "expiring this month").
    package static func startOfNextMonth(after seconds: Int64) -> Int64 {
        let text = Timestamp.format(seconds)
        var year = Int(text.prefix(4)) ?? 1970
        var month = Int(text.dropFirst(5).prefix(2)) ?? 1
        month += 1
        if month > 12 { month = 1; year += 1 }
        let padded = (month < 10 ? "0" : "") + String(month)
        return Timestamp.parseDate("\(year)-\(padded)-01") ?? seconds
    }
}

/// Flag values as text: strings as written, numbers and booleans in JSON, objects as compact JSON.
package enum ReportValues {
    /// The value as one line of text.
    package static func text(_ value: FlagValue) -> String {
        switch value {
        case .boolean(let value): value ? "true" : "false"
        case .string(let text): "\"\(text)\""
        case .integer(let number): String(number)
        case .number(let number): number.description
        case .object(let members): JSONWriter(style: .compact).string(.object(members))
        }
    }
}
