import FlagCompiler
import FlagRuntime
import Foundation
import Testing

/// Statistical and structural properties of splits and rollouts over 100 000 generated targeting keys, on flags
/// compiled from YAML (so the percentage → weight lowering is covered too). Each key is evaluated only as often
/// as a property needs, to keep the suite fast in debug builds.
@Suite struct PropertyTests {
    static let keyCount = 100_000

    /// Deterministic keys: SplitMix64 from a fixed seed, in base 36 after a prefix, like user ids.
    static let keys: [String] = {
        var state: UInt64 = 0x5EED_F1A6
        return (0..<keyCount).map { index in
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            return (index % 2 == 0 ? "user-" : "u_") + String(z, radix: 36)
        }
    }()

    /// Rollouts sharing one seed, in increasing order, for the monotonicity property.
    static let rising: [(key: String, percentage: Double)] = [("prop.rollout_10", 10), ("prop.rollout_12_5", 12.5), ("prop.rollout_50", 50)]

    static let flagsYAML = """
        flags:
          prop.four_way:
            variants: { a: 1, b: 2, c: 3, d: 4 }
            default: a
            rules:
              - split: { a: 10, b: 20, c: 30, d: 40 }
                seed: property_split
          prop.rollout_0:
            default: false
            rules:
              - rollout: 0
                seed: property_rollout
          prop.rollout_10:
            default: false
            rules:
              - rollout: 10
                seed: property_rollout
          prop.rollout_12_5:
            default: false
            rules:
              - rollout: 12.5
                seed: property_rollout
          prop.rollout_50:
            default: false
            rules:
              - rollout: 50
                seed: property_rollout
          prop.rollout_100:
            default: false
            rules:
              - rollout: 100
                seed: property_rollout

        """

    /// The compiled flags, a store serving them, a second store serving the same snapshot after a JSON round
    /// trip, and the 4-way split's value for every key from a first pass over the first store.
    struct Fixture: Sendable {
        var store: FlagStore
        var otherStore: FlagStore
        var firstPass: [Int64]
    }

    static let fixture: Result<Fixture, any Error> = Result {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("flagc-properties-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent(".git"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data("require: []\n".utf8).write(to: folder.appendingPathComponent("flagc.yaml"))
        try Data(flagsYAML.utf8).write(to: folder.appendingPathComponent("flags.yaml"))
        let result = try FlagCompiler(options: .init(paths: [folder.path], now: Conformance.compileNow)).compile()
        guard let snapshot = result.snapshot, !result.hasErrors else {
            throw FormatError("the property flags do not compile:\n" + result.diagnostics.map(\.description).joined(separator: "\n"))
        }
        let store = try FlagStore(snapshot: snapshot)
        let otherStore = try FlagStore(snapshot: try SnapshotLoader.load(bytes: snapshot.jsonBytes()))
        let firstPass = keys.map { store.integer("prop.four_way", default: 0, context: EvaluationContext(targetingKey: $0)) }
        return Fixture(store: store, otherStore: otherStore, firstPass: firstPass)
    }

    @Test func fourWaySplitLandsWithinOnePointOfItsWeights() throws {
        let fixture = try PropertyTests.fixture.get()
        var counts = [Int](repeating: 0, count: 5)
        for value in fixture.firstPass { counts[Int(value)] += 1 }
        #expect(counts[0] == 0, "keys that got the caller's default")
        var shares: [String] = []
        for (value, (variant, weight)) in zip(1..., [("a", 10.0), ("b", 20.0), ("c", 30.0), ("d", 40.0)]) {
            let share = Double(counts[value]) * 100 / Double(PropertyTests.keyCount)
            shares.append("\(variant) \(String(format: "%.3f", share)) %")
            #expect(abs(share - weight) <= 1, "variant \(variant): \(share) % for a weight of \(weight) %")
        }
        print("4-way split 10/20/30/40 over \(PropertyTests.keyCount) keys: \(shares.joined(separator: ", "))")
    }

    @Test func sameKeyAlwaysLandsInTheSameVariant() throws {
        let fixture = try PropertyTests.fixture.get()
        var sameStore = 0
        var otherStore = 0
        for (key, first) in zip(PropertyTests.keys, fixture.firstPass) {
            let context = EvaluationContext(targetingKey: key)
            if fixture.store.integer("prop.four_way", default: 0, context: context) != first { sameStore += 1 }
            if fixture.otherStore.integer("prop.four_way", default: 0, context: context) != first { otherStore += 1 }
        }
        #expect(sameStore == 0, "keys that changed variant on a second evaluation")
        #expect(otherStore == 0, "keys that got another variant from a second store")
    }

    @Test func raisingARolloutNeverTurnsAKeyOff() throws {
        let store = try PropertyTests.fixture.get().store
        let rising = PropertyTests.rising
        var onCounts = [Int](repeating: 0, count: rising.count)
        var violations: [String: Int] = [:]
        var on = [Bool](repeating: false, count: rising.count)
        for key in PropertyTests.keys {
            let context = EvaluationContext(targetingKey: key)
            for index in rising.indices {
                on[index] = store.boolean(rising[index].key, default: false, context: context)
                if on[index] { onCounts[index] += 1 }
            }
            // Every pair N < M: on at N implies on at M.
            for low in rising.indices where on[low] {
                for high in (low + 1)..<rising.count where !on[high] {
                    violations["\(rising[low].percentage) → \(rising[high].percentage)", default: 0] += 1
                }
            }
        }
        #expect(violations.isEmpty, "keys turned off by raising a rollout: \(violations)")
        var shares: [String] = []
        for (index, rollout) in rising.enumerated() {
            let share = Double(onCounts[index]) * 100 / Double(PropertyTests.keyCount)
            shares.append("rollout \(rollout.percentage): \(String(format: "%.3f", share)) % on")
            #expect(abs(share - rollout.percentage) <= 1, "rollout \(rollout.percentage): \(share) % on")
        }
        print("rollouts over \(PropertyTests.keyCount) keys: \(shares.joined(separator: ", "))")
    }

    @Test func rolloutZeroGivesNobodyTrueAndHundredEverybody() throws {
        let store = try PropertyTests.fixture.get().store
        var zeroOn = 0
        var hundredOff = 0
        for key in PropertyTests.keys {
            let context = EvaluationContext(targetingKey: key)
            if store.boolean("prop.rollout_0", default: true, context: context) { zeroOn += 1 }
            if !store.boolean("prop.rollout_100", default: false, context: context) { hundredOff += 1 }
        }
        #expect(zeroOn == 0, "keys on at rollout 0 (the caller's default is true, so a miss would count too)")
        #expect(hundredOff == 0, "keys off at rollout 100")
    }
}
