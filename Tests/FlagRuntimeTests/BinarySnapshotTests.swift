@testable import FlagRuntime
import FlagRuntimeTesting
import Testing

/// The binary form (`snapshot.bin`): it decodes to exactly the snapshot the JSON form decodes to, evaluates the
/// same, is byte-identical for equal input, and follows the compatibility rules of `docs/snapshot-format.md`.
@Suite struct BinarySnapshotTests {
    /// A small snapshot with one flag of each kind of rule, for the exhaustive corruption tests.
    static let small: Snapshot = {
        let flags = [
            Flag(key: "a.flag", type: .boolean, variants: [Variant(name: "true", value: .boolean(true)), Variant(name: "false", value: .boolean(false))],
                 defaultVariant: "false",
                 rules: [
                    Rule(name: "pilot", until: 1_900_000_000, conditions: [.attribute(name: "tenant", op: .in, operand: .strings(["acme"]))], outcome: .serve(variant: "true")),
                    Rule(conditions: [.segments([ResolvedSegment(name: "staff", conditions: [.environment(["prod"])])])],
                         outcome: .split(Split(seed: "a.flag", buckets: [.init(variant: "true", weight: 2500), .init(variant: "false", weight: 7500)]))),
                 ],
                 metadata: FlagMetadata(owner: "team-a", values: ["ticket": .string("A-1")])),
            Flag(key: "b.limit", type: .integer, variants: [Variant(name: "low", value: .integer(5))], defaultVariant: "low"),
        ]
        return Snapshot(revision: "r1", flags: flags)
    }()

    // MARK: Round trips

    @Test func everythingRoundTripsAndEqualsTheJSONPath() throws {
        let snapshot = SnapshotJSONTests.everything
        let binary = try snapshot.binaryBytes()
        let fromBinary = try Snapshot(binaryBytes: binary)
        let fromJSON = try Snapshot(jsonBytes: snapshot.jsonBytes())
        #expect(fromBinary == fromJSON)
        #expect(fromBinary == snapshot)
        #expect(fromBinary.jsonBytes() == snapshot.jsonBytes(), "the binary form keeps every byte the JSON form writes")
        #expect(try SnapshotLoader.load(bytes: binary) == SnapshotLoader.load(bytes: snapshot.jsonBytes()))
    }

    @Test func outputIsByteIdenticalAndAFixedPoint() throws {
        let snapshot = SnapshotJSONTests.everything
        let first = try snapshot.binaryBytes()
        #expect(try snapshot.binaryBytes() == first)
        #expect(try Snapshot(binaryBytes: first).binaryBytes() == first)
        // Dictionary order is per process and per instance; a rebuilt snapshot must still give the same bytes.
        var rebuilt = snapshot
        rebuilt.flags = snapshot.flags.map { flag in
            var copy = flag
            copy.metadata.values = Dictionary(uniqueKeysWithValues: flag.metadata.values.reversed())
            return copy
        }
        #expect(try rebuilt.binaryBytes() == first)
    }

    @Test func theBinaryFormIsMuchSmallerThanJSON() throws {
        let snapshot = SnapshotJSONTests.everything
        #expect(try snapshot.binaryBytes().count < snapshot.jsonBytes().count)
    }

    @Test func loaderTellsTheFormsApartByContent() throws {
        let binary = try SnapshotLoader.read(bytes: BinarySnapshotTests.small.binaryBytes())
        #expect(binary.encoding == .binary(majorVersion: 1, minorVersion: 0))
        #expect(binary.signature == nil)
        let json = try SnapshotLoader.read(bytes: BinarySnapshotTests.small.jsonBytes())
        #expect(json.encoding == .json(formatVersion: 1))
        #expect(binary.snapshot == json.snapshot)
    }

