import FlagRuntime

/// One evaluation input: a context (targeting key, attributes, environment) and the time.
struct EvaluationInput {
    var context: EvaluationContext
    var at: Int64
}

/// Generates contexts and times for a snapshot from the operands its rules use: values equal to them and just
/// beside them (the next number, the next second, a longer or shorter string, another Unicode form), other
/// spellings of versions and timestamps (valid and not), values of the wrong type, and missing values.
struct ContextGenerator {
    var random: SeededRandom
    private var candidates: [String: [ContextValue]] = [:]
    private var targetingKeys: [String] = ["user-1", "user-2", "user-42", "", "ü-user", "日本", "beta_user@example.com"]
    private var environments: [String] = ["production", "Production", "", "staging", "development", "test"]
    private var instants: [Int64] = Pools.instants

    /// Values of other types than attributes usually have, given to any attribute now and then.
    static let wrongTypes: [ContextValue] = [
        .number(10), .number(0), .boolean(true), .boolean(false), .string("10"), .string("true"), .string(""),
        .strings(["pro"]), .strings([]), .strings(["true"]), .number(1),
    ]

    init(snapshot: Snapshot, seed: UInt64) {
        random = SeededRandom(seed: seed)
        for name in ["anonymous_id", "tenant", "groups"] { candidates[name, default: []] += [.string("anon-1"), .string("acme"), .strings(["staff"])] }
        for flag in snapshot.flags {
            for rule in flag.rules {
                for bound in [rule.from, rule.until].compactMap({ $0 }) { instants += [bound - 1, bound, bound + 1] }
                rule.conditions.forEach { collect($0) }
                if case .split(let split) = rule.outcome, split.bucketBy != Condition.targetingKey {
                    candidates[split.bucketBy, default: []] += [.string("bucket-\(split.bucketBy)"), .string(""), .string("ü"), .number(7)]
                }
            }
        }
    }

    private mutating func collect(_ condition: Condition) {
        switch condition {
        case .environment(let names):
            environments += names
        case .segments(let segments):
            for segment in segments { segment.conditions.forEach { collect($0) } }
        case .attribute(let name, let op, let operand):
            let values = ContextGenerator.values(near: op, operand)
            if name == Condition.targetingKey {
                targetingKeys += values.compactMap { if case .string(let text) = $0 { text } else { nil } }
            } else {
                candidates[name, default: []] += values
            }
        }
    }

    /// Values that match the operand, almost match it, or look like it with another type.
    static func values(near op: Condition.Operator, _ operand: Condition.Operand) -> [ContextValue] {
        switch operand {
        case .string(let text):
            switch op {
            case .semverEq, .semverLt, .semverLte, .semverGt, .semverGte: return versions(near: text).map(ContextValue.string)
            default: return strings(near: text).map(ContextValue.string) + [.strings([text]), .strings(["x", text])]
            }
        case .strings(let list):
            return list.flatMap { strings(near: $0).map(ContextValue.string) } + [.strings(list), .strings([list[0], "other"]), .strings(["other"])]
        case .number(let number):
            return numbers(near: number).map(ContextValue.number) + [.string(String(number))]
        case .numbers(let list):
            return list.flatMap { numbers(near: $0).map(ContextValue.number) } + [.string("\(Int(list[0]))")]
        case .boolean(let flag):
            return [.boolean(flag), .boolean(!flag), .string(String(flag)), .number(flag ? 1 : 0)]
        case .timestamp(let instant):
            return timestamps(near: instant).map(ContextValue.string) + [.number(Double(instant))]
        }
    }

    static func strings(near text: String) -> [String] {
        var values = [text, text + "x", "x" + text, text.uppercased(), String(text.dropLast()), String(text.dropFirst()), text + text, "", text + "\u{301}"]
        if let first = text.first { values.append(String(first)) }
        return values
    }

    static func numbers(near number: Double) -> [Double] {
        [number, number + 1, number - 1, number + 0.5, number.nextUp, number.nextDown, -number, number * 10]
    }

