@testable import FlagRuntime
import Foundation
import Testing

/// The structures behind fast evaluation: the per-thread snapshot cache, the byte-keyed tables, attribute slots.
@Suite struct EvaluationStructureTests {
    static let bool = [Variant(name: "true", value: .boolean(true)), Variant(name: "false", value: .boolean(false))]

    static func snapshot(serving value: Bool, extraKey: String = "other") -> Snapshot {
        let flags = [
            Flag(key: "f", type: .boolean, variants: bool, defaultVariant: value ? "true" : "false"),
            Flag(key: extraKey, type: .boolean, variants: bool, defaultVariant: "false"),
        ].sorted { $0.key < $1.key }
        return Snapshot(flags: flags)
    }

    @Test func moreStoresThanCacheEntriesOnOneThreadEachServeTheirOwnSnapshot() throws {
        let stores = try (0..<(ThreadSnapshotCache.capacity * 3)).map { try FlagStore(snapshot: Self.snapshot(serving: $0 % 2 == 0)) }
        for round in 0..<5 {
            for (index, store) in stores.enumerated() {
                #expect(store.boolean("f", default: index % 2 != 0) == (index % 2 == 0), "round \(round), store \(index)")
            }
        }
    }

    @Test func aReplacementIsSeenByTheNextEvaluationOnTheSameThread() throws {
        let store = try FlagStore(snapshot: Self.snapshot(serving: false))
        for round in 0..<100 {
            let value = round % 2 == 0
            try store.replace(with: Self.snapshot(serving: value, extraKey: "other\(round)"))
            #expect(store.boolean("f", default: !value) == value)
            #expect(store.snapshot.flags.contains { $0.key == "other\(round)" })
        }
    }

    @Test func aStoreAllocatedWhereAFreedOneWasDoesNotServeTheOldSnapshot() throws {
        // Object identifiers are reused after deallocation; the cache keys entries by process-unique generation.
        for round in 0..<200 {
            let value = round % 2 == 0
            let store = try FlagStore(snapshot: Self.snapshot(serving: value))
            #expect(store.boolean("f", default: !value) == value)
        }
    }

    /// A clock that evaluates another store while the outer evaluation runs (nesting on one thread).
    struct EvaluatingClock: FlagClock {
        let inner: [FlagStore]
        func now() -> Int64 {
            for store in inner { _ = store.boolean("f", default: false) }
            return 1_500
        }
    }

    @Test func evaluationsNestedInAClockLeaveTheOuterSnapshotAlone() throws {
        let inner = try (0..<(ThreadSnapshotCache.capacity * 2)).map { try FlagStore(snapshot: Self.snapshot(serving: $0 % 2 == 0)) }
        let flags = [Flag(key: "windowed", type: .boolean, variants: Self.bool, defaultVariant: "false",
                          rules: [Rule(from: 1_000, until: 2_000, outcome: .serve(variant: "true"))])]
        let outer = try FlagStore(snapshot: Snapshot(flags: flags),
                              clock: EvaluatingClock(inner: inner))
        for _ in 0..<50 {
            #expect(outer.boolean("windowed", default: false))
            for (index, store) in inner.enumerated() { #expect(store.boolean("f", default: index % 2 != 0) == (index % 2 == 0)) }
        }
    }

    @Test func threadsThatExitReleaseTheirCachedSnapshots() async throws {
        weak var released: CompiledSnapshot?
        let store = try FlagStore(snapshot: Self.snapshot(serving: true))
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let thread = Thread {
                _ = store.boolean("f", default: false)
                continuation.resume()
            }
            thread.start()
        }
        released = store.compiled
        try store.replace(with: Self.snapshot(serving: false))
        // The exited thread's cache entry is gone; the test thread may still hold it, so evaluate here too.
        _ = store.boolean("f", default: true)
        for _ in 0..<100 where released != nil { try? await Task.sleep(for: .milliseconds(10)) }
        #expect(released == nil)
    }

