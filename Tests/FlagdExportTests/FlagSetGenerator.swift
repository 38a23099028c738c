import FlagRuntime

/// A small deterministic random number generator (SplitMix64), so that generated flag sets and contexts are
/// the same on every run and a mismatch can be reproduced.
struct SeededRandom: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func chance(_ probability: Double) -> Bool {
        Double.random(in: 0..<1, using: &self) < probability
    }

    mutating func pick<T>(_ values: [T]) -> T {
        values[Int.random(in: 0..<values.count, using: &self)]
    }

    /// 1…`maximum` distinct elements of `values`, in random order.
    mutating func some<T>(_ values: [T], maximum: Int) -> [T] {
        Array(values.shuffled(using: &self).prefix(Int.random(in: 1...min(maximum, values.count), using: &self)))
    }
}

/// Values shared by generated flags and generated contexts, so that conditions match often and the edges are
/// exercised: near-misses, other Unicode forms, wrong types, bounds.
enum Pools {
    static let strings = [
        "pro", "enterprise", "free", "", "Pro", "pro ", " pro", "\u{E9}t\u{E9}", "e\u{301}te\u{301}", "日本", "🙂", "a.b",
        "qa+1@example.com", "x@example.com", "svc-7", "@example.com", "ü-test", "10", "true", "null", "acme", "globex",
        "beta-testers", "staff", "BR", "NO", "2.4.0", "2026-06-01T00:00:00Z",
    ]
    static let numbers: [Double] = [0, -0.0, 1, 9, 10, 10.5, 11, -3, 1e15, 2.5, 1_000_000, 4999, 5000, 0.1, -1e-7, 9_007_199_254_740_992]
    static let versions = ["1.0.0", "2.4.0", "2.4.0-beta.1", "2.10.0", "0.0.1", "3.0.0-rc.1", "1.2.3+build.5", "v2.0.0", "2.4.0-alpha.10", "2.4.0-alpha.9"]
    static let instants: [Int64] = [
        Timestamp.parseDateTime("2026-06-01T00:00:00Z")!, Timestamp.parseDateTime("2024-02-29T12:00:00Z")!,
        0, Timestamp.parseDateTime("2000-03-01T00:00:00+01:00")!, Timestamp.parseDateTime("1900-03-01T00:00:00Z")!,
    ]
    static let environments = ["development", "test", "staging", "production"]
    static let seeds = ["seed-a", "seed-b", "séd-ü", "日本-seed", "rollout_2026"]
    static let stringAttributes = ["plan", "email", "tenant", "country", "ünïcode", "targetingKey"]
    static let numberAttributes = ["seats", "score"]
    static let bucketAttributes = ["targetingKey", "targetingKey", "tenant", "anonymous_id", "seats", "groups"]
}

/// Generates snapshots whose flags use every rule kind: every `Condition.Operator` with each operand type it
/// takes, segments (nested, and always-true ones as `--env` leaves them), environments, windows, splits and
/// rollouts (seeds, `bucket_by`, zero weights), disabled flags and every value type.
struct FlagSetGenerator {
    var random: SeededRandom

    init(seed: UInt64) {
        random = SeededRandom(seed: seed)
    }

