@testable import FlagRuntime
import Testing

/// Bad binary input: every truncation, every single-bit flip, wrong magic, unknown versions, absurd lengths and
/// structurally invalid payloads behind valid checksums are all refused with an error that says what is wrong.
@Suite struct BinaryCorruptionTests {
    static let file: [UInt8] = try! BinarySnapshotTests.small.binaryBytes()
    static let everything: [UInt8] = try! SnapshotJSONTests.everything.binaryBytes()

    @Test func emptyFile() {
        #expect(loadError([]) == "the file is empty")
        #expect(throws: SnapshotDecodingError(path: "", message: "the file is empty")) { try Snapshot(binaryBytes: []) }
    }

    @Test func truncatedAtEveryOffset() {
        let file = BinaryCorruptionTests.everything
        let total = BinarySnapshotFormat.grouped(file.count)
        for length in 1..<file.count {
            let reason = loadError(Array(file[..<length]))
            let found = BinarySnapshotFormat.grouped(length)
            if length < 24 {
                #expect(reason == "truncated: expected at least 160 bytes (the header), found \(found)", "length \(length)")
            } else {
                #expect(reason == "truncated: expected \(total) bytes, found \(found)", "length \(length)")
            }
        }
        #expect(loadError(file) == nil)
    }

    @Test func truncationMessageGroupsDigits() {
        var file = BinaryFile(BinaryCorruptionTests.file)
        file.payload += BinaryFile.section("PADD", [UInt8](repeating: 0, count: 18_432 - 160 - file.payload.count - 8))
        let bytes = file.bytes()
        #expect(bytes.count == 18_432)
        #expect(loadError(Array(bytes[..<9_000])) == "truncated: expected 18 432 bytes, found 9 000")
    }

    @Test func everySingleBitFlipInTheHeaderIsCaught() {
        let file = BinaryCorruptionTests.file
        for offset in 0..<BinarySnapshotFormat.headerLength {
            for bit in 0..<8 {
                var damaged = file
                damaged[offset] ^= 1 << bit
                let reason = loadError(damaged) ?? "loaded"
                let expected: [String]
                switch offset {
                case 0: expected = ["not a flagc snapshot"]
                case 1..<8: expected = ["wrong magic: expected 89 46 4C 41 47 0D 0A 1A, found "]
                case 8..<10: expected = ["unsupported format version"]
                case 12..<16: expected = ["corrupt header: header length", "corrupt header: CRC-32", "truncated: expected"]
                case 16..<24: expected = ["corrupt header: CRC-32", "corrupt header: header length 160 exceeds the total length"]
                default: expected = ["corrupt header: CRC-32 is 0x"]
                }
                #expect(expected.contains { reason.hasPrefix($0) }, "byte \(offset) bit \(bit): \(reason)")
            }
        }
    }

    @Test func everySingleBitFlipInThePayloadIsCaught() {
        let file = BinaryCorruptionTests.file
        for offset in BinarySnapshotFormat.headerLength..<file.count {
            for bit in 0..<8 {
                var damaged = file
                damaged[offset] ^= 1 << bit
                let reason = loadError(damaged) ?? "loaded"
                #expect(reason.hasPrefix("checksum mismatch: the payload's SHA-256 is "), "byte \(offset) bit \(bit): \(reason)")
                #expect(reason.hasSuffix("; the file was altered or damaged"))
            }
        }
    }

    @Test func wrongMagic() {
        var file = BinaryCorruptionTests.file
        file[7] = 0x0A
        #expect(loadError(file) == "wrong magic: expected 89 46 4C 41 47 0D 0A 1A, found 89 46 4C 41 47 0D 0A 0A")
        #expect(loadError(Array("FLGC".utf8))?.hasPrefix("not a flagc snapshot") == true)
        #expect(loadError(Array("PK\u{3}\u{4}".utf8))?.hasPrefix("not a flagc snapshot") == true)
    }