    @Test func byteStringTableFindsByBytesAndKeepsFirstIndexOfDuplicates() throws {
        let keys = ["", "a", "é", "e\u{301}", "ab", "abcdefgh", "abcdefghi", "user-1", "user-1", String(repeating: "x", count: 100)]
        let table = ByteStringTable(keys)
        #expect(table.count == keys.count - 1)
        #expect(table.index(of: "") == 0)
        #expect(table.index(of: "é") == 2)
        #expect(table.index(of: "e\u{301}") == 3)
        #expect(table.index(of: "user-1") == 7)
        #expect(table.index(of: String(repeating: "x", count: 100)) == 8)
        #expect(table.index(of: "abcdefg") == nil)
        #expect(table.index(of: "abcdefgh ") == nil)
        let large = ByteStringTable((0..<5_000).map { "user-\($0)" })
        let misplaced = (0..<5_000).filter { (index: Int) in large.index(of: "user-\(index)") != index }
        #expect(misplaced.isEmpty, "first misplaced: \(misplaced.prefix(5))")
        #expect(large.index(of: "user-5000") == nil)
    }

    @Test func byteComparisonsDoNotNormalise() throws {
        #expect(ByteString.equal("é", "é"))
        #expect(!ByteString.equal("é", "e\u{301}"))
        #expect(ByteString.hasPrefix("abcdef", "abc") && !ByteString.hasPrefix("ab", "abc") && ByteString.hasPrefix("x", ""))
        #expect(ByteString.hasSuffix("dev@example.com", "@example.com") && !ByteString.hasSuffix("m", "om"))
        #expect(ByteString.contains("a-needle-in", "needle") && !ByteString.contains("needl", "needle") && ByteString.contains("", ""))
        // Hashes of the same bytes agree whatever the length class; different lengths differ.
        for length in 0..<40 {
            let text = String(repeating: "k", count: length)
            let again = String(text.utf8.map { Character(UnicodeScalar($0)) })
            #expect(withUTF8Bytes(text, ByteString.hash) == withUTF8Bytes(again, ByteString.hash))
            #expect(withUTF8Bytes(text, ByteString.hash) != withUTF8Bytes(text + "k", ByteString.hash))
        }
    }

    @Test func byteOrderIsTheOrderOfTheUTF8Views() {
        let shared = String(repeating: "team.checkout.", count: 3)
        var strings = ["", "a", "ab", "abc", "b", "B", "\u{0}", "a\u{0}", "é", "e\u{301}", "e", "f", "z", "\u{7F}", "\u{80}", "日本",
                       "🙂", "a🙂", shared, shared + "a", shared + "b", shared + "ab", String(shared.dropLast()), "user-100000", "user-99999"]
        strings += strings.map { String($0.utf8.reversed().map { Character(UnicodeScalar($0)) }) }
        strings.append(String(Substring(shared + "x").dropFirst(3)))
        for lhs in strings {
            for rhs in strings {
                #expect(precedesByUTF8(lhs, rhs) == lhs.utf8.lexicographicallyPrecedes(rhs.utf8), "\(lhs.debugDescription) < \(rhs.debugDescription)")
            }
        }
    }

    @Test func manyAttributesAreReadByNameLookupAndFewByScanningAlike() throws {
        let flags = [Flag(key: "f", type: .boolean, variants: Self.bool, defaultVariant: "false", rules: [
            Rule(conditions: [.attribute(name: "plan", op: .in, operand: .strings(["pro"])),
                              .attribute(name: "seats", op: .gte, operand: .number(10))], outcome: .serve(variant: "true")),
        ])]
        let store = try FlagStore(snapshot: Snapshot(flags: flags))
        var attributes: [String: ContextValue] = ["plan": "pro", "seats": 25]
        #expect(store.boolean("f", default: false, context: EvaluationContext(attributes: attributes)))
        for index in 0..<50 { attributes["extra\(index)"] = "x" }
        #expect(store.boolean("f", default: false, context: EvaluationContext(attributes: attributes)))
        attributes["seats"] = 5
        #expect(!store.boolean("f", default: true, context: EvaluationContext(attributes: attributes)))
        // Names match by bytes in both ways of reading: a decomposed spelling is another attribute.
        let decomposed = [Flag(key: "g", type: .boolean, variants: Self.bool, defaultVariant: "false", rules: [
            Rule(conditions: [.attribute(name: "caf\u{E9}", op: .exists, operand: .boolean(true))], outcome: .serve(variant: "true")),
        ])]
        let other = try FlagStore(snapshot: Snapshot(flags: decomposed))
        #expect(!other.boolean("g", default: false, context: EvaluationContext(attributes: ["cafe\u{301}": "x"])))
        #expect(!other.boolean("g", default: false, context: EvaluationContext(attributes: attributes.merging(["cafe\u{301}": "x"]) { $1 })))
        #expect(other.boolean("g", default: false, context: EvaluationContext(attributes: attributes.merging(["caf\u{E9}": "x"]) { $1 })))
    }

