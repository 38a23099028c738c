import Synchronization

/// One flag, ready to evaluate.
final class CompiledFlag: Sendable {
    let flag: Flag
    let enabled: Bool
    let defaultVariant: Int
    /// The rules, walked by the evaluation loop without reference counting.
    let rules: OwnedObjects<CompiledRule>
    /// Whether any rule needs the clock (a window), so others skip reading it.
    let needsClock: Bool
    /// The context attributes the conditions read (the targeting key excluded), by slot, each read at most once per
    /// evaluation: the name and its key, by which contexts are searched.
    let attributes: [(key: AttributeKey, name: String)]
    /// Whether attribute values in Swift's small string form are read from their words (see `CompiledSnapshot`).
    let readsSmallStrings: Bool
    /// `metadataJSON`, once rendered.
    private let renderedMetadata = AtomicLazyReference<FlagMetadataJSON>()

    /// The flag's flattened metadata as compact JSON, rendered on first use and then kept with this compiled
    /// flag (so once per snapshot): OFREP answers carry it with every evaluation.
    var metadataJSON: FlagMetadataJSON {
        if let rendered = renderedMetadata.load() { return rendered }
        return renderedMetadata.storeIfNil(FlagMetadataJSON(flag.metadata))
    }

    init(_ flag: Flag, readsSmallStrings: Bool) {
        self.flag = flag
        self.readsSmallStrings = readsSmallStrings
        enabled = flag.enabled
        // The closure captures the variants, not the flag: capturing `flag` copied it, retaining all of its fields.
        let variants = flag.variants
        let index = { (name: String) in variants.firstIndex { $0.name == name } ?? 0 }
        defaultVariant = index(flag.defaultVariant)
        var slots = AttributeSlotAssigner()
        rules = OwnedObjects(flag.rules) { CompiledRule($0, slots: &slots, variantIndex: index) }
        needsClock = flag.rules.contains { $0.from != nil || $0.until != nil }
        attributes = slots.names.map { (AttributeKey($0), $0) }
    }

    /// The value served to every context when the flag is enabled and has no rules, else nil.
    var staticValue: FlagValue? {
        enabled && rules.isEmpty ? value(at: defaultVariant) : nil
    }

    /// The value of variant `variant` (read from the flag: a second array of the values cost an allocation per flag).
    @inline(__always)
    func value(at variant: Int) -> FlagValue {
        flag.variants[variant].value
    }

    /// The decision for a context: which variant (nil for the caller's default), why, and which rule.
    /// `environment` is the store's; a context's own `environment` takes precedence.
    @inline(__always)
    func decide(_ context: EvaluationContext, environment: String?, clock: any FlagClock) -> Decision {
        var untraced = UntracedDecision()
        return decide(context, environment: environment, now: needsClock ? clock.now() : 0, tracer: &untraced)
    }

    /// The decision at `now`, telling `tracer` what happened to each rule considered. Evaluation passes a tracer
    /// that does nothing (and compiles away); `FlagStore.explain` one that records, so an explanation is the
    /// decision itself, not a second walk of the rules.
    @inline(__always)
    func decide<Tracer: DecisionTracer>(_ context: EvaluationContext, environment: String?, now: Int64, tracer: inout Tracer) -> Decision {
        guard enabled else { return Decision(variant: nil, reason: .disabled) }
        if rules.isEmpty { return Decision(variant: defaultVariant, reason: .static) }
        return AttributeReader.reading(self) { attributes in
            decide(context, environment: environment, now: now, &attributes, &tracer)
        }
    }

