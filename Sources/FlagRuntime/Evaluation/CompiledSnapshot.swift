/// A snapshot prepared for evaluation: flags in a byte-keyed hash table, variants by index, lists as tables,
/// conditions as objects reading numbered attribute slots, split weights as cumulative bounds. Immutable once
/// built, so any number of threads read it.
final class CompiledSnapshot: Sendable {
    let snapshot: Snapshot
    /// Unique among every snapshot compiled in the process (see `FlagStore`'s per-thread cache).
    let generation: UInt64
    private let keys: ByteStringTable
    private let flags: [CompiledFlag]

    init(_ snapshot: Snapshot) {
        self.snapshot = snapshot
        generation = SnapshotGeneration.next()
        keys = ByteStringTable(snapshot.flags.lazy.map(\.key))
        var byIndex = [CompiledFlag?](repeating: nil, count: keys.count)
        for flag in snapshot.flags {
            if let index = keys.index(of: flag.key), byIndex[index] == nil { byIndex[index] = CompiledFlag(flag) }
        }
        flags = byIndex.map { $0! }
    }

    /// The flag with this key (compared by UTF-8 bytes).
    @inline(__always)
    func flag(_ key: String) -> CompiledFlag? {
        guard let index = keys.index(of: key) else { return nil }
        return flags[index]
    }
}

/// One flag, ready to evaluate.
final class CompiledFlag: Sendable {
    let flag: Flag
    let enabled: Bool
    let defaultVariant: Int
    let values: [FlagValue]
    let rules: [CompiledRule]
    /// `rules` without reference counting, for the evaluation loop (`rules` keeps them alive).
    private let unretainedRules: [Unmanaged<CompiledRule>]
    /// Whether any rule needs the clock (a window), so others skip reading it.
    let needsClock: Bool
    /// The context attributes the conditions read (the targeting key excluded), each read at most once per evaluation.
    let attributeNames: [String]
    let attributeTable: ByteStringTable

    init(_ flag: Flag) {
        self.flag = flag
        enabled = flag.enabled
        let index = { (name: String) in flag.variants.firstIndex { $0.name == name } ?? 0 }
        defaultVariant = index(flag.defaultVariant)
        values = flag.variants.map(\.value)
        var slots = AttributeSlotAssigner()
        rules = flag.rules.map { CompiledRule($0, slots: &slots, variantIndex: index) }
        unretainedRules = rules.map { Unmanaged.passUnretained($0) }
        needsClock = rules.contains { $0.from != nil || $0.until != nil }
        attributeNames = slots.names
        attributeTable = ByteStringTable(slots.names)
    }

    /// The decision for a context: which variant (nil for the caller's default), why, and which rule.
    @inline(__always)
    func decide(_ context: EvaluationContext, environment: String?, clock: any FlagClock) -> Decision {
        guard enabled else { return Decision(variant: nil, reason: .disabled) }
        if rules.isEmpty { return Decision(variant: defaultVariant, reason: .static) }
        let now = needsClock ? clock.now() : 0
        return withAttributes(context) { attributes in
            unretainedRules.withUnsafeBufferPointer { rules in
                for index in rules.indices {
                    let decision = rules[index]._withUnsafeGuaranteedRef { rule -> Decision? in
                        guard rule.isActive(at: now), rule.matches(context, environment, &attributes) else { return nil }
                        if rule.servedVariant >= 0 {
                            return Decision(variant: rule.servedVariant, reason: .targetingMatch, ruleIndex: index)
                        }
                        guard let variant = rule.unretainedSplit?._withUnsafeGuaranteedRef({ $0.variant(context, &attributes) }) else {
                            return nil
                        }
                        return Decision(variant: variant, reason: .split, ruleIndex: index)
                    }
                    if let decision { return decision }
                }
                return Decision(variant: defaultVariant, reason: .default)
            }
        }
    }

    /// Runs `body` with a reader of this flag's attribute slots for `context` (stack storage, filled on first use).
    @inline(__always)
    func withAttributes<Result>(_ context: EvaluationContext, _ body: (inout AttributeReader) -> Result) -> Result {
        withUnsafeTemporaryAllocation(of: ContextValue?.self, capacity: attributeNames.count) { buffer in
            var reader = AttributeReader(flag: self, slots: buffer)
            let result = body(&reader)
            reader.release()
            return result
        }
    }
}

/// The decision for one flag: which variant (nil for the caller's default), why, and which rule.
struct Decision {
    var variant: Int?
    var reason: EvaluationReason
    var ruleIndex: Int?
}

/// Numbers the attributes a flag's conditions read.
struct AttributeSlotAssigner {
    private(set) var names: [String] = []
    private var slots: [String: Int] = [:]