    /// Generated snapshots with every condition kind, operator, operand kind, outcome and value type.
    @Test(arguments: 0..<40)
    func generatedSnapshotsDecodeLikeJSON(seed: UInt64) throws {
        var rng = SplitMix64(seed: 0xB1_4A27 &+ seed)
        let snapshot = RandomSnapshot.make(&rng, flagCount: Int.random(in: 0...25, using: &rng))
        let binary = try snapshot.binaryBytes()
        let json = snapshot.jsonBytes()
        let fromBinary = try SnapshotLoader.load(bytes: binary)
        let fromJSON = try SnapshotLoader.load(bytes: json)
        #expect(fromBinary == fromJSON)
        #expect(fromBinary.jsonBytes() == json)
        #expect(try fromBinary.binaryBytes() == binary)
        #expect(try snapshot.binaryBytes() == binary)

        // Evaluation from either form gives the same details for every flag and context.
        let binaryStore = try FlagStore(snapshot: fromBinary, environment: "prod", clock: FixedClock(1_750_000_000))
        let jsonStore = try FlagStore(snapshot: fromJSON, environment: "prod", clock: FixedClock(1_750_000_000))
        for _ in 0..<20 {
            let context = RandomSnapshot.context(&rng)
            for flag in fromJSON.flags {
                #expect(binaryStore.details(flag.key, context: context) == jsonStore.details(flag.key, context: context))
            }
        }
    }

    /// Operands are written in the form a JSON round trip gives back, so both forms decode alike.
    @Test func operandsAreCanonicalised() throws {
        let conditions: [Condition] = [
            .attribute(name: "n", op: .in, operand: .numbers([])),
            .attribute(name: "t", op: .eq, operand: .timestamp(5)),
            .attribute(name: "b", op: .before, operand: .number(1_700_000_000)),
            .attribute(name: "a", op: .after, operand: .number(0.5)),
        ]
        let flags = [Flag(key: "x", type: .boolean, variants: [Variant(name: "on", value: .boolean(true))], defaultVariant: "on",
                          rules: [Rule(conditions: conditions, outcome: .serve(variant: "on"))])]
        let snapshot = Snapshot(id: "x", flags: flags)
        let decoded = try Snapshot(binaryBytes: snapshot.binaryBytes())
        #expect(decoded == (try Snapshot(jsonBytes: snapshot.jsonBytes())))
        #expect(decoded.flags[0].rules[0].conditions == [
            .attribute(name: "n", op: .in, operand: .strings([])),
            .attribute(name: "t", op: .eq, operand: .number(5)),
            .attribute(name: "b", op: .before, operand: .timestamp(1_700_000_000)),
            .attribute(name: "a", op: .after, operand: .number(0.5)),
        ])
    }

    @Test func integerValuesOfNumberFlagsReadBackAsNumbersLikeJSON() throws {
        let flags = [Flag(key: "x", type: .number, variants: [Variant(name: "v", value: .integer(3))], defaultVariant: "v")]
        let snapshot = Snapshot(id: "x", flags: flags)
        #expect(try Snapshot(binaryBytes: snapshot.binaryBytes()) == Snapshot(jsonBytes: snapshot.jsonBytes()))
    }

    @Test func stringsKeepTheirBytes() throws {
        // "é" precomposed and decomposed are equal Swift strings but different bytes; both must survive.
        let flags = [Flag(key: "x", type: .string, variants: [Variant(name: "a", value: .string("\u{E9}")), Variant(name: "b", value: .string("e\u{301}"))], defaultVariant: "a")]
        let snapshot = Snapshot(id: "x", flags: flags)
        let decoded = try Snapshot(binaryBytes: snapshot.binaryBytes())
        guard case .string(let a) = decoded.flags[0].variants[0].value, case .string(let b) = decoded.flags[0].variants[1].value else {
            Issue.record("expected strings")
            return
        }
        #expect(Array(a.utf8) == [0xC3, 0xA9])
        #expect(Array(b.utf8) == [0x65, 0xCC, 0x81])
    }

    /// Keys that differ in bytes but are equal Swift strings are refused, as the JSON form refuses duplicate keys.
    @Test func canonicallyEquivalentFlagKeysAreRefusedLikeJSON() throws {
        let variants = [Variant(name: "on", value: .boolean(true))]
        var snapshot = Snapshot(id: "x", flags: [])
        snapshot.flags = [Flag(key: "e\u{301}", type: .boolean, variants: variants, defaultVariant: "on"),
                          Flag(key: "\u{E9}", type: .boolean, variants: variants, defaultVariant: "on")]
        #expect(throws: SnapshotDecodingError.self) { try Snapshot(jsonBytes: snapshot.jsonBytes()) }
        let reason = loadError(try snapshot.binaryBytes())
        #expect(reason?.contains("two flag keys are the same string") == true, "\(reason ?? "loaded")")
    }

    @Test func snapshotsBeyondTheFormatsLimitsAreNotWritten() {
        var value: JSONValue = .integer(1)
        for _ in 0..<BinarySnapshotFormat.maximumValueDepth { value = .array([value]) }
        let deep = Snapshot(id: "x", flags: [Flag(key: "x", type: .object, variants: [Variant(name: "v", value: .object(["deep": value]))], defaultVariant: "v")])
        #expect(throws: SnapshotEncodingError.self) { try deep.binaryBytes() }

        var conditions: [Condition] = [.environment(["prod"])]
        for level in 0..<BinarySnapshotFormat.maximumSegmentDepth { conditions = [.segments([ResolvedSegment(name: "s\(level)", conditions: conditions)])] }
        let nested = Snapshot(id: "x", flags: [Flag(key: "x", type: .boolean, variants: [Variant(name: "on", value: .boolean(true))], defaultVariant: "on",
                                                     rules: [Rule(conditions: conditions, outcome: .serve(variant: "on"))])])
        #expect(throws: SnapshotEncodingError.self) { try nested.binaryBytes() }

        let mismatched = Snapshot(id: "x", flags: [Flag(key: "x", type: .integer, variants: [Variant(name: "v", value: .string("1"))], defaultVariant: "v")])
        #expect(throws: SnapshotEncodingError.self) { try mismatched.binaryBytes() }
    }

    // MARK: Compatibility

    @Test func aNewerMinorVersionWithUnknownSectionsAndALongerHeaderLoads() throws {
        let original = try BinarySnapshotTests.small.binaryBytes()
        var file = BinaryFile(original)
        file.minorVersion = 7
        file.flags |= 1 << 9  // an optional section this reader does not know
        file.headerExtension = [1, 2, 3, 4, 5, 6, 7, 8]
        file.payload += BinaryFile.section("XTRA", [9, 9, 9])
        file.payload = BinaryFile.section("ZZZZ", []) + file.payload
        let loaded = try SnapshotLoader.read(bytes: file.bytes())
        #expect(loaded.snapshot == BinarySnapshotTests.small)
        #expect(loaded.encoding == .binary(majorVersion: 1, minorVersion: 7))
    }

    @Test func anUnknownMajorVersionIsRefused() throws {
        var file = BinaryFile(try BinarySnapshotTests.small.binaryBytes())
        file.majorVersion = 2
        file.minorVersion = 3
        #expect(loadError(file.bytes()) == "unsupported format version 2.3: this reader supports major version 1 (any minor version); update FlagRuntime to read it")
    }
}