    @inline(__always)
    private func decide<Tracer: DecisionTracer>(_ context: EvaluationContext, environment: String?, now: Int64, _ attributes: inout AttributeReader,
                                                _ tracer: inout Tracer) -> Decision {
        rules.references.withUnsafeBufferPointer { rules in
            for index in rules.indices {
                let decision = rules[index]._withUnsafeGuaranteedRef { rule -> Decision? in
                    guard rule.isActive(at: now) else {
                        tracer.rule(index, rule, .inactive, context, environment, &attributes)
                        return nil
                    }
                    guard rule.matches(context, environment, &attributes) else {
                        tracer.rule(index, rule, .conditionsFail, context, environment, &attributes)
                        return nil
                    }
                    if rule.servedVariant >= 0 {
                        tracer.rule(index, rule, .matched, context, environment, &attributes)
                        return Decision(variant: rule.servedVariant, reason: .targetingMatch, ruleIndex: index)
                    }
                    guard let variant = rule.unretainedSplit?._withUnsafeGuaranteedRef({ $0.variant(context, &attributes) }) else {
                        tracer.rule(index, rule, .noBucket, context, environment, &attributes)
                        return nil
                    }
                    tracer.rule(index, rule, .matched, context, environment, &attributes)
                    return Decision(variant: variant, reason: .split, ruleIndex: index)
                }
                if let decision { return decision }
            }
            return Decision(variant: defaultVariant, reason: .default)
        }
    }

    /// Runs `body` with a reader of this flag's attribute slots for `context` (filled on first use).
    @inline(__always)
    func withAttributes<Result>(_ context: EvaluationContext, _ body: (inout AttributeReader) -> Result) -> Result {
        AttributeReader.reading(self, body)
    }
}

/// What a decision did with one rule.
enum RuleStep {
    /// Its window does not contain the evaluation time.
    case inactive
    /// A condition does not hold.
    case conditionsFail
    /// It splits, and the context has nothing to bucket by.
    case noBucket
    /// It decided.
    case matched
}

/// Told what happens to each rule a decision considers, with the attribute reader the decision used.
protocol DecisionTracer {
    mutating func rule(_ index: Int, _ rule: CompiledRule, _ step: RuleStep, _ context: EvaluationContext, _ environment: String?,
                       _ attributes: inout AttributeReader)
}

/// The tracer of evaluation: does nothing.
struct UntracedDecision: DecisionTracer {
    @inline(__always)
    mutating func rule(_ index: Int, _ rule: CompiledRule, _ step: RuleStep, _ context: EvaluationContext, _ environment: String?,
                       _ attributes: inout AttributeReader) {}
}

/// The decision for one flag: which variant (nil for the caller's default), why, and which rule.
struct Decision {
    var variant: Int?
    var reason: EvaluationReason
    var ruleIndex: Int?
}

/// One rule, ready to evaluate. A class, so that walking the rules copies one reference per rule rather than
/// every field (which showed up as retain/release traffic on the evaluation path).
final class CompiledRule: Sendable {
    let from: Int64?
    let until: Int64?
    /// The conditions, walked without reference counting.
    let conditions: OwnedObjects<Check>
    let outcome: CompiledOutcome
    /// The evaluation loop's copies, without reference counting: the served variant (-1 for a split), the split.
    let servedVariant: Int
    let unretainedSplit: Unmanaged<CompiledSplit>?

    init(_ rule: Rule, slots: inout AttributeSlotAssigner, variantIndex: (String) -> Int) {
        from = rule.from
        until = rule.until
        conditions = OwnedObjects(rule.conditions) { Check.make($0, slots: &slots) }
        switch rule.outcome {
        case .serve(let variant):
            outcome = .serve(variantIndex(variant))
            servedVariant = variantIndex(variant)
            unretainedSplit = nil
        case .split(let split):
            let compiled = CompiledSplit(split, slot: slots.slot(for: split.bucketBy), variantIndex: variantIndex)
            outcome = .split(compiled)
            servedVariant = -1
            unretainedSplit = Unmanaged.passUnretained(compiled)
        }
    }

    /// Whether all conditions hold.
    @inline(__always)
    func matches(_ context: EvaluationContext, _ environment: String?, _ attributes: inout AttributeReader) -> Bool {
        conditions.references.withUnsafeBufferPointer { Check.all($0, context, environment, &attributes) }
    }

    /// Whether the rule's window contains `now` (`from` ≤ now < `until`).
    @inline(__always)
    func isActive(at now: Int64) -> Bool {
        if let from, now < from { return false }
        if let until, now >= until { return false }
        return true
    }
}

/// What a matching rule does.
enum CompiledOutcome: Sendable {
    case serve(Int)
    case split(CompiledSplit)
}