    @Test func severalConditionsOnOneAttributeAllApplyAndTheExplanationNamesTheFailingOne() throws {
        let flags = [Flag(key: "f", type: .boolean, variants: Self.bool, defaultVariant: "false", rules: [
            Rule(name: "mid-size", conditions: [
                .attribute(name: "seats", op: .gte, operand: .number(10)),
                .attribute(name: "plan", op: .in, operand: .strings(["pro"])),
                .attribute(name: "seats", op: .lt, operand: .number(100)),
                .attribute(name: "seats", op: .neq, operand: .number(50)),
            ], outcome: .serve(variant: "true")),
            Rule(name: "no seats", conditions: [
                .attribute(name: "seats", op: .exists, operand: .boolean(false)),
                .attribute(name: "plan", op: .exists, operand: .boolean(false)),
            ], outcome: .serve(variant: "true")),
        ])]
        let store = try FlagStore(snapshot: Snapshot(flags: flags))
        let cases: [(ContextValue?, Bool)] = [(25, true), (10, true), (9, false), (100, false), (50, false), ("25", false), (nil, false)]
        for (seats, expected) in cases {
            var attributes: [String: ContextValue] = ["plan": "pro"]
            attributes["seats"] = seats
            #expect(store.boolean("f", default: false, context: EvaluationContext(attributes: attributes)) == expected, "seats \(String(describing: seats))")
        }
        #expect(store.boolean("f", default: false, context: EvaluationContext()))
        let explanation = store.explain("f", context: EvaluationContext(attributes: ["plan": "pro", "seats": 100]))
        #expect(explanation.rules.first?.because.contains("lt") == true, "\(explanation.lines)")
    }

    /// A flag whose rule reads more attributes than the reader keeps (`AttributeReader.cachedSlots`), with values that
    /// own storage (long strings, lists) and values that do not (small strings, numbers, booleans), found by comparing
    /// names in turn in a small context and through its index in a large one: the rule matches exactly when every attribute is as it wants.
    @Test(arguments: [false, true]) func everyAttributeIsReadRightWhateverItsStorage(largeContext: Bool) throws {
        let long = "a-string-longer-than-fifteen-bytes-é"
        var wanted: [(name: String, condition: Condition, good: ContextValue, bad: ContextValue)] = [
            ("plan", .attribute(name: "plan", op: .in, operand: .strings(["pro", "team"])), "pro", "free"),
            ("description", .attribute(name: "description", op: .eq, operand: .string(long)), .string(long), .string(long + "!")),
            ("groups", .attribute(name: "groups", op: .intersects, operand: .strings(["beta"])), ["staff", "beta"], ["staff"]),
            ("seats", .attribute(name: "seats", op: .gte, operand: .number(10)), 25, 5),
            ("verified", .attribute(name: "verified", op: .eq, operand: .boolean(true)), true, false),
            ("email", .attribute(name: "email", op: .endsWith, operand: .string("@example.com")), "dev@example.com", "dev@example.org"),
            ("app_version", .attribute(name: "app_version", op: .semverGte, operand: .string("2.0.0")), "2.5.1", "1.9.9"),
            ("os_version", .attribute(name: "os_version", op: .semverLt, operand: .string("15.0.0")), "14.2.0", "15.0.0"),
            ("signup", .attribute(name: "signup", op: .before, operand: .timestamp(1_700_000_000)), .timestamp(1_600_000_000), .timestamp(1_800_000_000)),
            ("region_code", .attribute(name: "region_code", op: .startsWith, operand: .string("eu-")), .string("eu-west-1-a-long-region-name"), "us-east-1"),
            ("referrer", .attribute(name: "referrer", op: .contains, operand: .string("partner")), "partner-site", "search"),
        ]
        wanted.append(("app_version", .attribute(name: "app_version", op: .semverLt, operand: .string("3.0.0")), "2.5.1", "3.1.0"))
        #expect(Set(wanted.map(\.name)).count > AttributeReader.cachedSlots)
        let conditions = wanted.map(\.condition) + [
            .attribute(name: "targetingKey", op: .startsWith, operand: .string("user-")),
            .attribute(name: "banned", op: .exists, operand: .boolean(false)),
        ]
        let flags = [Flag(key: "f", type: .boolean, variants: Self.bool, defaultVariant: "false", rules: [
            Rule(conditions: conditions, outcome: .serve(variant: "true")),
        ])]
        let store = try FlagStore(snapshot: Snapshot(flags: flags))
        let names = Array(Set(wanted.map(\.name))).sorted()
        func good() -> [String: ContextValue] {
            var attributes: [String: ContextValue] = [:]
            if largeContext { for index in 0..<40 { attributes["extra\(index)"] = "x" } }
            for entry in wanted { attributes[entry.name] = entry.good }
            return attributes
        }
        func check(_ attributes: [String: ContextValue], key: String? = "user-1", _ expected: Bool, _ what: String) {
            let context = EvaluationContext(targetingKey: key, attributes: attributes)
            for _ in 0..<2 {  // twice: the second evaluation reuses nothing from the first
                #expect(store.boolean("f", default: !expected, context: context) == expected, "\(what)")
            }
        }
        check(good(), true, "all as wanted")
        check(good(), key: nil, false, "no targeting key")
        check(good(), key: "admin-1", false, "another targeting key")
        check(good().merging(["banned": false]) { $1 }, false, "banned present")
        // Each attribute spoiled alone: missing, each of its conditions' unwanted values, another kind of value.
        for name in names {
            var missing = good()
            missing[name] = nil
            check(missing, false, "\(name) missing")
            for entry in wanted where entry.name == name {
                check(good().merging([name: entry.bad]) { $1 }, false, "\(name) = \(entry.bad)")
            }
            let otherKind: ContextValue = if case .boolean = wanted.first(where: { $0.name == name })!.good { .number(1) } else { .boolean(true) }
            check(good().merging([name: otherKind]) { $1 }, false, "\(name) = \(otherKind)")
        }
    }

