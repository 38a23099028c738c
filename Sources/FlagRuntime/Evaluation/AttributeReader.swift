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
            if present & (1 << UInt32(index)) == 0, let key = context.fields.targetingKey { store(.string(key), at: index) }
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
            guard let key = context.fields.targetingKey else { return nil }
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
        if let position = Self.lookUp(name, in: context.fields.attributes) { store(context.fields.attributes.values[position], at: Self.uncachedIndex) }
    }

    private mutating func find(_ slot: Int, _ context: EvaluationContext) {
        flag._withUnsafeGuaranteedRef { flag in
            let attributes = context.fields.attributes
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