// MARK: - Helpers shared by the binary and signature tests

/// The reason `SnapshotLoader.load(bytes:)` gives for `bytes`, or nil when they load.
func loadError(_ bytes: [UInt8], verifier: (any SnapshotSignatureVerifier)? = nil) -> String? {
    do {
        _ = try SnapshotLoader.load(bytes: bytes, verifier: verifier)
        return nil
    } catch {
        return error.reason
    }
}

/// A binary snapshot taken apart, edited and put back together with valid lengths, SHA-256 and CRC-32, so tests
/// reach the checks behind the checksums.
struct BinaryFile {
    var majorVersion: UInt16
    var minorVersion: UInt16
    var flags: UInt32
    var signatureFields: [UInt8]
    var headerExtension: [UInt8] = []
    var payload: [UInt8]

    init(_ bytes: [UInt8]) {
        majorVersion = UInt16(bytes[8]) | UInt16(bytes[9]) << 8
        minorVersion = UInt16(bytes[10]) | UInt16(bytes[11]) << 8
        flags = UInt32(bytes[24]) | UInt32(bytes[25]) << 8 | UInt32(bytes[26]) << 16 | UInt32(bytes[27]) << 24
        signatureFields = Array(bytes[64..<160])
        let headerLength = Int(bytes[12]) | Int(bytes[13]) << 8
        payload = Array(bytes[headerLength...])
    }

    /// A payload section: tag, length, body.
    static func section(_ tag: String, _ body: [UInt8]) -> [UInt8] {
        Array(tag.utf8) + le(UInt32(body.count)) + body
    }

