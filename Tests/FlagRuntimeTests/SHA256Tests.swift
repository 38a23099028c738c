import Testing
@testable import FlagRuntime

struct SHA256Tests {
    /// The deterministic test pattern byte i = (31 * i + 7) mod 256.
    static func pattern(_ count: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
    }

    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { byte in
            let text = String(byte, radix: 16)
            return byte < 16 ? "0" + text : text
        }.joined()
    }

    /// FIPS 180-4 / NIST CSRC example vectors, plus one well-known phrase.
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
        ("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
         "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"),
        ("The quick brown fox jumps over the lazy dog",
         "d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592"),
    ])
    func nistVectors(input: String, expected: String) {
        let bytes = Array(input.utf8)
        #expect(SHA256.hexDigest(bytes) == expected)
        #expect(Self.hex(SHA256.hash(bytes)) == expected)
        #expect(SHA256.hash(bytes).count == 32)
    }

    @Test func oneMillionA() {
        let expected = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
        let million = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        #expect(SHA256.hexDigest(million) == expected)

        // The same message streamed in uneven chunks.
        var hasher = SHA256()
        let chunk = [UInt8](repeating: UInt8(ascii: "a"), count: 999)
        var remaining = 1_000_000
        while remaining > 0 {
            let take = min(remaining, chunk.count)
            hasher.update(Array(chunk[0..<take]))
            remaining -= take
        }
        #expect(Self.hex(hasher.finalize()) == expected)
    }

    /// Digests of the pattern at lengths around the padding boundaries, computed with Python's hashlib.
    @Test(arguments: [
        (0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        (1, "ca358758f6d27e6cf45272937977a748fd88391db679ceda7dc7bf1f005ee879"),
        (55, "8aa994584139d128848eeebc4e815639ba5ab6e6e39574195a63ac4f14f7c43b"),
        (56, "ad574708f75c044c9b85de64cb568ee7711ff4f36448c6242f053ba8f6cc2b63"),
        (63, "280ed3e8ff1df845b2e7dfe6ac6cee817bef20e783cc65abc41b818b4d2fe076"),
        (64, "c6ab9724ade5b6a7a1edfffb12f3aa9181351355af8fd08c919952ad211339dd"),
        (65, "788367c73c7ddf4c53f65e68cc0d943e6227ab55b0e78ba63ace822b1c6301c0"),
        (119, "3d610547d68216dedf7435a4fb6260353911f6b3fd3f18805ddb8be285d726fe"),
        (120, "1f80156a804cb7862ad113e8200e9d74499723e7c7854d5f48776d3148e09656"),
        (127, "192409cd280e14b743642ad1343fbd3e82d9305de72c078117745a679210cc3d"),
        (128, "cc548ca2dec1f6fe4f58b2e27aa9c7521607df1130d140b55a4dad0665302356"),
        (129, "81e89a7b2911aaa7795f9e3d4910cb47d6cd2b00d83b8399481527261a1a7519"),
        (1000, "5097e7d587352f5097062ae679f37bda5802d9f875aba14c8cb4d1a188ada179"),
    ])
    func knownPatternDigests(length: Int, expected: String) {
        #expect(SHA256.hexDigest(Self.pattern(length)) == expected)
    }

    /// Streaming in two parts split at every offset, and byte by byte, matches the one-shot digest.
    @Test(arguments: [55, 56, 63, 64, 65, 119, 120, 128, 200])
    func streamingMatchesOneShot(length: Int) {
        let message = Self.pattern(length)
        let oneShot = SHA256.hash(message)
        for split in 0...length {
            var hasher = SHA256()
            hasher.update(Array(message[..<split]))
            hasher.update(Array(message[split...]))
            #expect(hasher.finalize() == oneShot, "split at \(split)")
        }
        for first in stride(from: 0, through: length, by: 7) {
            for second in stride(from: first, through: length, by: 11) {
                var hasher = SHA256()
                message.withUnsafeBytes { raw in
                    hasher.update(UnsafeRawBufferPointer(rebasing: raw[..<first]))
                    hasher.update(UnsafeRawBufferPointer(rebasing: raw[first..<second]))
                    hasher.update(UnsafeRawBufferPointer(rebasing: raw[second...]))
                }
                #expect(hasher.finalize() == oneShot, "splits at \(first), \(second)")
            }
        }
        var byteByByte = SHA256()
        for byte in message { byteByByte.update([byte]) }
        #expect(byteByByte.finalize() == oneShot)
    }

    @Test func emptyUpdatesAreNeutralAndFinalizeResets() {
        var hasher = SHA256()
        hasher.update([])
        hasher.update(Array("ab".utf8))
        hasher.update([])
        hasher.update(Array("c".utf8))
        let abc = hasher.finalize()
        #expect(Self.hex(abc) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")

        // After finalize the hasher starts over.
        #expect(Self.hex(hasher.finalize()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        hasher.update(Array("abc".utf8))
        #expect(hasher.finalize() == abc)
    }

    @Test func hexDigestIsLowercaseAnd64Characters() {
        let digest = SHA256.hexDigest(Self.pattern(300))
        #expect(digest.utf8.count == 64)
        #expect(digest.allSatisfy { "0123456789abcdef".contains($0) })
    }

    @Test func processorExtensionsAndPortableRoundsAgree() {
        // Without the extensions both hashers run the portable rounds, and this still checks the plumbing.
        var generator = SystemRandomNumberGenerator()
        for length in [0, 1, 55, 56, 63, 64, 65, 127, 128, 129, 1_000, 4_096, 100_003] {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            var fast = SHA256(accelerated: SHA256.isAccelerated)
            var portable = SHA256(accelerated: false)
            // Uneven update sizes cross block boundaries in both.
            var offset = 0
            var step = 1
            while offset < length {
                let end = min(length, offset + step)
                fast.update(Array(bytes[offset..<end]))
                portable.update(Array(bytes[offset..<end]))
                offset = end
                step = step * 3 + 1
            }
            #expect(fast.finalize() == portable.finalize(), "length \(length)")
        }
    }
}
