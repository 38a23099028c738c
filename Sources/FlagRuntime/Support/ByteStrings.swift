#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Strings on the evaluation path are compared and hashed by their UTF-8 bytes, not by Swift's canonical
// equivalence: matching then agrees with the bucketing hash and with runtimes in other languages ("é" and
// "e\u{301}" differ), and it is cheaper (no normalisation, no SipHash).

/// Calls `body` with a string's UTF-8 bytes, without copying when the string is stored contiguously (native and
/// small strings are).
@inlinable @inline(__always)
package func withUTF8Bytes<Result>(_ string: String, _ body: (UnsafeRawBufferPointer) -> Result) -> Result {
    if let result = string.utf8.withContiguousStorageIfAvailable({ body(UnsafeRawBufferPointer($0)) }) {
        return result
    }
    var copy = string
    return copy.withUTF8 { body(UnsafeRawBufferPointer($0)) }
}

/// Whether `lhs` sorts before `rhs` by their UTF-8 bytes (a prefix first): the order of every sorted key and path in
/// snapshots, JSON output, diffs and reports. The same answer as `lhs.utf8.lexicographicallyPrecedes(rhs.utf8)`,
/// which walks both views element by element, about 1,200 instructions for two 20-byte flag keys (12 million in
/// the key-order check of a 10,000-flag snapshot); this compares the contiguous bytes with `memcmp`.
@inlinable
package func precedesByUTF8(_ lhs: String, _ rhs: String) -> Bool {
    withUTF8Bytes(lhs) { left in
        withUTF8Bytes(rhs) { right in
            let common = min(left.count, right.count)
            if common > 0 {
                let order = memcmp(left.baseAddress!, right.baseAddress!, common)
                if order != 0 { return order < 0 }
            }
            return left.count < right.count
        }
    }
}

/// Byte-wise string operations for matching.
enum ByteString {
    /// Whether two strings have the same UTF-8 bytes.
    @inline(__always)
    static func equal(_ lhs: String, _ rhs: String) -> Bool {
        guard lhs.utf8.count == rhs.utf8.count else { return false }
        return withUTF8Bytes(lhs) { left in
            withUTF8Bytes(rhs) { right in equal(left, right) }
        }
    }

    @inline(__always)
    static func equal(_ lhs: UnsafeRawBufferPointer, _ rhs: UnsafeRawBufferPointer) -> Bool {
        lhs.count == rhs.count && (lhs.count == 0 || equal(lhs.baseAddress!, rhs.baseAddress!, count: lhs.count))
    }

    /// Whether `string` starts with the bytes of `prefix`.
    @inline(__always)
    static func hasPrefix(_ string: String, _ prefix: String) -> Bool {
        guard string.utf8.count >= prefix.utf8.count else { return false }
        return withUTF8Bytes(string) { whole in
            withUTF8Bytes(prefix) { part in
                part.isEmpty || equal(whole.baseAddress!, part.baseAddress!, count: part.count)
            }
        }
    }

    /// Whether `string` ends with the bytes of `suffix`.
    @inline(__always)
    static func hasSuffix(_ string: String, _ suffix: String) -> Bool {
        guard string.utf8.count >= suffix.utf8.count else { return false }
        return withUTF8Bytes(string) { whole in
            withUTF8Bytes(suffix) { part in
                part.isEmpty || equal(whole.baseAddress! + (whole.count - part.count), part.baseAddress!, count: part.count)
            }
        }
    }

    /// Whether the bytes of `needle` occur contiguously in `string`.
    static func contains(_ string: String, _ needle: String) -> Bool {
        withUTF8Bytes(string) { haystack in
            withUTF8Bytes(needle) { needle in
                guard !needle.isEmpty else { return true }
                guard haystack.count >= needle.count else { return false }
                let first = needle[0]
                var start = 0
                let last = haystack.count - needle.count
                while start <= last {
                    if haystack[start] == first,
                       memcmp(haystack.baseAddress! + start, needle.baseAddress!, needle.count) == 0 {
                        return true
                    }
                    start += 1
                }
                return false
            }
        }
    }

