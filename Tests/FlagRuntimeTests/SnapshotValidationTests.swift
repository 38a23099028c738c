@testable import FlagRuntime
import Testing

/// One validity check for every reader and writer: a snapshot that serves or splits to a variant it does not
/// define, or whose weights do not sum to 10,000, is refused with a reason (it used to serve the first variant).
@Suite struct SnapshotValidationTests {
    /// `small` with one edit, and its id recomputed so that only validity can refuse it.
    static func edited(_ edit: (inout [Flag]) -> Void) -> Snapshot {
        var flags = BinarySnapshotTests.small.flags
        edit(&flags)
        return Snapshot(flags: flags)
    }

    static let invalid: [(String, Snapshot)] = [
        ("'gren' names no variant of the flag", edited { $0[0].rules[0].outcome = .serve(variant: "gren") }),
        ("bucket 'maybe' names no variant of the flag", edited {
            $0[0].rules[1].outcome = .split(Split(seed: "s", buckets: [.init(variant: "true", weight: 5000), .init(variant: "maybe", weight: 5000)]))
        }),
        ("weights sum to 9999, not 10000", edited {
            $0[0].rules[1].outcome = .split(Split(seed: "s", buckets: [.init(variant: "true", weight: 4999), .init(variant: "false", weight: 5000)]))
        }),
        ("variant 'true' has two buckets", edited {
            $0[0].rules[1].outcome = .split(Split(seed: "s", buckets: [.init(variant: "true", weight: 5000), .init(variant: "true", weight: 5000)]))
        }),
        ("variant 'low' is listed twice", edited { $0[1].variants.append(Variant(name: "low", value: .integer(6))) }),
        ("'high' names no variant of the flag", edited { $0[1].defaultVariant = "high" }),
    ]

    @Test(arguments: 0..<invalid.count)
    func invalidSnapshotsAreRefusedInBothForms(_ index: Int) throws {
        let (reason, snapshot) = Self.invalid[index]
        do {
            _ = try SnapshotLoader.load(bytes: snapshot.jsonBytes())
            Issue.record("the JSON form loaded: \(reason)")
        } catch {
            #expect(error.reason.contains(reason), "\(error)")
        }
        #expect(throws: SnapshotEncodingError.self) { try snapshot.binaryBytes() }
    }

    /// A value of another type is refused while decoding JSON (values are read by the flag's type) and by validation.
    @Test func valuesOfAnotherTypeAreRefused() {
        let mismatched = Self.edited { $0[1].variants = [Variant(name: "low", value: .string("5"))] }
        #expect(throws: SnapshotLoadError.self) { try SnapshotLoader.load(bytes: mismatched.jsonBytes()) }
        #expect(throws: SnapshotDecodingError.self) { try SnapshotValidation.check(mismatched) }
        #expect(throws: SnapshotEncodingError.self) { try mismatched.binaryBytes() }
    }

    @Test func validSnapshotsPass() throws {
        try SnapshotValidation.check(BinarySnapshotTests.small)
        #expect(try SnapshotLoader.load(bytes: BinarySnapshotTests.small.jsonBytes()) == BinarySnapshotTests.small)
        // Snapshot's initialiser sorts; a snapshot edited afterwards may not be sorted, or hold one key twice.
        var reversed = BinarySnapshotTests.small
        reversed.flags.reverse()
        #expect(throws: SnapshotEncodingError.self) { try reversed.binaryBytes() }
        var doubled = BinarySnapshotTests.small
        doubled.flags.append(doubled.flags[1])
        #expect(throws: SnapshotDecodingError.self) { try SnapshotValidation.check(doubled) }
    }
}