    @Test func absurdLength() {
        var file = BinaryCorruptionTests.file
        file.storeLE(UInt64(1) << 40, at: 16)
        BinaryFile.resealHeader(&file)
        #expect(loadError(file) == "absurd length: the header declares 1 099 511 627 776 bytes, more than the 268 435 456-byte limit")
        file.storeLE(UInt64.max, at: 16)
        BinaryFile.resealHeader(&file)
        #expect(loadError(file)?.hasPrefix("absurd length: the header declares 18 446 744 073 709 551 615 bytes") == true)
    }

    @Test func headerLengthsOutOfRange() {
        for headerLength: UInt32 in [0, 159, 65_537, .max] {
            var file = BinaryCorruptionTests.file
            file.storeLE(headerLength, at: 12)  // checked before the CRC, so no need to reseal
            #expect(loadError(file)?.hasPrefix("corrupt header: header length") == true, "\(headerLength)")
        }
        var file = BinaryCorruptionTests.file
        file.storeLE(UInt64(100), at: 16)
        BinaryFile.resealHeader(&file)
        #expect(loadError(file) == "corrupt header: header length 160 exceeds the total length 100")
    }

    @Test func trailingBytes() {
        #expect(loadError(BinaryCorruptionTests.file + [0]) == "trailing bytes: expected \(BinarySnapshotFormat.grouped(BinaryCorruptionTests.file.count)) bytes, found \(BinarySnapshotFormat.grouped(BinaryCorruptionTests.file.count + 1)) (1 after the payload)")
    }

    @Test func unsignedSnapshotsHaveZeroSignatureFields() {
        var file = BinaryFile(BinaryCorruptionTests.file)
        file.signatureFields[40] = 1
        #expect(loadError(file.bytes()) == "corrupt header: the snapshot is marked unsigned but its signature fields are not zero")
    }

    // MARK: Structure behind valid checksums

    /// A minimal valid payload built by hand: strings, snapshot section, one boolean flag, then `flagTail`.
    static func payload(strings: [String] = ["false", "id", "k", "true"], snap: [UInt8]? = nil, flag: [UInt8]? = nil, extra: [UInt8] = []) -> [UInt8] {
        var table: [UInt8] = [], blob: [UInt8] = []
        for string in strings {
            blob += Array(string.utf8)
            table += BinaryFile.le(UInt32(blob.count))
        }
        let strs = BinaryFile.le(UInt32(strings.count)) + BinaryFile.le(UInt32(blob.count)) + table + blob
        let none = BinaryFile.le(UInt32.max)
        let snapBody = snap ?? (BinaryFile.le(UInt32(1)) + none + none)
        // key "k", boolean, enabled, default "false", 2 variants, 0 rules.
        let flagBody = flag ?? (BinaryFile.le(UInt32(1)) + BinaryFile.le(UInt32(2)) + [0, 1] + BinaryFile.le(UInt32(0))
            + BinaryFile.le(UInt32(2)) + BinaryFile.le(UInt32(3)) + [1] + BinaryFile.le(UInt32(0)) + [0] + BinaryFile.le(UInt32(0)))
        return BinaryFile.section("STRS", strs) + BinaryFile.section("SNAP", snapBody) + BinaryFile.section("FLAG", flagBody) + extra
    }

    static func file(_ payload: [UInt8], flags: UInt32 = 0) -> [UInt8] {
        var file = BinaryFile(BinaryCorruptionTests.file)
        file.flags = flags
        file.payload = payload
        return file.bytes()
    }

    static func u32(_ value: UInt32) -> [UInt8] { BinaryFile.le(value) }

    @Test func aHandBuiltPayloadLoads() throws {
        let snapshot = try Snapshot(binaryBytes: BinaryCorruptionTests.file(BinaryCorruptionTests.payload()))
        #expect(snapshot.id == "id")
        #expect(snapshot.flags.map(\.key) == ["k"])
        #expect(snapshot.flags[0].variants == [Variant(name: "true", value: .boolean(true)), Variant(name: "false", value: .boolean(false))])
    }