    /// A fast 64-bit hash of bytes (multiply–xorshift over 8-byte words; short inputs in one step). Not keyed: it
    /// only indexes tables built from the snapshot, whose probe lengths queries cannot lengthen.
    @inline(__always)
    static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        let count = bytes.count
        var hash: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(truncatingIfNeeded: count)
        if count >= 8 {
            var offset = 0
            while offset + 8 < count {
                hash = mix(hash ^ bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
                offset += 8
            }
            hash = mix(hash ^ bytes.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self))
        } else if count >= 4 {
            let low = UInt64(bytes.loadUnaligned(fromByteOffset: 0, as: UInt32.self))
            let high = UInt64(bytes.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self))
            hash = mix(hash ^ (low | high << 32))
        } else if count > 0 {
            hash = mix(hash ^ (UInt64(bytes[0]) | UInt64(bytes[count / 2]) << 8 | UInt64(bytes[count - 1]) << 16))
        }
        return hash ^ (hash >> 32)
    }

    /// Whether `count` bytes at `lhs` and `rhs` are equal, compared a word at a time (short keys make a call to
    /// `memcmp` cost more than the comparison).
    @inline(__always)
    static func equal(_ lhs: UnsafeRawPointer, _ rhs: UnsafeRawPointer, count: Int) -> Bool {
        if count >= 8 {
            var offset = 0
            while offset + 8 < count {
                guard lhs.loadUnaligned(fromByteOffset: offset, as: UInt64.self) == rhs.loadUnaligned(fromByteOffset: offset, as: UInt64.self) else {
                    return false
                }
                offset += 8
            }
            return lhs.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self) == rhs.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
        }
        if count >= 4 {
            return lhs.loadUnaligned(fromByteOffset: 0, as: UInt32.self) == rhs.loadUnaligned(fromByteOffset: 0, as: UInt32.self)
                && lhs.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self) == rhs.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self)
        }
        var offset = 0
        while offset < count {
            guard lhs.load(fromByteOffset: offset, as: UInt8.self) == rhs.load(fromByteOffset: offset, as: UInt8.self) else { return false }
            offset += 1
        }
        return true
    }

    @inline(__always)
    static func mix(_ value: UInt64) -> UInt64 {
        var value = value &* 0xBF58_476D_1CE4_E5B9
        value ^= value >> 31
        return value &* 0x94D0_49BB_1331_11EB
    }
}

/// A string of at most 15 UTF-8 bytes packed into two words: bytes 0–7 in `low`, bytes 8–14 in `high` (in
/// little-endian order), the length in `high`'s top byte, unused bytes zero. Two such strings have the same bytes
/// exactly when their words are equal, so short keys (attribute names, plans, tenants, most user ids) are hashed and
/// compared as two words.
struct ShortKey: Equatable {
    /// The longest string that packs.
    static let maxCount = 15

    var low: UInt64
    var high: UInt64

    /// Packs at most `maxCount` bytes.
    @inline(__always)
    init(bytes: UnsafeRawBufferPointer) {
        var words: (UInt64, UInt64) = (0, 0)
        withUnsafeMutableBytes(of: &words) { $0.baseAddress!.copyMemory(from: bytes.baseAddress ?? UnsafeRawPointer($0.baseAddress!), byteCount: bytes.count) }
        low = UInt64(littleEndian: words.0)
        high = UInt64(littleEndian: words.1) | UInt64(truncatingIfNeeded: bytes.count) << 56
    }

    /// The packed form of a string that Swift stores in its small form (at most 15 bytes inside the `String`
    /// value), read from the value's two words without reaching for the bytes; nil for any other string.
    ///
    /// A small string's first word holds bytes 0–7, its second bytes 8–14 and, in the top byte, a discriminator
    /// nibble (bit 63 set: immortal; bit 62: ASCII; bit 61 set: small; bit 60 clear: not foreign) and the length.
    /// Unused bytes are zero (an invariant of the standard library's small strings, which its own equality fast path
    /// relies on). Clearing the discriminator leaves exactly the packed form. `smallStringLayoutHolds` checks this
    /// reading against the bytes once per process; callers use this initializer only when it holds.
    @inline(__always)
    init?(smallString string: String) {
        #if _pointerBitWidth(_64) && _endian(little)
        let raw = unsafeBitCast(string, to: (UInt64, UInt64).self)
        guard (raw.1 >> 60) & 0b1011 == 0b1010 else { return nil }
        low = raw.0
        high = raw.1 & 0x0FFF_FFFF_FFFF_FFFF
        #else
        return nil
        #endif
    }