    @Test func shortKeysAreFoundWhetherOrNotSwiftHoldsThemInline() throws {
        #expect(ShortKey.smallStringLayoutHolds, "the small-string fast path is off on this platform")
        let keys = ["", "a", "plan", "app_version", "exactly-15-byte", "sixteen-bytes-xx", "ünïcödé", "日本語", "a-key-much-longer-than-fifteen-bytes"]
        let table = ByteStringTable(keys)
        for (index, key) in keys.enumerated() {
            // Reserving capacity makes a native (not small) string with the same bytes.
            var native = String()
            native.reserveCapacity(64)
            native.append(key)
            #expect(ShortKey(smallString: native) == nil)
            #expect(table.index(of: native) == index, "native \(key)")
            #expect(table.index(of: String(decoding: Array(key.utf8), as: UTF8.self)) == index, "decoded \(key)")
            #expect(table.linearIndex(of: native) == index && table.linearIndex(of: key) == index, "linear \(key)")
            if key.utf8.count <= ShortKey.maxCount {
                #expect(ShortKey(smallString: key) == Array(key.utf8).withUnsafeBytes { ShortKey(bytes: $0) }, "small \(key)")
            }
        }
        for missing in ["plan ", "pla", "app_versio", "exactly-15-bytf", "sixteen-bytes-xy", "e\u{301}"] {
            #expect(table.index(of: missing) == nil && table.linearIndex(of: missing) == nil, "\(missing)")
        }
    }
}

/// An explanation is traced from the evaluation it explains, so it agrees with the result even when time moves
/// between clock reads.
@Suite struct ExplanationAgreementTests {
    /// Says `start`, then one second later on every read.
    final class TickingClock: FlagClock, @unchecked Sendable {  // `next` is only touched under `lock`
        private let lock = NSLock()
        private var next: Int64
        init(_ start: Int64) { next = start }
        func now() -> Int64 {
            lock.lock()
            defer { lock.unlock() }
            next += 1
            return next - 1
        }
    }

    @Test func theTraceAndTheResultComeFromOneDecision() throws {
        let booleans = [Variant(name: "true", value: .boolean(true)), Variant(name: "false", value: .boolean(false))]
        let flags = [Flag(key: "f", type: .boolean, variants: booleans, defaultVariant: "false", rules: [
            Rule(name: "until 1000", until: 1_000, outcome: .serve(variant: "true")),
        ])]
        for start: Int64 in [998, 999, 1_000] {
            let explanation = try FlagStore(snapshot: Snapshot(flags: flags), clock: TickingClock(start)).explain("f")
            let matched = explanation.rules.first { $0.matched }?.index
            #expect(matched == explanation.details.ruleIndex, "at \(start): \(explanation.lines) vs \(explanation.details)")
            #expect(explanation.details.value == .boolean(start < 1_000), "one clock read, at \(start)")
        }
    }
}
