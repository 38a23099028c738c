/// An attribute name as evaluation compares it, computed once when the context is built: a name of at most 15
/// UTF-8 bytes packed into two words (`ShortKey`, so equal words mean equal bytes), a longer one as its hash and
/// `longMarker` (equal words then still need the bytes compared).
struct AttributeKey: Equatable {
    let low: UInt64
    let high: UInt64

    /// A long name's `high`: a packed short name's top byte is its length, at most 15.
    static let longMarker = UInt64.max

    @inline(__always)
    init(_ name: String) {
        self.init(name, readsSmallStrings: ShortKey.smallStringLayoutHolds)
    }

    /// The key of `name`, read from a small string's words when `readsSmallStrings`
    /// (`ShortKey.smallStringLayoutHolds`, which a caller making many keys reads once).
    @inline(__always)
    init(_ name: String, readsSmallStrings: Bool) {
        if readsSmallStrings, let short = ShortKey(smallString: name) {
            low = short.low
            high = short.high
            return
        }
        self = withUTF8Bytes(name) { AttributeKey(bytes: $0) }
    }

    /// The key of a name's UTF-8 bytes (also how `ByteStringTable` packs its keys).
    @inline(__always)
    init(bytes: UnsafeRawBufferPointer) {
        if bytes.count <= ShortKey.maxCount {
            let short = ShortKey(bytes: bytes)
            (low, high) = (short.low, short.high)
        } else {
            (low, high) = (ByteString.hash(bytes), Self.longMarker)
        }
    }

    /// Whether the name is longer than a `ShortKey` holds.
    @inline(__always)
    var isLong: Bool { high == Self.longMarker }

    /// A hash of the key, for the index of a wide context.
    @inline(__always)
    var hash: UInt64 { ShortKey.hash(low: low, high: high) }

    /// Whether the names `self` and `other` were made from have the same bytes (`name` and `otherName`, read only
    /// for long names).
    @inline(__always)
    func matches(_ other: AttributeKey, _ name: @autoclosure () -> String, _ otherName: @autoclosure () -> String) -> Bool {
        self == other && (!isLong || Self.sameBytes(name(), otherName()))
    }

    /// Out of line: inlined into every lookup loop, the byte comparison was most of the loop's code.
    @inline(never)
    static func sameBytes(_ name: String, _ otherName: String) -> Bool {
        ByteString.equal(name, otherName)
    }

    static let tenant = AttributeKey(Condition.tenant)
    static let groups = AttributeKey(Condition.groups)
}

/// One attribute of a context: its name, the name's key and its value.
struct ContextAttribute {
    let name: String
    let key: AttributeKey
    let value: ContextValue
}

/// A context's fields in one allocation: the targeting key, the environment and the attributes, stored inline
/// after them with each name's `AttributeKey`. Immutable once made, so evaluations read it in place from any
/// thread (through `SharedContextStorage`, as a `ManagedBuffer` subclass cannot be `Sendable` itself).
///
/// A name is found by comparing keys in turn (two words each) when there are at most `linearLimit` attributes;
/// a wider context also gets an open-addressing index over the keys, made with it.
final class ContextStorage: ManagedBuffer<ContextStorage.Header, ContextAttribute> {
    struct Header {
        var targetingKey: String?
        var environment: String?
        var count: Int
        /// For more than `linearLimit` attributes: attribute position + 1 per slot (0: empty), a power of two at
        /// least twice the count.
        var index: [Int32]?
    }

    /// The most attributes found by comparing keys in turn.
    static let linearLimit = 16

    /// Makes storage for at most `capacity` attributes, which `fill` initializes from the start of the buffer it
    /// is given; it returns how many it initialized. Each name must appear once.
    static func make(targetingKey: String?, environment: String?, capacity: Int,
                     fill: (UnsafeMutablePointer<ContextAttribute>) -> Int) -> ContextStorage {
        let made = create(minimumCapacity: capacity) { buffer in
            let count = buffer.withUnsafeMutablePointerToElements(fill)
            return Header(targetingKey: targetingKey, environment: environment, count: count, index: nil)
        }
        let storage = unsafeDowncast(made, to: ContextStorage.self)
        if storage.count > linearLimit {
            let index = storage.makeIndex()
            storage.withUnsafeMutablePointerToHeader { $0.pointee.index = index }
        }
        return storage
    }

    deinit {
        withUnsafeMutablePointers { header, attributes in _ = attributes.deinitialize(count: header.pointee.count) }
    }

