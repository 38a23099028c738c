/// MurmurHash3 x86 32-bit with seed 0, fed incrementally, so that `seed + bucketValue` is hashed without
/// building the concatenated string. This is the hash of OpenFeature flagd's `fractional` operator.
package struct Murmur3 {
    private var hash: UInt32 = 0
    private var carry: UInt32 = 0
    private var carryCount: UInt32 = 0
    private var length: UInt32 = 0

    @inline(__always)
    private static func scramble(_ value: UInt32) -> UInt32 {
        var k = value &* 0xcc9e_2d51
        k = (k << 15) | (k >> 17)
        return k &* 0x1b87_3593
    }

    @inline(__always)
    mutating func add(_ byte: UInt8) {
        carry |= UInt32(byte) << (carryCount &* 8)
        carryCount &+= 1
        length &+= 1
        if carryCount == 4 {
            hash ^= Murmur3.scramble(carry)
            hash = (hash << 13) | (hash >> 19)
            hash = hash &* 5 &+ 0xe654_6b64
            carry = 0
            carryCount = 0
        }
    }

    @inline(__always)
    mutating func add(_ bytes: UnsafeBufferPointer<UInt8>) {
        add(UnsafeRawBufferPointer(bytes))
    }

    /// Adds bytes a 4-byte word at a time, shifting words into a pending partial block when there is one.
    @inline(__always)
    mutating func add(_ bytes: UnsafeRawBufferPointer) {
        let count = bytes.count
        var offset = 0
        if carryCount == 0 {
            while offset + 4 <= count {
                mixBlock(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
                offset += 4
            }
        } else {
            let shift = carryCount &* 8
            while offset + 4 <= count {
                let word = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
                mixBlock(carry | word << shift)
                carry = word >> (32 &- shift)
                offset += 4
            }
        }
        while offset < count {
            add(bytes[offset])
            offset += 1
        }
    }

    /// Mixes a whole block (`length` counts its 4 bytes; the pending carry is unchanged).
    @inline(__always)
    private mutating func mixBlock(_ block: UInt32) {
        hash ^= Murmur3.scramble(block)
        hash = (hash << 13) | (hash >> 19)
        hash = hash &* 5 &+ 0xe654_6b64
        length &+= 4
    }

    /// Adds a string's UTF-8 bytes (without copying when the string is stored contiguously, as native strings are).
    @inline(__always)
    mutating func add(_ text: String) {
        withUTF8Bytes(text) { add($0) }
    }

    mutating func finalize() -> UInt32 {
        var h = hash
        if carryCount > 0 { h ^= Murmur3.scramble(carry) }
        h ^= length
        h ^= h >> 16
        h = h &* 0x85eb_ca6b
        h ^= h >> 13
        h = h &* 0xc2b2_ae35
        h ^= h >> 16
        return h
    }

    /// The hash of a string's UTF-8 bytes.
    package static func hash(_ text: String) -> UInt32 {
        var hasher = Murmur3()
        hasher.add(text)
        return hasher.finalize()
    }
}