    /// Whether `init(smallString:)` reads strings as their bytes on this platform and Swift version: checked once
    /// against strings made at compile time, decoded, shortened and joined at run time, of every length class.
    static let smallStringLayoutHolds: Bool = {
        var shortened = "abcdefghijklmno"
        shortened.removeLast(6)
        var joined = "user-"
        joined += String(42)
        let samples = ["", "a", "abcdefg", "abcdefgh", "abcdefghi", "abc.def-ghijklm", "é€", "user-424242", shortened, joined]
            + ["x", "app_version", "ünïcödé"].map { String(decoding: Array($0.utf8), as: UTF8.self) }
            + [String("tenant-9999, tenant-1".prefix(11)), String("plan: pro".suffix(3))]
        for sample in samples {
            let expected = Array(sample.utf8).withUnsafeBytes { ShortKey(bytes: $0) }
            guard sample.utf8.count <= maxCount, ShortKey(smallString: sample) == expected else { return false }
        }
        // A longer string is never read as small.
        return ShortKey(smallString: String(repeating: "x", count: 16)) == nil
            && ShortKey(smallString: String(decoding: Array(repeating: UInt8(ascii: "y"), count: 40), as: UTF8.self)) == nil
    }()

    /// A fast hash of the two words: the two halves of their full-width product, xored (every output bit depends
    /// on every input bit). Not keyed: it only indexes tables built from the snapshot, whose probe lengths queries
    /// cannot lengthen.
    @inline(__always)
    var hash: UInt64 { Self.hash(low: low, high: high) }

    /// The hash of a packed key's two words (also `AttributeKey`'s).
    @inline(__always)
    static func hash(low: UInt64, high: UInt64) -> UInt64 {
        let product = (low ^ 0x9E37_79B9_7F4A_7C15).multipliedFullWidth(by: high ^ 0xBF58_476D_1CE4_E5B9)
        return product.high ^ product.low
    }
}

/// An immutable set of strings, looked up by UTF-8 bytes: open addressing with linear probing. Keys of at most 15
/// bytes are stored and compared as two packed words (`ShortKey`); longer keys by hash, then bytes. Lookups do not
/// allocate, retain or hash with SipHash; a string held in Swift's small form is looked up without touching its
/// bytes. A class, so that holding or passing a table costs one reference, not one per buffer.
final class ByteStringTable: Sendable {
    /// One key: a short key's packed words, or a long key's hash in `low`, `longKey` in `high`, and where its bytes
    /// are.
    private struct Entry {
        let low: UInt64
        let high: UInt64
        let offset: Int32
        let count: Int32
    }

    /// Marks a long key's entry (the packing is `AttributeKey`'s).
    private static let longKey = AttributeKey.longMarker

    /// Entry index + 1 per slot (0 = empty); the slot count is a power of two at least twice the entries.
    private let slots: [Int32]
    private let entries: [Entry]
    /// The bytes of the long keys.
    private let bytes: [UInt8]
    private let mask: Int
    /// Whether lookups read strings in Swift's small form from their words (`ShortKey.smallStringLayoutHolds`).
    private let readsSmallStrings: Bool

    /// The number of distinct keys.
    var count: Int { entries.count }

