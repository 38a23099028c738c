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
@inline(__always)
func withUTF8Bytes<Result>(_ string: String, _ body: (UnsafeRawBufferPointer) -> Result) -> Result {
    if let result = string.utf8.withContiguousStorageIfAvailable({ body(UnsafeRawBufferPointer($0)) }) {
        return result
    }
    var copy = string
    return copy.withUTF8 { body(UnsafeRawBufferPointer($0)) }
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
    private static func mix(_ value: UInt64) -> UInt64 {
        var value = value &* 0xBF58_476D_1CE4_E5B9
        value ^= value >> 31
        return value &* 0x94D0_49BB_1331_11EB
    }
}

/// An immutable set of strings, looked up by UTF-8 bytes: open addressing with linear probing over a fast hash,
/// keys stored in one byte buffer. Lookups do not allocate, retain or hash with SipHash.
struct ByteStringTable: Sendable {
    /// Entry index + 1 per slot (0 = empty); the slot count is a power of two at least twice the entries.
    private let slots: [Int32]
    private let hashes: [UInt64]
    private let bytes: [UInt8]
    private let offsets: [Int]
    private let mask: Int

    /// The number of distinct keys.
    var count: Int { hashes.count }

    /// Creates a table; the index of a key is its position among the distinct keys, in order of first appearance.
    init<Keys: Sequence<String>>(_ keys: Keys) {
        var hashes: [UInt64] = []
        var bytes: [UInt8] = []
        var offsets: [Int] = [0]
        var slotCount = 8
        let keys = Array(keys)
        while slotCount < keys.count * 2 { slotCount *= 2 }
        var slots = [Int32](repeating: 0, count: slotCount)
        let mask = slotCount - 1
        for key in keys {
            withUTF8Bytes(key) { keyBytes in
                let hash = ByteString.hash(keyBytes)
                var slot = Int(truncatingIfNeeded: hash) & mask
                while slots[slot] != 0 {
                    let entry = Int(slots[slot]) - 1
                    if hashes[entry] == hash, bytes[offsets[entry]..<offsets[entry + 1]].elementsEqual(keyBytes) { return }
                    slot = (slot + 1) & mask
                }
                hashes.append(hash)
                bytes.append(contentsOf: keyBytes)
                offsets.append(bytes.count)
                slots[slot] = Int32(hashes.count)
            }
        }
        self.slots = slots
        self.hashes = hashes
        self.bytes = bytes
        self.offsets = offsets
        self.mask = mask
    }

    /// The index of `key`, or nil when it is not in the table.
    @inline(__always)
    func index(of key: String) -> Int? {
        withUTF8Bytes(key) { index(ofBytes: $0) }
    }

    /// Whether `key` is in the table.
    @inline(__always)
    func contains(_ key: String) -> Bool {
        index(of: key) != nil
    }

    /// The index of the key with these bytes found by comparing with each key in turn (no hashing: cheaper for a
    /// few keys), or nil.
    @inline(__always)
    func linearIndex(ofBytes key: UnsafeRawBufferPointer) -> Int? {
        offsets.withUnsafeBufferPointer { offsets in
            bytes.withUnsafeBytes { bytes in
                for entry in 0..<(offsets.count - 1) {
                    let start = offsets[entry]
                    let length = offsets[entry + 1] - start
                    if length == key.count, length == 0 || ByteString.equal(bytes.baseAddress! + start, key.baseAddress!, count: length) {
                        return entry
                    }
                }
                return nil
            }
        }
    }

    /// The index of the key with these bytes, or nil.
    @inline(__always)
    func index(ofBytes key: UnsafeRawBufferPointer) -> Int? {
        let hash = ByteString.hash(key)
        return slots.withUnsafeBufferPointer { slots in
            hashes.withUnsafeBufferPointer { hashes in
                offsets.withUnsafeBufferPointer { offsets in
                    bytes.withUnsafeBytes { bytes in
                        var slot = Int(truncatingIfNeeded: hash) & mask
                        while true {
                            let stored = Int(slots[slot])
                            if stored == 0 { return nil }
                            let entry = stored - 1
                            if hashes[entry] == hash {
                                let start = offsets[entry]
                                let length = offsets[entry + 1] - start
                                if length == key.count,
                                   length == 0 || ByteString.equal(bytes.baseAddress! + start, key.baseAddress!, count: length) {
                                    return entry
                                }
                            }
                            slot = (slot + 1) & mask
                        }
                    }
                }
            }
        }
    }
}