    static func le<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        (0..<MemoryLayout<T>.size).map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) }
    }

    func bytes() -> [UInt8] {
        let headerLength = 160 + headerExtension.count
        var file = BinarySnapshotFormat.magic
        file += BinaryFile.le(majorVersion) + BinaryFile.le(minorVersion)
        file += BinaryFile.le(UInt32(headerLength)) + BinaryFile.le(UInt64(headerLength + payload.count))
        file += BinaryFile.le(flags) + [0, 0, 0, 0]
        file += SHA256.hash(payload) + signatureFields + headerExtension + payload
        BinaryFile.resealHeader(&file)
        return file
    }

    /// Recomputes the header CRC-32 of a whole file.
    static func resealHeader(_ file: inout [UInt8]) {
        let headerLength = Int(file[12]) | Int(file[13]) << 8
        let crc = file.withUnsafeBytes { BinarySnapshotHeader.headerCRC($0, headerLength: headerLength) }
        file.storeLE(crc, at: 28)
    }

    /// Recomputes the payload SHA-256 and the header CRC-32 of a whole file, after an edit.
    static func reseal(_ file: inout [UInt8]) {
        let headerLength = Int(file[12]) | Int(file[13]) << 8
        file.replaceSubrange(32..<64, with: SHA256.hash(Array(file[headerLength...])))
        resealHeader(&file)
    }
}

/// Seeded random snapshots covering the whole model.
enum RandomSnapshot {
    static let attributeNames = ["targetingKey", "tenant", "groups", "plan", "seats", "ratio", "email", "app_version", "signed_up", "beta", "région"]
    static let words = ["acme", "globex", "beta", "staff", "pro", "free", "2.4.0", "1.0.0-rc.1", "@example.com", "é", "e\u{301}", "日本", "", "a\"b\\c\n", "😀"]

    static func word(_ rng: inout SplitMix64) -> String { words.randomElement(using: &rng)! }

    static func make(_ rng: inout SplitMix64, flagCount: Int) -> Snapshot {
        var keys = Set<String>()
        while keys.count < flagCount {
            keys.insert("mod\(Int.random(in: 0..<5, using: &rng)).\(["flag", "feature", "ß", "ключ"].randomElement(using: &rng)!)_\(Int.random(in: 0..<1000, using: &rng))")
        }
        let flags = keys.map { flag(key: $0, &rng) }.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
        let environment: String? = Bool.random(using: &rng) ? "prod" : nil
        return Snapshot(revision: Bool.random(using: &rng) ? "rev-\(rng.next() % 1000)" : nil,
                        environment: environment, flags: flags)
    }

    static func flag(key: String, _ rng: inout SplitMix64) -> Flag {
        let type = FlagValueType.allCases.randomElement(using: &rng)!
        let variantCount = Int.random(in: 1...4, using: &rng)
        let variants = (0..<variantCount).map { index in Variant(name: index == 0 ? "v0" : word(&rng) + "\(index)", value: value(type, &rng)) }
        let names = variants.map(\.name)
        let rules = (0..<Int.random(in: 0...4, using: &rng)).map { _ in rule(names, key: key, &rng) }
        var metadata = FlagMetadata()
        if Bool.random(using: &rng) { metadata.description = "Flag \(key) \(word(&rng))" }
        if Bool.random(using: &rng) { metadata.owner = "team-\(word(&rng))" }
        if Bool.random(using: &rng) { metadata.expires = Int64.random(in: 0...4_000_000_000, using: &rng) }
        if Bool.random(using: &rng) { metadata.values = ["ticket": .string(word(&rng)), "n": .integer(Int64.random(in: -5...5, using: &rng)), "ok": .bool(true)] }
        return Flag(key: key, type: type, enabled: Int.random(in: 0..<5, using: &rng) > 0, variants: variants,
                    defaultVariant: names.randomElement(using: &rng)!, rules: rules, metadata: metadata)
    }

    static func value(_ type: FlagValueType, _ rng: inout SplitMix64) -> FlagValue {
        switch type {
        case .boolean: .boolean(Bool.random(using: &rng))
        case .string: .string(word(&rng))
        case .integer: .integer([Int64.min, Int64.max, 0, Int64.random(in: -1000...1000, using: &rng)].randomElement(using: &rng)!)
        case .number: .number(number(&rng))
        case .object: .object(["columns": .integer(3), "label": .string(word(&rng)), "nested": json(&rng, depth: 1)])
        }
    }

    static func number(_ rng: inout SplitMix64) -> Double {
        [0.0, -0.0, 0.1, 3, 1e-7, 2.5, -1e300, 1_700_000_000, Double.random(in: -100...100, using: &rng)].randomElement(using: &rng)!
    }