    static func versions(near text: String) -> [String] {
        guard let version = SemanticVersion(text) else { return [text] }
        let core = "\(version.major).\(version.minor).\(version.patch)"
        let pre = version.prerelease.isEmpty ? "" : "-" + version.prerelease.joined(separator: ".")
        return [
            version.description, text, "v" + core + pre, "V" + core + pre, core, core + "-rc.1", core + "-0", core + "-alpha.beta", core + "+build.7",
            core + pre + "+b", "\(version.major).\(version.minor)", "\(version.major)", "\(version.major).\(version.minor)-rc.1",
            "v\(version.major).\(version.minor)", "\(version.major).\(version.minor + 1).0", "\(version.major).\(version.minor).\(version.patch + 1)",
            "\(version.major + 1).0.0", "0\(version.major).\(version.minor).\(version.patch)", " " + core, core + "\n", core + ".1", core + "-01",
            core + "-a..b", core + "-", core + "+", "２.4.0", "\(version.major)\(version.minor)\(version.minor)9999999999.\(version.minor).\(version.patch)",
            "\(version.major).\(version.minor).\(version.patch)-alpha.\(version.patch + 9)", "18446744073709551615.0.0", "1.0.0-x.7.z.92",
            "18446744073709551615.18446744073709551615.0", "v18446744073709551615.18446744073709551615.1-rc.1",
        ]
    }

    /// RFC 3339 spellings of the instant and its neighbours, with offsets, fractions and lower case, and
    /// strings that flagc does not read as timestamps.
    static func timestamps(near instant: Int64) -> [String] {
        func local(_ seconds: Int64, offsetMinutes: Int64) -> String {
            let text = Timestamp.format(seconds + offsetMinutes * 60)
            let sign = offsetMinutes < 0 ? "-" : "+"
            let magnitude = abs(offsetMinutes)
            return String(text.dropLast()) + sign + pad(magnitude / 60) + ":" + pad(magnitude % 60)
        }
        func pad(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        func withFraction(_ text: String, _ digits: String) -> String { String(text.prefix(19)) + "." + digits + String(text.dropFirst(19)) }
        var values: [String] = []
        for delta in [-1, 0, 1] as [Int64] {
            let base = Timestamp.format(instant + delta)
            values += [base, base.lowercased(), local(instant + delta, offsetMinutes: 120), local(instant + delta, offsetMinutes: -330), local(instant + delta, offsetMinutes: 0)]
            values += [withFraction(base, "5"), withFraction(base, "999999999"), withFraction(base, String(repeating: "9", count: 18)), withFraction(local(instant + delta, offsetMinutes: 60), "0")]
        }
        let base = Timestamp.format(instant)
        values += [
            String(base.dropLast()), base.replacingOccurrences(of: "T", with: " "), String(base.prefix(10)), withFraction(base, ""),
            String(base.prefix(19)) + "+24:00", String(base.prefix(19)) + "+02:60", String(base.prefix(19)) + "-00:00", String(base.prefix(19)) + "+0200",
            String(base.prefix(17)) + "60Z", "2023-02-29T00:00:00Z", "2024-02-29T00:00:00Z", "2024-02-30T00:00:00Z", "2026-13-01T00:00:00Z",
            "2026-00-10T00:00:00Z", "2026-06-01T24:00:00Z", "2026-06-01T23:60:00Z", "２０２６-06-01T00:00:00Z", "0000-01-01T00:00:00Z",
            "9999-12-31T23:59:59Z", "1900-02-29T00:00:00Z", "2000-02-29T00:00:00Z", base + " ", "x" + base, base + "Z", withFraction(base, "1a"),
            withFraction(base, "١٢"), String(base.prefix(19)) + ".5+01:0", String(base.prefix(19)) + "+01:00Z",
        ]
        return values
    }

    /// The next context: each attribute missing, near an operand, or of another type.
    mutating func next() -> EvaluationInput {
        var attributes: [String: ContextValue] = [:]
        for name in candidates.keys.sorted() where !random.chance(0.3) {
            attributes[name] = random.chance(0.85) ? random.pick(candidates[name]!) : random.pick(ContextGenerator.wrongTypes)
        }
        let key: String? = random.chance(0.1) ? nil : (random.chance(0.6) ? random.pick(targetingKeys) : "user-\(Int.random(in: 0...9999, using: &random))")
        let environment: String? = random.chance(0.25) ? nil : random.pick(environments)
        let at = random.chance(0.75) ? random.pick(instants) : random.pick(instants) + Int64.random(in: -90_000...90_000, using: &random)
        return EvaluationInput(context: EvaluationContext(targetingKey: key, attributes: attributes, environment: environment), at: at)
    }
}