    mutating func snapshot(flagCount: Int, name: String) -> Snapshot {
        var flags: [Flag] = []
        for index in 0..<flagCount {
            flags.append(flag(key: "gen.\(name).f\(index)", index: index))
        }
        flags.sort { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
        return Snapshot(revision: "generated-\(name)", flags: flags)
    }

    mutating func flag(key: String, index: Int) -> Flag {
        let type = FlagValueType.allCases[index % FlagValueType.allCases.count]
        let variants = self.variants(type)
        var rules: [Rule] = []
        let ruleCount = index % 9 == 0 ? 0 : Int.random(in: 1...5, using: &random)
        for ruleIndex in 0..<ruleCount {
            // The first condition of each flag cycles through the operators, so that every one is covered.
            let forced = ruleIndex == 0 ? Condition.Operator.allCases[index % Condition.Operator.allCases.count] : nil
            rules.append(rule(variants: variants, type: type, forcedOperator: forced, key: key))
        }
        var metadata = FlagMetadata()
        if random.chance(0.5) {
            metadata = FlagMetadata(description: "generated flag \(index)", owner: "team-\(index % 3)", expires: random.chance(0.5) ? 1_800_000_000 : nil,
                                    values: ["ticket": .string("GEN-\(index)"), "weight": .integer(Int64(index)), "gated": .bool(index % 2 == 0)])
        }
        return Flag(key: key, type: type, enabled: !random.chance(0.12), variants: variants,
                    defaultVariant: random.pick(variants).name, rules: rules, metadata: metadata)
    }

    mutating func variants(_ type: FlagValueType) -> [Variant] {
        switch type {
        case .boolean:
            return random.chance(0.7)
                ? [Variant(name: "true", value: .boolean(true)), Variant(name: "false", value: .boolean(false))]
                : [Variant(name: "on", value: .boolean(true)), Variant(name: "off", value: .boolean(false)), Variant(name: "also-on", value: .boolean(true))]
        case .string:
            return [Variant(name: "blue", value: .string("#1f6feb")), Variant(name: "green", value: .string("")),
                    Variant(name: "日本", value: .string("にほん")), Variant(name: "true", value: .string("true"))]
        case .integer:
            return [Variant(name: "small", value: .integer(5)), Variant(name: "max", value: .integer(.max)),
                    Variant(name: "min", value: .integer(.min)), Variant(name: "past-double", value: .integer(9_007_199_254_740_993))]
        case .number:
            return [Variant(name: "zero", value: .number(0)), Variant(name: "half", value: .number(-0.5)),
                    Variant(name: "tiny", value: .number(1e-7)), Variant(name: "huge", value: .number(1e300))]
        case .object:
            return [Variant(name: "plain", value: .object(["attempts": .integer(3), "notify": .array([.string("email")])])),
                    Variant(name: "nested", value: .object(["a": .object(["b": .null, "c": .double(1.5)]), "if": .array([.bool(true)])])),
                    Variant(name: "empty", value: .object([:]))]
        }
    }

    mutating func rule(variants: [Variant], type: FlagValueType, forcedOperator: Condition.Operator?, key: String) -> Rule {
        var conditions: [Condition] = []
        if let forcedOperator { conditions.append(attributeCondition(forcedOperator)) }
        for _ in 0..<Int.random(in: 0...2, using: &random) {
            conditions.append(condition(depth: 0))
        }
        var from: Int64?, until: Int64?
        if random.chance(0.35) {
            let base = random.pick(Pools.instants)
            if random.chance(0.7) { from = base - Int64.random(in: 0...86_400, using: &random) }
            if random.chance(0.7) || from == nil { until = base + Int64.random(in: 1...86_400, using: &random) }
        }
        let outcome: Outcome
        let roll = Double.random(in: 0..<1, using: &random)
        if roll < 0.55 {
            outcome = .serve(variant: random.pick(variants).name)
        } else if roll < 0.8 || type != .boolean || variants.count != 2 {
            let chosen = random.some(variants, maximum: variants.count)
            outcome = .split(Split(seed: random.chance(0.5) ? key : random.pick(Pools.seeds), bucketBy: random.pick(Pools.bucketAttributes),
                                   buckets: weights(count: chosen.count).enumerated().map { Split.Bucket(variant: chosen[$0.offset].name, weight: $0.element) }))
        } else {
            // rollout: N, true bucket first.
            let percent = random.pick([0, 1, 10, 12.5, 50, 99.99, 100] as [Double])
            let on = Int((percent * 100).rounded())
            outcome = .split(Split(seed: key, bucketBy: random.pick(Pools.bucketAttributes),
                                   buckets: [Split.Bucket(variant: "true", weight: on), Split.Bucket(variant: "false", weight: 10_000 - on)]))
        }
        return Rule(name: random.chance(0.5) ? "rule \(Int.random(in: 0...99, using: &random))" : nil, from: from, until: until, conditions: conditions, outcome: outcome)
    }

    /// `count` weights summing to 10 000, zeros included now and then.
    mutating func weights(count: Int) -> [Int] {
        var cuts = (0..<(count - 1)).map { _ in random.chance(0.15) ? 0 : Int.random(in: 0...10_000, using: &random) }
        cuts.sort()
        var weights: [Int] = []
        var previous = 0
        for cut in cuts {
            weights.append(cut - previous)
            previous = cut
        }
        weights.append(10_000 - previous)
        return weights
    }

    mutating func condition(depth: Int) -> Condition {
        let roll = Double.random(in: 0..<1, using: &random)
        if roll < 0.12 {
            return .environment(random.some(Pools.environments + ["Production"], maximum: 3))
        }
        if roll < 0.27, depth < 2 {
            var segments: [ResolvedSegment] = []
            for index in 0..<Int.random(in: 1...3, using: &random) {
                // An empty segment is what `--env` leaves of a segment whose only condition was that environment.
                let count = random.chance(0.1) ? 0 : Int.random(in: 1...2, using: &random)
                segments.append(ResolvedSegment(name: "segment\(index)", conditions: (0..<count).map { _ in condition(depth: depth + 1) }))
            }
            return .segments(segments)
        }
        return attributeCondition(random.pick(Condition.Operator.allCases))
    }

    /// An attribute condition with an operand of a type the operator takes (the compiler's pairings).
    mutating func attributeCondition(_ op: Condition.Operator) -> Condition {
        func stringName() -> String { random.pick(Pools.stringAttributes) }
        func numberName() -> String { random.pick(Pools.numberAttributes) }
        switch op {
        case .in, .notIn:
            if random.chance(0.6) {
                return .attribute(name: stringName(), op: op, operand: .strings(random.some(Pools.strings, maximum: 12)))
            }
            return .attribute(name: numberName(), op: op, operand: .numbers(random.some(Pools.numbers, maximum: 4)))
        case .intersects:
            return .attribute(name: random.chance(0.8) ? "groups" : "roles", op: .intersects, operand: .strings(random.some(Pools.strings, maximum: 3)))
        case .eq, .neq:
            switch Int.random(in: 0..<3, using: &random) {
            case 0: return .attribute(name: stringName(), op: op, operand: .string(random.pick(Pools.strings)))
            case 1: return .attribute(name: numberName(), op: op, operand: .number(random.pick(Pools.numbers)))
            default: return .attribute(name: "beta", op: op, operand: .boolean(random.chance(0.5)))
            }
        case .startsWith, .endsWith:
            let text = random.pick(Pools.strings)
            let part = random.chance(0.5) ? text : String(text.prefix(Int.random(in: 0...text.count, using: &random)))
            return .attribute(name: stringName(), op: op, operand: .string(part))
        case .contains:
            return .attribute(name: random.chance(0.5) ? stringName() : "roles", op: .contains, operand: .string(random.pick(Pools.strings + ["@", "a", ""])))
        case .lt, .lte, .gt, .gte:
            return .attribute(name: numberName(), op: op, operand: .number(random.pick(Pools.numbers)))
        case .semverEq, .semverLt, .semverLte, .semverGt, .semverGte:
            // A name with a non-ASCII letter keeps the check inline instead of in `$evaluators`.
            return .attribute(name: random.chance(0.8) ? "app_version" : "versión", op: op, operand: .string(random.pick(Pools.versions)))
        case .before, .after:
            return .attribute(name: random.chance(0.8) ? "signed_up_at" : "fecha-alta", op: op, operand: .timestamp(random.pick(Pools.instants) + Int64.random(in: -1...1, using: &random)))
        case .exists:
            return .attribute(name: random.pick(Pools.stringAttributes + Pools.numberAttributes + ["beta", "groups"]), op: .exists, operand: .boolean(random.chance(0.6)))
        }
    }
}