    /// The slot of `name`; `AttributeReader.targetingKeySlot` for the targeting key.
    mutating func slot(for name: String) -> Int {
        if name == Condition.targetingKey { return AttributeReader.targetingKeySlot }
        if let slot = slots[name] { return slot }
        names.append(name)
        slots[name] = names.count - 1
        return names.count - 1
    }
}

/// The attribute values one evaluation of one flag reads. On the first read it looks every slot up at once:
/// either by walking the context's attributes through the flag's byte-keyed name table (small contexts), or by
/// looking each name up in the context (large ones); names match by UTF-8 bytes either way.
struct AttributeReader: ~Copyable {
    static let targetingKeySlot = -1

    private unowned(unsafe) let flag: CompiledFlag
    private let slots: UnsafeMutableBufferPointer<ContextValue?>
    private var resolved = false

    init(flag: CompiledFlag, slots: UnsafeMutableBufferPointer<ContextValue?>) {
        self.flag = flag
        self.slots = slots
    }

    /// The value of slot `slot` (the targeting key for `targetingKeySlot`).
    @inline(__always)
    mutating func value(_ slot: Int, _ context: EvaluationContext) -> ContextValue? {
        if slot == Self.targetingKeySlot { return context.targetingKey.map(ContextValue.string) }
        if !resolved { resolve(context) }
        return slots[slot]
    }

    private mutating func resolve(_ context: EvaluationContext) {
        resolved = true
        slots.initialize(repeating: nil)
        let attributes = context.attributes
        if attributes.count <= 4 * slots.count {
            let table = flag.attributeTable
            for (name, value) in attributes {
                if let slot = table.index(of: name) { slots[slot] = value }
            }
        } else {
            let names = flag.attributeNames
            for slot in names.indices {
                if let index = attributes.index(forKey: names[slot]), ByteString.equal(attributes[index].key, names[slot]) {
                    slots[slot] = attributes[index].value
                }
            }
        }
    }

    /// Releases the values read; call once, after the last read.
    mutating func release() {
        if resolved { slots.deinitialize() }
        resolved = false
    }
}

/// One rule, ready to evaluate. A class, so that walking the rules copies one reference per rule rather than
/// every field (which showed up as retain/release traffic on the evaluation path).
final class CompiledRule: Sendable {
    let from: Int64?
    let until: Int64?
    let conditions: [Check]
    let outcome: CompiledOutcome
    /// The evaluation loop's copies, without reference counting: the served variant (-1 for a split),
    /// the split, the conditions.
    let servedVariant: Int
    let unretainedSplit: Unmanaged<CompiledSplit>?
    private let unretainedConditions: [Unmanaged<Check>]

    init(_ rule: Rule, slots: inout AttributeSlotAssigner, variantIndex: (String) -> Int) {
        from = rule.from
        until = rule.until
        conditions = rule.conditions.map { Check.make($0, slots: &slots) }
        unretainedConditions = conditions.map { Unmanaged.passUnretained($0) }
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
        Check.all(unretainedConditions, context, environment, &attributes)
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

/// A split: hash `seed + bucket value` with MurmurHash3 and map it onto cumulative weights, like flagd's `fractional`.
final class CompiledSplit: Sendable {
    let seed: String
    let bucketBy: String
    let slot: Int
    let totalWeight: UInt64
    let upperBounds: [UInt64]
    let variants: [Int]

    init(_ split: Split, slot: Int, variantIndex: (String) -> Int) {
        seed = split.seed
        bucketBy = split.bucketBy
        self.slot = slot
        var cumulative = 0
        var upperBounds: [UInt64] = []
        var variants: [Int] = []
        for bucket in split.buckets {
            cumulative += bucket.weight
            upperBounds.append(UInt64(cumulative))
            variants.append(variantIndex(bucket.variant))
        }
        totalWeight = UInt64(cumulative)
        self.upperBounds = upperBounds
        self.variants = variants
    }

    var bucketsByTargetingKey: Bool { slot == AttributeReader.targetingKeySlot }

    /// The variant index for a context, or nil when the bucketing value is absent or not a string (the rule
    /// then does not match).
    @inline(__always)
    func variant(_ context: EvaluationContext, _ attributes: inout AttributeReader) -> Int? {
        guard case .string(let value)? = attributes.value(slot, context) else { return nil }
        return variant(forBucketValue: value)
    }

    @inline(__always)
    func variant(forBucketValue value: String) -> Int? {
        var hasher = Murmur3()
        hasher.add(seed)
        hasher.add(value)
        let bucket = (UInt64(hasher.finalize()) &* totalWeight) >> 32
        for index in upperBounds.indices where bucket < upperBounds[index] {
            return variants[index]
        }
        return variants.last
    }
}