    /// Creates a table; the index of a key is its position among the distinct keys, in order of first appearance.
    /// `readsSmallStrings` off makes every lookup take the byte path (tests run both).
    init<Keys: Sequence<String>>(_ keys: Keys, readsSmallStrings: Bool = ShortKey.smallStringLayoutHolds) {
        let keys = Array(keys)
        var slotCount = 8
        while slotCount < keys.count * 2 { slotCount *= 2 }
        var slots = [Int32](repeating: 0, count: slotCount)
        var entries: [Entry] = []
        entries.reserveCapacity(keys.count)  // grown by appending, a list of a few keys took two allocations
        var bytes: [UInt8] = []
        let mask = slotCount - 1
        for key in keys {
            withUTF8Bytes(key) { keyBytes in
                let packed = AttributeKey(bytes: keyBytes)
                let entry = Entry(low: packed.low, high: packed.high, offset: packed.isLong ? Int32(bytes.count) : 0, count: Int32(keyBytes.count))
                let hash = packed.isLong ? packed.low : ShortKey.hash(low: packed.low, high: packed.high)
                var slot = Int(truncatingIfNeeded: hash) & mask
                while slots[slot] != 0 {
                    let existing = entries[Int(slots[slot]) - 1]
                    if existing.low == entry.low, existing.high == entry.high, existing.count == entry.count,
                       entry.high != Self.longKey || bytes[Int(existing.offset)..<Int(existing.offset + existing.count)].elementsEqual(keyBytes) {
                        return
                    }
                    slot = (slot + 1) & mask
                }
                if entry.high == Self.longKey { bytes.append(contentsOf: keyBytes) }
                entries.append(entry)
                slots[slot] = Int32(entries.count)
            }
        }
        self.slots = slots
        self.entries = entries
        self.bytes = bytes
        self.mask = mask
        self.readsSmallStrings = readsSmallStrings
    }

    /// The index of `key`, or nil when it is not in the table.
    @inline(__always)
    func index(of key: String) -> Int? {
        if readsSmallStrings, let short = ShortKey(smallString: key) { return index(of: short) }
        return withUTF8Bytes(key) { index(ofBytes: $0) }
    }

    /// Whether `key` is in the table.
    @inline(__always)
    func contains(_ key: String) -> Bool {
        index(of: key) != nil
    }

    /// The index of the key with these bytes, or nil.
    @inline(__always)
    func index(ofBytes key: UnsafeRawBufferPointer) -> Int? {
        key.count <= ShortKey.maxCount ? index(of: ShortKey(bytes: key)) : index(ofLong: key)
    }

    /// The index of a short key, or nil.
    @inline(__always)
    func index(of key: ShortKey) -> Int? {
        slots.withUnsafeBufferPointer { slots in
            entries.withUnsafeBufferPointer { entries in
                var slot = Int(truncatingIfNeeded: key.hash) & mask
                while true {
                    let stored = Int(slots[slot])
                    if stored == 0 { return nil }
                    if entries[stored - 1].low == key.low, entries[stored - 1].high == key.high { return stored - 1 }
                    slot = (slot + 1) & mask
                }
            }
        }
    }

    /// The index of a key longer than `ShortKey.maxCount` bytes, or nil.
    private func index(ofLong key: UnsafeRawBufferPointer) -> Int? {
        let hash = ByteString.hash(key)
        return slots.withUnsafeBufferPointer { slots in
            entries.withUnsafeBufferPointer { entries in
                bytes.withUnsafeBytes { bytes in
                    var slot = Int(truncatingIfNeeded: hash) & mask
                    while true {
                        let stored = Int(slots[slot])
                        if stored == 0 { return nil }
                        let entry = entries[stored - 1]
                        if entry.high == Self.longKey, entry.low == hash, Int(entry.count) == key.count,
                           ByteString.equal(bytes.baseAddress! + Int(entry.offset), key.baseAddress!, count: key.count) {
                            return stored - 1
                        }
                        slot = (slot + 1) & mask
                    }
                }
            }
        }
    }

    /// The index of `key` found by comparing with each key in turn (no hashing: cheaper for a few keys), or nil.
    @inline(__always)
    func linearIndex(of key: String) -> Int? {
        if readsSmallStrings, let short = ShortKey(smallString: key) { return linearIndex(of: short) }
        return withUTF8Bytes(key) { key in
            if key.count <= ShortKey.maxCount { return linearIndex(of: ShortKey(bytes: key)) }
            return entries.withUnsafeBufferPointer { entries in
                bytes.withUnsafeBytes { bytes in
                    entries.firstIndex { entry in
                        entry.high == Self.longKey && Int(entry.count) == key.count
                            && ByteString.equal(bytes.baseAddress! + Int(entry.offset), key.baseAddress!, count: key.count)
                    }
                }
            }
        }
    }

    @inline(__always)
    private func linearIndex(of key: ShortKey) -> Int? {
        entries.withUnsafeBufferPointer { entries in
            for index in entries.indices where entries[index].low == key.low && entries[index].high == key.high {
                return index
            }
            return nil
        }
    }
}