    // The header is read through its pointer: `header` is a stored `var` of a class in another module, and each
    // access to it paid a dynamic exclusivity check (`swift_beginAccess`, ~60 instructions).

    @inline(__always)
    var targetingKey: String? { withUnsafeMutablePointerToHeader { $0.pointee.targetingKey } }

    @inline(__always)
    var environment: String? { withUnsafeMutablePointerToHeader { $0.pointee.environment } }

    @inline(__always)
    var count: Int { withUnsafeMutablePointerToHeader { $0.pointee.count } }

    /// Calls `body` with the attributes, in place.
    @inline(__always)
    func withAttributes<Result>(_ body: (UnsafeBufferPointer<ContextAttribute>) -> Result) -> Result {
        withUnsafeMutablePointers { header, attributes in body(UnsafeBufferPointer(start: attributes, count: header.pointee.count)) }
    }

    /// The position of the attribute named `name` (whose key is `key`; the name is read only for a long one), or nil.
    @inline(__always)
    func position(of key: AttributeKey, name: @autoclosure () -> String) -> Int? {
        withUnsafeMutablePointers { header, attributes in
            let count = header.pointee.count
            // By count, not by loading `index`: an optional array read is a retain and a release.
            if count <= Self.linearLimit {
                var position = 0
                while position < count {
                    if attributes[position].key.matches(key, attributes[position].name, name()) { return position }
                    position += 1
                }
                return nil
            }
            return Self.indexedPosition(of: key, name: name(), header, attributes)
        }
    }

    /// `position(of:name:)` in a context with an index (more than `linearLimit` attributes).
    @inline(never)
    private static func indexedPosition(of key: AttributeKey, name: String, _ header: UnsafeMutablePointer<Header>,
                                        _ attributes: UnsafeMutablePointer<ContextAttribute>) -> Int? {
        guard let index = header.pointee.index else { return nil }
        return index.withUnsafeBufferPointer { slots in
            let mask = slots.count - 1
            var slot = Int(truncatingIfNeeded: key.hash) & mask
            while true {
                let stored = Int(slots[slot])
                if stored == 0 { return nil }
                if attributes[stored - 1].key.matches(key, attributes[stored - 1].name, name) { return stored - 1 }
                slot = (slot + 1) & mask
            }
        }
    }

    /// The value of the attribute named `name`, or nil.
    @inline(__always)
    func value(_ name: String) -> ContextValue? {
        value(AttributeKey(name), name: name)
    }

    @inline(__always)
    func value(_ key: AttributeKey, name: @autoclosure () -> String) -> ContextValue? {
        guard let position = position(of: key, name: name()) else { return nil }
        return withAttributes { $0[position].value }
    }

    /// The attributes as a dictionary (an allocation and a hash per name: for callers, not for evaluation).
    var dictionary: [String: ContextValue] {
        withAttributes { attributes in
            var dictionary = [String: ContextValue](minimumCapacity: attributes.count)
            for position in attributes.indices { dictionary[attributes[position].name] = attributes[position].value }
            return dictionary
        }
    }

    /// Storage with other fields and the same attributes.
    func with(targetingKey: String?, environment: String?) -> ContextStorage {
        withAttributes { attributes in
            Self.make(targetingKey: targetingKey, environment: environment, capacity: attributes.count) { target in
                if let source = attributes.baseAddress { target.initialize(from: source, count: attributes.count) }
                return attributes.count
            }
        }
    }

    private func makeIndex() -> [Int32] {
        withAttributes { attributes in
            var slotCount = 8
            while slotCount < attributes.count * 2 { slotCount *= 2 }
            var slots = [Int32](repeating: 0, count: slotCount)
            let mask = slotCount - 1
            for position in attributes.indices {
                var slot = Int(truncatingIfNeeded: attributes[position].key.hash) & mask
                while slots[slot] != 0 { slot = (slot + 1) & mask }
                slots[slot] = Int32(position + 1)
            }
            return slots
        }
    }
}

/// A `ContextStorage` that may cross threads: nothing in it changes once it is made.
struct SharedContextStorage: @unchecked Sendable {
    let storage: ContextStorage
}

