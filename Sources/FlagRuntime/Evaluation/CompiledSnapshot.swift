/// A snapshot prepared for evaluation: flags in a byte-keyed hash table, variants by index, lists as tables,
/// conditions as objects reading numbered attribute slots, split weights as cumulative bounds. Immutable once
/// built, so any number of threads read it.
final class CompiledSnapshot: Sendable {
    let snapshot: Snapshot
    /// Unique among every snapshot compiled in the process (see `FlagStore`'s per-thread cache).
    let generation: UInt64
    private let keys: ByteStringTable
    private let flags: [CompiledFlag]
    /// `flags` without reference counting, for lookups during evaluation (`flags` keeps them alive).
    private let unretainedFlags: [Unmanaged<CompiledFlag>]

    init(_ snapshot: Snapshot) {
        self.snapshot = snapshot
        generation = SnapshotGeneration.next()
        keys = ByteStringTable(snapshot.flags.lazy.map(\.key))
        var byIndex = [CompiledFlag?](repeating: nil, count: keys.count)
        for flag in snapshot.flags {
            if let index = keys.index(of: flag.key), byIndex[index] == nil { byIndex[index] = CompiledFlag(flag) }
        }
        flags = byIndex.map { $0! }
        unretainedFlags = flags.map { Unmanaged.passUnretained($0) }
    }

    /// Runs `body` on the flag with this key (compared by UTF-8 bytes), or returns nil, without retaining the flag.
    @inline(__always)
    func withFlag<Result>(_ key: String, _ body: (CompiledFlag) -> Result) -> Result? {
        guard let index = keys.index(of: key) else { return nil }
        return unretainedFlags[index]._withUnsafeGuaranteedRef(body)
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
    /// `environment` is the store's; a context's own `environment` takes precedence.
    @inline(__always)
    func decide(_ context: EvaluationContext, environment: String?, clock: any FlagClock) -> Decision {
        guard enabled else { return Decision(variant: nil, reason: .disabled) }
        if rules.isEmpty { return Decision(variant: defaultVariant, reason: .static) }
        let now = needsClock ? clock.now() : 0
        var attributes = AttributeReader(flag: self)
        return unretainedRules.withUnsafeBufferPointer { rules in
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

    /// Runs `body` with a reader of this flag's attribute slots for `context` (filled on first use).
    @inline(__always)
    func withAttributes<Result>(_ context: EvaluationContext, _ body: (inout AttributeReader) -> Result) -> Result {
        var reader = AttributeReader(flag: self)
        return body(&reader)
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

/// The attribute values one evaluation of one flag reads, each found in the context at most once. When the context
/// has many more attributes than the flag reads, each is looked up by name on its first read; otherwise the first
/// read walks the context's attributes once through the flag's byte-keyed name table. Names match by UTF-8 bytes
/// either way. Only the first `cachedSlots` slots are remembered (a flag reading more attributes looks the rest
/// up on each read). Slots hold dictionary positions in inline storage: a reader neither allocates nor copies
/// values it does not read.
struct AttributeReader: ~Copyable {
    typealias Position = Dictionary<String, ContextValue>.Index

    static let targetingKeySlot = -1
    static let cachedSlots = 8

    private unowned(unsafe) let flag: CompiledFlag
    /// Bit `slot` is set once slot `slot` has been looked up (all bits after a walk).
    private var known: UInt32 = 0
    private var positions: (Position?, Position?, Position?, Position?, Position?, Position?, Position?, Position?) =
        (nil, nil, nil, nil, nil, nil, nil, nil)

    init(flag: CompiledFlag) {
        self.flag = flag
    }

    /// The value of slot `slot` (the targeting key for `targetingKeySlot`).
    @inline(__always)
    mutating func value(_ slot: Int, _ context: EvaluationContext) -> ContextValue? {
        if slot == Self.targetingKeySlot { return context.targetingKey.map(ContextValue.string) }
        guard slot < Self.cachedSlots else { return Self.lookUp(flag.attributeNames[slot], in: context.attributes).map { context.attributes.values[$0] } }
        if known & (1 << UInt32(slot)) == 0 { find(slot, context) }
        let position = withUnsafeBytes(of: &positions) { $0.load(fromByteOffset: slot * MemoryLayout<Position?>.stride, as: Position?.self) }
        guard let position else { return nil }
        return context.attributes.values[position]
    }

    private mutating func find(_ slot: Int, _ context: EvaluationContext) {
        let attributes = context.attributes
        let names = flag.attributeNames
        // A name lookup (SipHash of the name, probe, compare) costs about what walking three attributes through
        // the flag's table does (callgrind: ~400 against ~150 instructions).
        if 3 * names.count < attributes.count {
            known |= 1 << UInt32(slot)
            let position = Self.lookUp(names[slot], in: attributes)
            store(position, at: slot)
            return
        }
        known = ~0
        let table = flag.attributeTable
        var position = attributes.startIndex
        while position != attributes.endIndex {
            if let slot = table.index(of: attributes.keys[position]), slot < Self.cachedSlots { store(position, at: slot) }
            attributes.formIndex(after: &position)
        }
    }

    /// Sets slot `slot` of the inline storage (a tuple's last element has no trailing padding, so the tuple is not
    /// viewed as a buffer of whole strides).
    @inline(__always)
    private mutating func store(_ position: Position?, at slot: Int) {
        withUnsafeMutableBytes(of: &positions) { raw in
            (raw.baseAddress! + slot * MemoryLayout<Position?>.stride).assumingMemoryBound(to: Position?.self).pointee = position
        }
    }

    private static func lookUp(_ name: String, in attributes: [String: ContextValue]) -> Position? {
        guard let position = attributes.index(forKey: name), ByteString.equal(attributes.keys[position], name) else { return nil }
        return position
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
    /// What the evaluation loop walks: `conditions` with those on the same attribute grouped, so that the value
    /// is read once (`conditions` stays one per source condition, for explanations).
    private let evaluated: [Check]
    private let unretainedConditions: [Unmanaged<Check>]

    init(_ rule: Rule, slots: inout AttributeSlotAssigner, variantIndex: (String) -> Int) {
        from = rule.from
        until = rule.until
        conditions = rule.conditions.map { Check.make($0, slots: &slots) }
        evaluated = Check.groupedByAttribute(conditions)
        unretainedConditions = evaluated.map { Unmanaged.passUnretained($0) }
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
