/// Numbers the attributes a flag's conditions read.
struct AttributeSlotAssigner {
    private(set) var names: [String] = []
    /// The slots by name, once there are more than `searchedNames` (a flag's conditions read a few attributes:
    /// searching those costs less than hashing into a dictionary, which cost 1,900 instructions a condition).
    private var slots: [String: Int]?
    private static let searchedNames = 16

    /// The slot of `name`; `AttributeReader.targetingKeySlot` for the targeting key.
    mutating func slot(for name: String) -> Int {
        if name == Condition.targetingKey { return AttributeReader.targetingKeySlot }
        if let slots {
            if let slot = slots[name] { return slot }
        } else if let slot = names.firstIndex(of: name) {
            return slot
        }
        if names.isEmpty { names.reserveCapacity(4) }  // grown from empty, three names took two allocations
        names.append(name)
        if slots != nil {
            slots![name] = names.count - 1
        } else if names.count > Self.searchedNames {
            slots = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0) })
        }
        return names.count - 1
    }
}

/// The attribute values one evaluation of one flag reads, each found in the context at most once and then kept in
/// stack storage, from where conditions read them in place (a value copied out of a dictionary, or passed to a
/// condition's virtual method, costs a retain and a release; a pointer to it costs nothing).
///
/// Each attribute is looked up on its first read by its name's `AttributeKey`, computed when the flag was compiled
/// and the context made (`ContextStorage`: two words compared per attribute, or an index for a wide context), so
/// names match by UTF-8 bytes and nothing is hashed here. Only the first `cachedSlots` slots are kept (a flag
/// reading more attributes looks the rest up on each read). The plain version numbers of one attribute are also kept once parsed. A reader
/// does not allocate.
struct AttributeReader: ~Copyable {
    static let targetingKeySlot = -1
    static let cachedSlots = 8
    /// Where in `storage` the targeting key goes, and the value of a slot past `cachedSlots` (replaced on each read).
    private static let targetingKeyIndex = cachedSlots
    private static let uncachedIndex = cachedSlots + 1

    /// The flag whose slots these are (the evaluation holds it).
    private let flag: Unmanaged<CompiledFlag>
    /// Bit `slot` is set once slot `slot` has been looked up.
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
        if let value = lookUp(slot, context) { store(value, at: Self.uncachedIndex) }
    }

    private mutating func find(_ slot: Int, _ context: EvaluationContext) {
        known |= 1 << UInt32(slot)
        if let value = lookUp(slot, context) { store(value, at: slot) }
    }

    /// The context's value for slot `slot`, found by the name's key (computed when the flag and the context were
    /// made: no hashing here).
    @inline(__always)
    private func lookUp(_ slot: Int, _ context: EvaluationContext) -> ContextValue? {
        flag._withUnsafeGuaranteedRef { flag in
            context.fields.value(flag.attributes[slot].key, name: flag.attributes[slot].name)
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

}