/// What `EvaluationContext.init(targetingKey:tenant:groups:environment:attributes:)` hands its closure: attributes
/// set by name, kept without hashing, with no allocation for up to `inlineCapacity` of them. A later set of a name
/// replaces the value, and setting nil removes it.
///
/// ```swift
/// let context = EvaluationContext(targetingKey: user.id, tenant: user.tenant) { attributes in
///     attributes["plan"] = .string(user.plan)
///     attributes["seats"] = .integer(user.seats)
/// }
/// ```
public struct ContextAttributeBuilder: ~Copyable {
    /// The attributes a builder holds before it moves them to the heap.
    static let inlineCapacity = 16

    /// The sets so far, in order; a name set twice is there twice until `compact()` keeps the last.
    private var buffer: UnsafeMutablePointer<ContextAttribute>
    private var capacity: Int
    private var ownsBuffer = false
    private var count = 0
    private let readsSmallStrings = ShortKey.smallStringLayoutHolds

    init(buffer: UnsafeMutablePointer<ContextAttribute>, capacity: Int) {
        self.buffer = buffer
        self.capacity = capacity
    }

    deinit {
        buffer.deinitialize(count: count)
        if ownsBuffer { buffer.deallocate() }
    }

    /// The value set under `name` last, or nil. Setting nil removes the attribute.
    public subscript(name: String) -> ContextValue? {
        get {
            let key = AttributeKey(name, readsSmallStrings: readsSmallStrings)
            var position = count - 1
            while position >= 0 {
                if buffer[position].key.matches(key, buffer[position].name, name) { return buffer[position].value }
                position -= 1
            }
            return nil
        }
        set {
            let key = AttributeKey(name, readsSmallStrings: readsSmallStrings)
            guard let newValue else {
                let buffer = self.buffer
                remove { buffer[$0].key.matches(key, buffer[$0].name, name) }
                return
            }
            if count == capacity {
                compact()
                if count * 2 > capacity { grow() }
            }
            (buffer + count).initialize(to: ContextAttribute(name: name, key: key, value: newValue))
            count += 1
        }
    }

    /// Removes the attributes at the positions `removed` picks (asked in order, before anything after the position
    /// moves), keeping the order of the others.
    private mutating func remove(where removed: (Int) -> Bool) {
        var kept = 0
        for position in 0..<count {
            if removed(position) {
                (buffer + position).deinitialize(count: 1)
            } else {
                if kept != position { (buffer + kept).moveInitialize(from: buffer + position, count: 1) }
                kept += 1
            }
        }
        count = kept
    }

    /// Keeps the last set of each name. Names are compared in turn (two words each) for a few attributes, through a
    /// dictionary for many.
    private mutating func compact() {
        let buffer = self.buffer, count = self.count
        if count <= 2 * ContextStorage.linearLimit {
            remove { position in
                var next = position + 1
                while next < count {
                    if buffer[next].key.matches(buffer[position].key, buffer[next].name, buffer[position].name) { return true }
                    next += 1
                }
                return false
            }
            return
        }
        var last: [Name: Int] = [:]
        last.reserveCapacity(count)
        for position in 0..<count { last[Name(name: buffer[position].name, key: buffer[position].key)] = position }
        remove { position in last[Name(name: buffer[position].name, key: buffer[position].key)] != position }
    }

    /// A name that hashes and compares by its UTF-8 bytes, as evaluation matches names.
    private struct Name: Hashable {
        let name: String
        let key: AttributeKey

        static func == (lhs: Name, rhs: Name) -> Bool { lhs.key.matches(rhs.key, lhs.name, rhs.name) }

        func hash(into hasher: inout Hasher) {
            hasher.combine(key.low)
            hasher.combine(key.high)
        }
    }

    private mutating func grow() {
        let larger = UnsafeMutablePointer<ContextAttribute>.allocate(capacity: capacity * 2)
        larger.moveInitialize(from: buffer, count: count)
        if ownsBuffer { buffer.deallocate() }
        buffer = larger
        capacity *= 2
        ownsBuffer = true
    }

    /// The number of distinct names set, after which `moveAll` moves them.
    mutating func distinctCount() -> Int {
        compact()
        return count
    }

    /// Moves the attributes (once `distinctCount()` has kept the last of each name) to `target`, skipping those
    /// `skip` refuses; returns how many moved. The builder is empty afterwards.
    mutating func moveAll(to target: UnsafeMutablePointer<ContextAttribute>, skip: (AttributeKey) -> Bool) -> Int {
        var moved = 0
        for position in 0..<count {
            if skip(buffer[position].key) {
                (buffer + position).deinitialize(count: 1)
            } else {
                (target + moved).moveInitialize(from: buffer + position, count: 1)
                moved += 1
            }
        }
        count = 0
        return moved
    }
}
