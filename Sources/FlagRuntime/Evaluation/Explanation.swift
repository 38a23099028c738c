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
    /// Evaluates a flag and explains the decision rule by rule. The explanation is traced from the evaluation
    /// itself (one clock read, the same decision code), so it cannot disagree with the result.
    public func explain(_ key: String, context: EvaluationContext = .current) -> Explanation {
        if forcedValue(key) != nil { return Explanation(details: details(key, context: context), rules: []) }
        return withCompiled { snapshot in
            guard let flag = snapshot.flag(key) else { return Explanation(details: details(key, context: context), rules: []) }
            var tracer = ExplainingTracer()
            let now = clock.now()
            let decision = flag.decide(context, environment: environment, now: now, tracer: &tracer)
            let details = self.details(key, decision, of: flag, default: nil) { $0 }
            let traces = tracer.steps.map { step in
                Explanation.trace(step, of: flag.flag.rules[step.index], now: now, context: context,
                                  environment: context.environment ?? environment, chosen: details.variant)
            }
            return Explanation(details: details, rules: traces)
        }
    }
}

/// Records each rule a decision considers, and for a rule whose conditions fail, the first failing one.
struct ExplainingTracer: DecisionTracer {
    struct Step {
        var index: Int
        var step: RuleStep
        var failingCondition: Int?
    }

    var steps: [Step] = []

    mutating func rule(_ index: Int, _ rule: CompiledRule, _ step: RuleStep, _ context: EvaluationContext, _ environment: String?,
                       _ attributes: inout AttributeReader) {
        var failing: Int?
        if step == .conditionsFail {
            failing = rule.conditions.indices.first { !rule.conditions[$0].matches(context, environment, &attributes) }
        }
        steps.append(Step(index: index, step: step, failingCondition: failing))
    }
}

extension Explanation {
    /// The trace line of one step of a decision.
    static func trace(_ step: ExplainingTracer.Step, of rule: Rule, now: Int64, context: EvaluationContext, environment: String?,
                      chosen: String?) -> RuleTrace {
        var trace = RuleTrace(index: step.index, name: rule.name, matched: step.step == .matched, because: "")
        switch step.step {
        case .inactive:
            if let from = rule.from, now < from {
                trace.because = "not active until \(Timestamp.format(from))"
            } else if let until = rule.until {
                trace.because = "ended at \(Timestamp.format(until))"
            }
        case .conditionsFail:
            trace.because = step.failingCondition.map { describeFailure(rule.conditions[$0], context: context, environment: environment) }
                ?? "a condition does not hold"
        case .noBucket:
            let bucketBy = if case .split(let split) = rule.outcome { split.bucketBy } else { Condition.targetingKey }
            trace.because = bucketBy == Condition.targetingKey ? "no targeting key to bucket by" : "no string attribute '\(bucketBy)' to bucket by"
        case .matched:
            switch rule.outcome {
            case .serve(let variant):
                trace.because = rule.conditions.isEmpty ? "no conditions; serves '\(variant)'" : "all conditions hold; serves '\(variant)'"
            case .split(let split):
                trace.because = "split on \(split.bucketBy == Condition.targetingKey ? "the targeting key" : "'\(split.bucketBy)'") with seed '\(split.seed)' chose '\(chosen ?? "?")'"
            }
        }
        return trace
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
