/// A snapshot prepared for evaluation: flags in a byte-keyed hash table, variants by index, lists as tables,
/// conditions as objects reading numbered attribute slots, split weights as cumulative bounds. Immutable once
/// built, so any number of threads read it.
package final class CompiledSnapshot: Sendable {
    package let snapshot: Snapshot
    /// Unique among every snapshot compiled in the process (see `FlagStore`'s per-thread cache).
    package let generation: UInt64
    private let keys: ByteStringTable
    private let flags: [CompiledFlag]
    /// `flags` without reference counting, for lookups during evaluation (`flags` keeps them alive).
    private let unretainedFlags: [Unmanaged<CompiledFlag>]

    package init(_ snapshot: Snapshot) {
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
    /// `ShortKey.smallStringLayoutHolds`, read once.
    let readsSmallStrings = ShortKey.smallStringLayoutHolds

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
        return AttributeReader.reading(self) { attributes in
            decide(context, environment: environment, now: now, &attributes)
        }
    }

    @inline(__always)
    private func decide(_ context: EvaluationContext, environment: String?, now: Int64, _ attributes: inout AttributeReader) -> Decision {
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

    /// Runs `body` with a reader of this flag's attribute slots for `context` (filled on first use).
    @inline(__always)
    func withAttributes<Result>(_ context: EvaluationContext, _ body: (inout AttributeReader) -> Result) -> Result {
        AttributeReader.reading(self, body)
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

/// The attribute values one evaluation of one flag reads, each found in the context at most once and then kept in
/// stack storage, from where conditions read them in place (a value copied out of a dictionary, or passed to a
/// condition's virtual method, costs a retain and a release; a pointer to it costs nothing).
///
/// When the context has many more attributes than the flag reads, each is looked up by name on its first read;
/// otherwise the first read walks the context's attributes once through the flag's byte-keyed name table. Names
/// match by UTF-8 bytes either way. Only the first `cachedSlots` slots are kept (a flag reading more attributes
/// looks the rest up on each read). The plain version numbers of one attribute are also kept once parsed. A reader
/// does not allocate.
struct AttributeReader: ~Copyable {
    static let targetingKeySlot = -1
    static let cachedSlots = 8
    /// Where in `storage` the targeting key goes, and the value of a slot past `cachedSlots` (replaced on each read).
    private static let targetingKeyIndex = cachedSlots
    private static let uncachedIndex = cachedSlots + 1

    /// The flag whose slots these are (the evaluation holds it).
    private let flag: Unmanaged<CompiledFlag>
    /// Bit `slot` is set once slot `slot` has been looked up (all bits after a walk).
    private var known: UInt32 = 0
    /// Bit `index` is set when `storage[index]` is initialized: the context has that slot's attribute.
    private var present: UInt32 = 0
    /// The bits of `present` whose values own storage and must be deinitialized. Numbers, booleans, timestamps and
    /// strings in Swift's small form (most attribute values) own none: they are left as they are rather than paying
    /// for the release calls.
    private var owning: UInt32 = 0
    /// Room for `cachedSlots + 2` values, uninitialized except where `present` says (stack memory of the evaluation).
    private let storage: UnsafeMutablePointer<ContextValue>
    /// The slot whose version numbers `version` holds (`Int.min`: none yet).
    private var versionSlot = Int.min
    private var version: SemanticVersion.Core?

    private init(flag: CompiledFlag, storage: UnsafeMutablePointer<ContextValue>) {
        self.flag = Unmanaged.passUnretained(flag)
        self.storage = storage
    }

    deinit {
        var owning = owning
        while owning != 0 {
            storage.advanced(by: owning.trailingZeroBitCount).deinitialize(count: 1)
            owning &= owning - 1
        }
    }

    /// Runs `body` with a reader of `flag`'s attribute slots whose values live on the stack for the call.
    @inline(__always)
    static func reading<Result>(_ flag: CompiledFlag, _ body: (inout AttributeReader) -> Result) -> Result {
        withUnsafeTemporaryAllocation(of: ContextValue.self, capacity: cachedSlots + 2) { buffer in
            var reader = AttributeReader(flag: flag, storage: buffer.baseAddress!)
            return body(&reader)
        }
    }

    /// The value of slot `slot` (a string for `targetingKeySlot`), or nil when the context lacks it. The pointer is
    /// valid until the reader's next read.
    @inline(__always)
    mutating func value(_ slot: Int, _ context: EvaluationContext) -> UnsafePointer<ContextValue>? {
        let index: Int
        if slot >= 0 && slot < Self.cachedSlots {
            index = slot
            if known & (1 << UInt32(slot)) == 0 { find(slot, context) }
        } else if slot == Self.targetingKeySlot {
            index = Self.targetingKeyIndex
            if present & (1 << UInt32(index)) == 0, let key = context.targetingKey { store(.string(key), at: index) }
        } else {
            index = Self.uncachedIndex
            readUncached(slot, context)
        }
        return present & (1 << UInt32(index)) != 0 ? UnsafePointer(storage + index) : nil
    }

    /// Calls `body` with the string value of slot `slot` (the targeting key for `targetingKeySlot`), or returns nil
    /// when the context lacks it or it is not a string.
    @inline(__always)
    mutating func withString<Result>(_ slot: Int, _ context: EvaluationContext, _ body: (String) -> Result) -> Result? {
        if slot == Self.targetingKeySlot {
            guard let key = context.targetingKey else { return nil }
            return body(key)
        }
        guard let value = value(slot, context), case .string(let text) = value.pointee else { return nil }
        return body(text)
    }

    /// The numbers of slot `slot`'s value when it is a plain `MAJOR.MINOR.PATCH` string (see
    /// `SemanticVersion.simpleCore`), parsed once per evaluation for the last slot asked.
    @inline(__always)
    mutating func simpleVersion(_ slot: Int, _ context: EvaluationContext) -> SemanticVersion.Core? {
        if slot == versionSlot { return version }
        let parsed = withString(slot, context) { SemanticVersion.simpleCore($0) } ?? nil
        versionSlot = slot
        version = parsed
        return parsed
    }

    /// Puts the value of a slot past `cachedSlots` at `uncachedIndex`, looked up by name.
    private mutating func readUncached(_ slot: Int, _ context: EvaluationContext) {
        let bit: UInt32 = 1 << UInt32(Self.uncachedIndex)
        if owning & bit != 0 { storage.advanced(by: Self.uncachedIndex).deinitialize(count: 1) }
        present &= ~bit
        owning &= ~bit
        let name = flag._withUnsafeGuaranteedRef { $0.attributeNames[slot] }
        if let position = Self.lookUp(name, in: context.attributes) { store(context.attributes.values[position], at: Self.uncachedIndex) }
    }

    private mutating func find(_ slot: Int, _ context: EvaluationContext) {
        flag._withUnsafeGuaranteedRef { flag in
            let attributes = context.attributes
            // A name lookup (SipHash of the name, probe, compare) costs about what walking three attributes through
            // the flag's table does (callgrind: ~400 against ~150 instructions).
            if 3 * flag.attributeNames.count < attributes.count {
                known |= 1 << UInt32(slot)
                if let position = Self.lookUp(flag.attributeNames[slot], in: attributes) { store(attributes.values[position], at: slot) }
                return
            }
            known = ~0
            // Stop once every slot kept here has its value.
            var missing = min(flag.attributeNames.count, Self.cachedSlots)
            // By position rather than by element: an element iterator copies every value, and copying one the
            // flag does not read (a list is a retain and a release of its buffer) cost more than the walk.
            var position = attributes.startIndex
            while position != attributes.endIndex {
                if let slot = flag.attributeTable.index(of: attributes.keys[position]), slot < Self.cachedSlots {
                    store(attributes.values[position], at: slot)
                    missing -= 1
                    if missing == 0 { return }
                }
                attributes.formIndex(after: &position)
            }
        }
    }

    @inline(__always)
    private mutating func store(_ value: consuming ContextValue, at index: Int) {
        present |= 1 << UInt32(index)
        let owns: Bool
        switch value {
        case .number, .boolean, .timestamp: owns = false
        case .string(let text): owns = !flag._withUnsafeGuaranteedRef(\.readsSmallStrings) || ShortKey(smallString: text) == nil
        case .strings: owns = true
        }
        if owns { owning |= 1 << UInt32(index) }
        storage.advanced(by: index).initialize(to: value)
    }

    private static func lookUp(_ name: String, in attributes: [String: ContextValue]) -> Dictionary<String, ContextValue>.Index? {
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
        attributes.withString(slot, context) { variant(forBucketValue: $0) } ?? nil
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
