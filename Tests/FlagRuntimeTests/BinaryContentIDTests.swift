@testable import FlagRuntime
import Testing

/// The content id written straight from a binary payload (`BinaryContentID`) is the id written from the decoded
/// snapshot, for every kind of content; and the loader, which uses it, still refuses content that does not match its id,
/// on the thread it uses for large payloads too.
@Suite struct BinaryContentIDTests {
    /// The id `BinaryContentID` writes for a whole `snapshot.bin`.
    static func payloadContentID(_ file: [UInt8]) throws -> String? {
        try file.withUnsafeBytes { raw in BinaryContentID.of(raw, header: try BinarySnapshotHeader(validating: raw)) }
    }

    @Test(arguments: 0..<60)
    func generatedSnapshots(seed: UInt64) throws {
        var rng = SplitMix64(seed: 0xC0_17E7 &+ seed)
        let snapshot = RandomSnapshot.make(&rng, flagCount: Int.random(in: 0...30, using: &rng))
        #expect(try Self.payloadContentID(snapshot.binaryBytes()) == snapshot.contentID)
    }

    @Test func everyFieldOfTheModel() throws {
        let snapshot = SnapshotJSONTests.everything
        #expect(try Self.payloadContentID(snapshot.binaryBytes()) == snapshot.contentID)
    }

    /// Numbers where the JSON text depends on the operator or the magnitude, strings that need every escape, empty
    /// containers, environments with and without a list.
    @Test(arguments: [nil, [], ["prod", "staging"]] as [[String]?])
    func textThatDependsOnTheValue(environments: [String]?) throws {
        let big: Int64 = 9_007_199_254_740_993  // above 2^53: written as a double under `eq`, as an integer under `before`
        let conditions: [Condition] = [
            .attribute(name: "t", op: .eq, operand: .timestamp(big)),
            .attribute(name: "t", op: .before, operand: .timestamp(big)),
            .attribute(name: "t", op: .after, operand: .number(1_700_000_000)),
            .attribute(name: "n", op: .lt, operand: .number(-0.0)),
            .attribute(name: "n", op: .gt, operand: .number(1e300)),
            .attribute(name: "n", op: .gte, operand: .number(9_007_199_254_740_992)),
            .attribute(name: "n", op: .in, operand: .numbers([0.5, 3, -2])),
            .attribute(name: "n", op: .in, operand: .numbers([])),
            .attribute(name: "q\"\\\n\t\u{1}\u{1F}/é", op: .eq, operand: .string("\u{8}\u{C}\r\"")),
            .attribute(name: "b", op: .eq, operand: .boolean(false)),
            .environment([]),
            .segments([ResolvedSegment(name: "s", conditions: []), ResolvedSegment(name: "t", conditions: [.environment(["prod"])])]),
        ]
        let object: [String: JSONValue] = ["a": .array([]), "b": .object([:]), "c": .array([.null, .bool(true), .double(0.1), .integer(-7)]), "é\"": .string("\n")]
        let flags = [
            Flag(key: "a\"key\\with\u{7}escapes", type: .object, enabled: false,
                 variants: [Variant(name: "v", value: .object(object)), Variant(name: "w", value: .object([:]))], defaultVariant: "w",
                 rules: [Rule(name: "r", from: -5, until: 0, conditions: conditions, outcome: .split(Split(seed: "s\"", bucketBy: "tenant", buckets: [
                     Split.Bucket(variant: "v", weight: 0), Split.Bucket(variant: "w", weight: 10_000),
                 ])))],
                 metadata: FlagMetadata(description: "", owner: "o\u{0}", expires: Int64.min, values: [:])),
            Flag(key: "b", type: .number, variants: [Variant(name: "n", value: .number(3)), Variant(name: "m", value: .number(-1e-7))], defaultVariant: "n",
                 metadata: FlagMetadata(owner: "team", values: ["k": .object(["x": .integer(Int64.max)])])),
            Flag(key: "c", type: .integer, variants: [Variant(name: "i", value: .integer(Int64.min))], defaultVariant: "i",
                 metadata: FlagMetadata(expires: 0)),
        ]
        let file = try Snapshot(revision: "r", environment: environments?.first, environments: environments, flags: flags).binaryBytes()
        // Compared with the decoded snapshot: decoding makes operands canonical (the timestamp under `eq` becomes a number).
        let decoded = try Snapshot(binaryBytes: file)
        #expect(try Self.payloadContentID(file) == decoded.contentID)
        var canonical = decoded
        canonical.id = decoded.contentID
        #expect(try SnapshotLoader.load(bytes: canonical.binaryBytes()) == canonical)
    }