    static func json(_ rng: inout SplitMix64, depth: Int) -> JSONValue {
        switch Int.random(in: 0..<(depth > 3 ? 6 : 8), using: &rng) {
        case 0: .null
        case 1: .bool(Bool.random(using: &rng))
        case 2: .integer(Int64(bitPattern: rng.next()))
        case 3: .double(number(&rng))
        case 4, 5: .string(word(&rng))
        case 6: .array((0..<Int.random(in: 0...3, using: &rng)).map { _ in json(&rng, depth: depth + 1) })
        default:
            .object(Dictionary((0..<Int.random(in: 0...3, using: &rng)).map { _ in ("k" + word(&rng), json(&rng, depth: depth + 1)) }, uniquingKeysWith: { a, _ in a }))
        }
    }

    static func rule(_ variants: [String], key: String, _ rng: inout SplitMix64) -> Rule {
        let outcome: Outcome
        if Bool.random(using: &rng) {
            outcome = .serve(variant: variants.randomElement(using: &rng)!)
        } else {
            let first = Int.random(in: 0...10_000, using: &rng)
            let buckets = variants.count == 1
                ? [Split.Bucket(variant: variants[0], weight: 10_000)]
                : [Split.Bucket(variant: variants[0], weight: first), Split.Bucket(variant: variants[1], weight: 10_000 - first)]
            outcome = .split(Split(seed: Bool.random(using: &rng) ? key : word(&rng), bucketBy: attributeNames.randomElement(using: &rng)!, buckets: buckets))
        }
        let from: Int64? = Bool.random(using: &rng) ? 1_700_000_000 : nil
        let until: Int64? = Bool.random(using: &rng) ? 1_800_000_000 : nil
        return Rule(name: Bool.random(using: &rng) ? "rule \(word(&rng))" : nil, from: from, until: until,
                    conditions: conditions(&rng, depth: 1), outcome: outcome)
    }

    static func conditions(_ rng: inout SplitMix64, depth: Int) -> [Condition] {
        (0..<Int.random(in: 0...3, using: &rng)).map { _ in condition(&rng, depth: depth) }
    }

    static func condition(_ rng: inout SplitMix64, depth: Int) -> Condition {
        switch Int.random(in: 0..<(depth > 3 ? 8 : 10), using: &rng) {
        case 8:
            return .environment((0..<Int.random(in: 0...2, using: &rng)).map { _ in ["prod", "staging", "dev"].randomElement(using: &rng)! })
        case 9:
            return .segments((0..<Int.random(in: 1...2, using: &rng)).map { index in
                ResolvedSegment(name: "segment\(index)", conditions: conditions(&rng, depth: depth + 1))
            })
        default:
            let op = Condition.Operator.allCases.randomElement(using: &rng)!
            let operand: Condition.Operand
            switch Int.random(in: 0..<6, using: &rng) {
            case 0: operand = .string(word(&rng))
            case 1: operand = .number(number(&rng))
            case 2: operand = .boolean(Bool.random(using: &rng))
            case 3: operand = .timestamp(Int64.random(in: 0...2_000_000_000, using: &rng))
            case 4: operand = .strings((0..<Int.random(in: 0...3, using: &rng)).map { _ in word(&rng) })
            default: operand = .numbers((0..<Int.random(in: 0...3, using: &rng)).map { _ in number(&rng) })
            }
            return .attribute(name: attributeNames.randomElement(using: &rng)!, op: op, operand: operand)
        }
    }

    static func context(_ rng: inout SplitMix64) -> EvaluationContext {
        var attributes: [String: ContextValue] = [:]
        for name in attributeNames where Bool.random(using: &rng) {
            switch Int.random(in: 0..<5, using: &rng) {
            case 0: attributes[name] = .string(word(&rng))
            case 1: attributes[name] = .number(number(&rng))
            case 2: attributes[name] = .boolean(Bool.random(using: &rng))
            case 3: attributes[name] = .timestamp(Int64.random(in: 1_600_000_000...1_900_000_000, using: &rng))
            default: attributes[name] = .strings([word(&rng), word(&rng)])
            }
        }
        return EvaluationContext(targetingKey: Bool.random(using: &rng) ? "user-\(rng.next() % 100)" : nil, attributes: attributes,
                                 environment: Bool.random(using: &rng) ? nil : ["prod", "staging"].randomElement(using: &rng))
    }
}
