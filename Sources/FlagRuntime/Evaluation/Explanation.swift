/// Why a flag evaluated as it did: the result, and for each rule before the deciding one why it did not match.
/// Built on demand (`FlagStore.explain`), off the evaluation hot path.
public struct Explanation: Sendable {
    /// The result, as `FlagStore.details` returns it.
    public var details: EvaluationDetails<FlagValue?>
    /// One line per rule considered, in order.
    public var rules: [RuleTrace]

    /// What happened to one rule.
    public struct RuleTrace: Sendable, Hashable {
        /// The 0-based rule index.
        public var index: Int
        /// The rule's name, if any.
        public var name: String?
        /// Whether this rule decided.
        public var matched: Bool
        /// Why it matched or not, for people.
        public var because: String
    }

    /// The explanation as lines of text.
    public var lines: [String] {
        rules.map { trace in
            let label = "rule \(trace.index + 1)" + (trace.name.map { " (\($0))" } ?? "")
            return "\(label): \(trace.matched ? "matched" : "no match"): \(trace.because)"
        }
    }
}

extension FlagStore {
    /// Evaluates a flag and explains the decision rule by rule.
    public func explain(_ key: String, context: EvaluationContext = .empty) -> Explanation {
        let details = self.details(key, context: context)
        guard let flag = compiled.flag(key), flag.enabled, details.reason != .override else {
            return Explanation(details: details, rules: [])
        }
        let environment = context.environment ?? self.environment
        let now = clock.now()
        let traces = flag.withAttributes(context) { attributes in
            var traces: [Explanation.RuleTrace] = []
            for (index, rule) in flag.rules.enumerated() {
                let source = flag.flag.rules[index]
                var trace = Explanation.RuleTrace(index: index, name: source.name, matched: false, because: "")
                let failing = source.conditions.indices.first { !rule.conditions[$0].matches(context, self.environment, &attributes) }
                if !rule.isActive(at: now) {
                    if let from = rule.from, now < from {
                        trace.because = "not active until \(Timestamp.format(from))"
                    } else if let until = rule.until {
                        trace.because = "ended at \(Timestamp.format(until))"
                    }
                } else if let failing {
                    trace.because = Explanation.describeFailure(source.conditions[failing], context: context, environment: environment)
                } else if case .split(let split) = rule.outcome, split.variant(context, &attributes) == nil {
                    trace.because = split.bucketsByTargetingKey ? "no targeting key to bucket by" : "no string attribute '\(split.bucketBy)' to bucket by"
                } else {
                    trace.matched = true
                    switch source.outcome {
                    case .serve(let variant):
                        trace.because = source.conditions.isEmpty ? "no conditions; serves '\(variant)'" : "all conditions hold; serves '\(variant)'"
                    case .split(let split):
                        trace.because = "split on \(split.bucketBy == Condition.targetingKey ? "the targeting key" : "'\(split.bucketBy)'") with seed '\(split.seed)' chose '\(details.variant ?? "?")'"
                    }
                }
                traces.append(trace)
                if trace.matched { break }
            }
            return traces
        }
        return Explanation(details: details, rules: traces)
    }
}

extension Explanation {
    static func describeFailure(_ condition: Condition, context: EvaluationContext, environment: String?) -> String {
        switch condition {
        case .environment(let names):
            return "environment \(environment.map { "'\($0)'" } ?? "(none)") is not one of \(names.joined(separator: ", "))"
        case .segments(let segments):
            return "in none of the segments \(segments.map(\.name).joined(separator: ", "))"
        case .attribute(let name, let op, let operand):
            let isKey = name == Condition.targetingKey
            let subject = isKey ? "the targeting key" : "attribute '\(name)'"
            guard let value = context.value(name, isTargetingKey: isKey) else {
                return "\(subject) is missing"
            }
            let relation: String
            switch op {
            case .in: relation = "is not in"
            case .notIn: relation = "is in"
            case .intersects: relation = "shares no member with"
            case .exists: relation = "is present, and the rule wants exists"
            default: relation = "does not satisfy \(op.rawValue)"
            }
            return "\(subject) (\(describe(value))) \(relation) \(describe(operand))"
        }
    }

    static func describe(_ value: ContextValue) -> String {
        switch value {
        case .string(let text): "\"\(text)\""
        case .number(let number): number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : String(number)
        case .boolean(let flag): String(flag)
        case .timestamp(let seconds): Timestamp.format(seconds)
        case .strings(let list): "[" + list.map { "\"\($0)\"" }.joined(separator: ", ") + "]"
        }
    }

    static func describe(_ operand: Condition.Operand) -> String {
        switch operand {
        case .string(let text): "\"\(text)\""
        case .number(let number): describe(ContextValue.number(number))
        case .boolean(let flag): String(flag)
        case .timestamp(let seconds): Timestamp.format(seconds)
        case .strings(let list): "[" + list.map { "\"\($0)\"" }.joined(separator: ", ") + "]"
        case .numbers(let list): "[" + list.map { describe(ContextValue.number($0)) }.joined(separator: ", ") + "]"
        }
    }
}