    /// A timestamp operand under an operator other than `before` and `after` (which flagc's encoder never writes, but
    /// another writer may) decodes to a number, and is written as the number.
    @Test(arguments: [5, 9_007_199_254_740_993] as [Int64])
    func timestampOperandsUnderOtherOperators(seconds: Int64) throws {
        let rule = Rule(conditions: [.attribute(name: "t", op: .eq, operand: .number(5.25))], outcome: .serve(variant: "on"))
        let flag = Flag(key: "x", type: .boolean, variants: [Variant(name: "on", value: .boolean(true))], defaultVariant: "on", rules: [rule])
        var file = try Snapshot(flags: [flag]).binaryBytes()
        // The operand as written: kind 2 (number), then the double; replaced by kind 4 (timestamp), then the seconds.
        let number = [BinarySnapshotFormat.OperandKind.number] + BinaryFile.le((5.25 as Double).bitPattern)
        let start = try #require((0...(file.count - number.count)).first { Array(file[$0..<($0 + number.count)]) == number })
        file.replaceSubrange(start..<(start + number.count), with: [BinarySnapshotFormat.OperandKind.timestamp] + BinaryFile.le(seconds))
        BinaryFile.reseal(&file)
        let decoded = try Snapshot(binaryBytes: file)
        #expect(decoded.flags[0].rules[0].conditions == [.attribute(name: "t", op: .eq, operand: .number(Double(seconds)))])
        #expect(try Self.payloadContentID(file) == decoded.contentID)
    }

    /// Metadata values that are an empty object (which flagc's encoder never writes) decode to no values, and no
    /// `values` member is written.
    @Test func emptyMetadataValues() throws {
        let flag = Flag(key: "x", type: .boolean, variants: [Variant(name: "on", value: .boolean(true))], defaultVariant: "on",
                        metadata: FlagMetadata(owner: "o", values: ["k": .null]))
        var file = BinaryFile(try Snapshot(flags: [flag]).binaryBytes())
        // META is the last section: its record ends with the object (tag 7, count 1, the key, tag 0 for null).
        let meta = try #require((0..<file.payload.count - 4).last { Array(file.payload[$0..<($0 + 4)]) == Array("META".utf8) })
        let record = Array(file.payload.suffix(10))
        try #require(record.prefix(5) == [BinarySnapshotFormat.ValueTag.object] + BinaryFile.le(UInt32(1))[...] && record.last == BinarySnapshotFormat.ValueTag.null)
        file.payload.removeLast(9)
        file.payload += BinaryFile.le(UInt32(0))
        let length = UInt32(file.payload.count - meta - 8)
        file.payload.replaceSubrange((meta + 4)..<(meta + 8), with: BinaryFile.le(length))
        let bytes = file.bytes()
        let decoded = try Snapshot(binaryBytes: bytes)
        #expect(decoded.flags[0].metadata == FlagMetadata(owner: "o"))
        #expect(try Self.payloadContentID(bytes) == decoded.contentID)
    }

    /// A payload above `SnapshotLoader.backgroundContentIDThreshold` has its id written on a second thread: a good one
    /// loads, content under another id is refused, and a payload the decoder refuses says why.
    @Test func largePayloadsOnTheBackgroundThread() throws {
        var rng = SplitMix64(seed: 0x1A_46E)
        // Through a JSON round trip, so operands are canonical and the id is that of what the binary decodes to.
        let snapshot = try SnapshotLoader.load(bytes: RandomSnapshot.make(&rng, flagCount: 1_500).jsonBytes())
        let file = try snapshot.binaryBytes()
        try #require(file.count >= SnapshotLoader.backgroundContentIDThreshold, "\(file.count) bytes")
        #expect(try SnapshotLoader.load(bytes: file) == snapshot)
        #expect(try Self.payloadContentID(file) == snapshot.contentID)

        var edited = snapshot
        edited.flags[1_000].enabled.toggle()  // the id stays that of the original content
        #expect(loadError(try edited.binaryBytes())?.contains("does not match the content") == true)

        var broken = file
        broken.replaceSubrange((broken.count - 64)..<broken.count, with: [UInt8](repeating: 0xEE, count: 64))
        BinaryFile.reseal(&broken)
        let reason = try #require(loadError(broken))
        #expect(reason.contains("at byte"), "\(reason)")
    }

    /// Any payload, however wrong, gives an id or nil without crashing, and whenever the decoder accepts the payload,
    /// the id it writes from the decoded snapshot: every fifth truncation of the payload, and a change of every third
    /// byte, behind recomputed checksums.
    @Test func damagedPayloads() throws {
        let file = try SnapshotJSONTests.everything.binaryBytes()
        let headerLength = Int(file[12]) | Int(file[13]) << 8
        var damaged: [[UInt8]] = []
        for cut in stride(from: headerLength, to: file.count, by: 5) {
            var truncated = Array(file[..<cut])
            truncated.storeLE(UInt64(cut), at: 16)
            damaged.append(truncated)
        }
        for offset in stride(from: headerLength, to: file.count, by: 3) {
            var changed = file
            changed[offset] ^= 0x5A
            damaged.append(changed)
        }
        var decoded = 0
        for var bytes in damaged {
            BinaryFile.reseal(&bytes)
            let id = try Self.payloadContentID(bytes)
            if let snapshot = try? Snapshot(binaryBytes: bytes) {
                #expect(id == snapshot.contentID)
                decoded += 1
            }
        }
        #expect(decoded < damaged.count / 2, "most damage is refused by the decoder")
    }
}