    @Test(arguments: [
        // (payload, expected reason suffix)
        (payload(strings: ["false", "id", "k", "true", "a"]), "section 'STRS': at byte 208: string 4 is not after string 3 in byte order (the table must be sorted and unique)"),
        (payload(strings: ["false", "id", "k", "true", "true"]), "string 4 is not after string 3 in byte order"),
        (payload(snap: u32(9) + u32(.max) + u32(.max)), "section 'SNAP': at byte 212: the snapshot id refers to string 9, but the table holds 4"),
        (payload(snap: u32(1) + u32(.max)), "section 'SNAP': at byte 220: the environment needs 4 bytes, only 0 remain"),
        (payload(flag: u32(.max)), "at byte 232: the flag count is 4 294 967 295, but 0 remaining bytes hold at most 0"),
        (payload(flag: u32(2_000_000)), "the flag count is 2 000 000, but 0 remaining bytes hold at most 0"),
        (payload(flag: u32(1) + u32(2) + [9, 1] + u32(0) + u32(0) + u32(0)), "flags.k.type: at byte 240: unknown flag type code 9"),
        (payload(flag: u32(1) + u32(2) + [0, 2] + u32(0) + u32(0) + u32(0)), "the enabled byte must be 0 or 1, found 2"),
        (payload(flag: u32(1) + u32(2) + [0, 1] + u32(0) + u32(1) + u32(3) + [1] + u32(0)), "flags.k.defaultVariant: 'false' names no variant of the flag"),
        (payload(flag: u32(1) + u32(2) + [0, 1] + u32(0) + u32(1) + u32(0) + [7] + u32(0)), "flags.k.variants[0]: at byte 254: a boolean value must be 0 or 1, found 7"),
        (payload(flag: u32(1) + u32(2) + [0, 1] + u32(0) + u32(1) + u32(0) + [0] + u32(1) + [0x10] + u32(0) + u32(0)), "flags.k.rules[0]: at byte 259: unknown rule field bits 0x10"),
        (payload(flag: u32(1) + u32(2) + [0, 1] + u32(0) + u32(1) + u32(0) + [0] + u32(1) + [0] + u32(1) + [1] + u32(2) + [99, 1] + u32(0)), "flags.k.rules[0].conditions[0].op: at byte 269: unknown operator code 99"),
        (payload(flag: u32(1) + u32(2) + [0, 1] + u32(0) + u32(1) + u32(0) + [0] + u32(1) + [0] + u32(1) + [4] + u32(0)), "flags.k.rules[0].conditions[0]: at byte 264: unknown condition kind 4"),
        (payload(flag: u32(1) + u32(2) + [0, 1] + u32(0) + u32(1) + u32(0) + [0] + u32(1) + [0] + u32(1) + [1] + u32(2) + [4, 2] + BinaryFile.le(Double.nan.bitPattern) + u32(0)), "the operand is not finite (nan)"),
        (payload(flag: u32(1) + u32(2) + [0, 1] + u32(0) + u32(1) + u32(0) + [0] + u32(1) + [8] + u32(0) + u32(2) + u32(2) + u32(2) + u32(0) + u32(5_000) + u32(0) + u32(4_000)), "flags.k.rules[0].split.buckets: variant 'false' has two buckets"),
        (payload(flag: u32(1) + u32(2) + [0, 1] + u32(0) + u32(1) + u32(0) + [0] + u32(0) + [0]), "section 'FLAG' has 1 unread bytes at its end"),
        (payload(flag: u32(2) + u32(2) + [0, 1] + u32(0) + u32(1) + u32(0) + [0] + u32(0) + u32(2) + [0, 1] + u32(0) + u32(1) + u32(0) + [0] + u32(0)), "flags[1]: at byte 259: flag 'k' is not after the previous flag in key order (flags must be sorted by key and unique)"),
        (Array(payload().dropLast(40)), "the payload has no 'FLAG' section"),
        (BinaryFile.section("SNAP", u32(0) + u32(.max) + u32(.max)), "section 'SNAP' comes before the required section 'STRS'"),
        (payload() + BinaryFile.section("SNAP", []), "section 'SNAP' is out of order or repeated"),
        (payload() + Array("META".utf8) + u32(100), "section 'META' declares 100 bytes, but only 0 remain in the payload"),
        (payload() + BinaryFile.section("META", u32(1) + [0]), "the payload has a META section the header does not announce"),
    ] as [([UInt8], String)])
    func structurallyInvalidPayloadsNameWhatIsWrong(payload: [UInt8], expected: String) {
        let reason = loadError(BinaryCorruptionTests.file(payload)) ?? "loaded"
        #expect(reason.hasSuffix(expected) || reason.contains(expected), "\(reason)")
    }

