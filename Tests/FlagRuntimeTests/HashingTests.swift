@testable import FlagRuntime
import Testing

/// Bucketing hashes exactly like OpenFeature flagd's `fractional` (flagd ≥ 0.15): MurmurHash3 x86 32-bit,
/// seed 0, over the UTF-8 bytes of seed + bucket value; bucket = (hash × total weight) >> 32.
@Suite struct HashingTests {
    /// The published flagd vectors: four variants at 25 % each, hashing the whole string.
    @Test(arguments: [
        ("fractional-flagjack", "hearts"), ("fractional-flagqueen", "spades"), ("fractional-flagten", "clubs"),
        ("fractional-flagnine", "diamonds"), ("fractional-flag3", "clubs"),
    ])
    func flagdFourWayVectors(key: String, expected: String) {
        let split = HashingTests.split(["clubs", "diamonds", "hearts", "spades"], weights: [2500, 2500, 2500, 2500], seed: "")
        let variants = ["clubs", "diamonds", "hearts", "spades"]
        #expect(split.variant(forBucketValue: key).map { variants[$0] } == expected)
    }

    /// The boundary vectors: hashes 0 and 2^31 − 1 land in the first half, 2^31 in the second.
    @Test(arguments: [("ejOoVL", UInt32(0), 0), ("SI7p-", 2_147_483_647, 0), ("6LvT0", 2_147_483_648, 1)])
    func twoWayBoundaryVectors(key: String, hash: UInt32, expected: Int) {
        #expect(Murmur3.hash(key) == hash)
        #expect(HashingTests.split(["first", "second"], weights: [5000, 5000], seed: "").variant(forBucketValue: key) == expected)
    }

    /// Reference values from the canonical C implementation (seed 0), including non-ASCII UTF-8 input.
    @Test(arguments: [
        ("", UInt32(0)), ("a", 0x3c25_69b2), ("abc", 0xb3dd_93fa), ("abcd", 0x43ed_676a),
        ("Hello, world!", 0xc036_3e43), ("The quick brown fox jumps over the lazy dog", 0x2e4f_f723),
    ])
    func murmurReferenceValues(text: String, hash: UInt32) {
        #expect(Murmur3.hash(text) == hash)
    }

    @Test func hashingInPiecesEqualsHashingTheConcatenation() {
        for (seed, value) in [("", "x"), ("flag", ""), ("ui.new_dashboard", "user-42"), ("seed😀", "ünïcode"), ("abc", "defgh")] {
            var hasher = Murmur3()
            hasher.add(seed)
            hasher.add(value)
            #expect(hasher.finalize() == Murmur3.hash(seed + value))
        }
    }

    /// Every way of cutting strings of 0–13 bytes in up to three pieces (so every pending carry meets every tail
    /// length) hashes as the whole string, and as the byte-at-a-time reference.
    @Test func everyCutHashesAsTheWhole() {
        let text = Array("seed.ünï-42:xy".utf8)
        for length in 0...13 {
            let bytes = Array(text.prefix(length))
            var reference = Murmur3()
            for byte in bytes { reference.add(byte) }
            let expected = reference.finalize()
            #expect(Murmur3.hash(String(decoding: bytes, as: UTF8.self)) == expected || !bytes.allSatisfy { $0 < 0x80 })
            for first in 0...length {
                for second in first...length {
                    var hasher = Murmur3()
                    for piece in [bytes[..<first], bytes[first..<second], bytes[second...]] {
                        piece.withUnsafeBytes { hasher.add($0) }
                    }
                    #expect(hasher.finalize() == expected, "\(length) bytes cut at \(first) and \(second)")
                }
            }
        }
    }

    @Test func nonASCIIIsHashedAsUTF8() {
        // "ü" is two bytes in UTF-8 (C3 BC); hashing them one by one gives the same as the string.
        var hasher = Murmur3()
        hasher.add(0xC3)
        hasher.add(0xBC)
        #expect(hasher.finalize() == Murmur3.hash("ü"))
        #expect(Murmur3.hash("ü") != Murmur3.hash("u"))
    }

    static func split(_ variants: [String], weights: [Int], seed: String) -> CompiledSplit {
        let rule = Rule(outcome: .split(Split(seed: seed, buckets: zip(variants, weights).map { Split.Bucket(variant: $0, weight: $1) })))
        var slots = AttributeSlotAssigner()
        let compiled = CompiledRule(rule, slots: &slots) { name in variants.firstIndex(of: name)! }
        guard case .split(let split) = compiled.outcome else { fatalError("a split rule compiles to a split") }
        return split
    }
}