    @Test func invalidUTF8IsRefused() {
        var payload = BinaryCorruptionTests.payload(strings: ["false", "id", "k", "true", "zz"])
        let index = payload.lastIndex(of: UInt8(ascii: "z"))!
        payload[index] = 0xFF
        #expect(loadError(BinaryCorruptionTests.file(payload))?.hasSuffix("string 4 is not valid UTF-8") == true)
    }

    @Test func theHeaderMustAnnounceTheMetadataSection() {
        let reason = loadError(BinaryCorruptionTests.file(BinaryCorruptionTests.payload(), flags: 2))
        #expect(reason?.hasSuffix("the header announces a META section but the payload has none") == true)
    }

    @Test func deeplyNestedValuesAndSegmentsAreRefused() {
        // An object flag whose value nests arrays 100 deep.
        var value: [UInt8] = [7] + BinaryCorruptionTests.u32(1) + BinaryCorruptionTests.u32(1)
        for _ in 0..<100 { value += [6] + BinaryCorruptionTests.u32(1) }
        value += [0]
        let flag = BinaryCorruptionTests.u32(1) + BinaryCorruptionTests.u32(2) + [4, 1] + BinaryCorruptionTests.u32(0)
            + BinaryCorruptionTests.u32(1) + BinaryCorruptionTests.u32(0) + value + BinaryCorruptionTests.u32(0)
        let reason = loadError(BinaryCorruptionTests.file(BinaryCorruptionTests.payload(flag: flag))) ?? "loaded"
        #expect(reason.contains("values nest deeper than 64 levels"), "\(reason)")

        // Segments nested 100 deep.
        var conditions: [UInt8] = []
        for _ in 0..<100 { conditions += BinaryCorruptionTests.u32(1) + [3] + BinaryCorruptionTests.u32(1) + BinaryCorruptionTests.u32(1) }
        conditions += BinaryCorruptionTests.u32(0)
        let ruleFlag = BinaryCorruptionTests.u32(1) + BinaryCorruptionTests.u32(2) + [0, 1] + BinaryCorruptionTests.u32(0)
            + BinaryCorruptionTests.u32(1) + BinaryCorruptionTests.u32(0) + [0] + BinaryCorruptionTests.u32(1) + [0] + conditions + BinaryCorruptionTests.u32(0)
        let segmentReason = loadError(BinaryCorruptionTests.file(BinaryCorruptionTests.payload(flag: ruleFlag))) ?? "loaded"
        #expect(segmentReason.contains("segments nest deeper than 64 levels"), "\(segmentReason)")
    }

    /// Random edits behind valid checksums: every outcome is a snapshot or an error, never a crash.
    @Test(arguments: 0..<8)
    func randomEditsBehindValidChecksumsNeverCrash(seed: UInt64) {
        var rng = SplitMix64(seed: 0xF0_22 &+ seed)
        let original = BinaryCorruptionTests.everything
        var loaded = 0
        for _ in 0..<400 {
            var file = original
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                let offset = Int.random(in: 160..<file.count, using: &rng)
                switch Int.random(in: 0..<4, using: &rng) {
                case 0: file[offset] ^= UInt8(1) << UInt8.random(in: 0..<8, using: &rng)
                case 1: file[offset] = UInt8.random(in: 0...255, using: &rng)
                case 2: file[offset] = [0, 0xFF, 1, 0x7F].randomElement(using: &rng)!
                default: file.remove(at: offset)
                }
            }
            file.storeLE(UInt64(file.count), at: 16)
            BinaryFile.reseal(&file)
            if loadError(file) == nil { loaded += 1 }
        }
        #expect(loaded < 400, "most random edits must be refused")
    }
}
