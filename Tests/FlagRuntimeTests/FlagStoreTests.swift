import FlagRuntime
import FlagRuntimeTesting
import Testing

/// FlagStore: typed evaluation, OpenFeature reasons and error codes, overrides, explanations, reloads.
@Suite struct FlagStoreTests {
    static let bool = [Variant(name: "true", value: .boolean(true)), Variant(name: "false", value: .boolean(false))]

    static func snapshot(_ flags: [Flag], environment: String? = nil) -> Snapshot {
        let sorted = flags.sorted { $0.key < $1.key }
        return Snapshot(environment: environment, flags: sorted)
    }

    static let store = try! FlagStore(snapshot: snapshot([
        Flag(key: "auth.two_factor.enabled", type: .boolean, variants: bool, defaultVariant: "true"),
        Flag(key: "ui.off", type: .boolean, enabled: false, variants: bool, defaultVariant: "true"),
        Flag(key: "ui.color", type: .string,
             variants: [Variant(name: "blue", value: .string("#00f")), Variant(name: "green", value: .string("#0f0"))],
             defaultVariant: "blue",
             rules: [
                Rule(name: "staff", conditions: [.attribute(name: "groups", op: .intersects, operand: .strings(["staff"]))], outcome: .serve(variant: "green")),
                Rule(from: 1_000, until: 2_000, conditions: [.environment(["staging"])], outcome: .serve(variant: "green")),
                Rule(conditions: [.attribute(name: "plan", op: .in, operand: .strings(["pro"]))],
                     outcome: .split(Split(seed: "exp", bucketBy: "tenant", buckets: [.init(variant: "blue", weight: 5000), .init(variant: "green", weight: 5000)]))),
             ],
             metadata: FlagMetadata(owner: "team-ui")),
        Flag(key: "api.limit", type: .integer, variants: [Variant(name: "low", value: .integer(10)), Variant(name: "high", value: .integer(100))], defaultVariant: "low",
             rules: [Rule(conditions: [.attribute(name: "seats", op: .gte, operand: .number(50))], outcome: .serve(variant: "high"))]),
        Flag(key: "ui.layout", type: .object, variants: [Variant(name: "grid", value: .object(["columns": .integer(3)]))], defaultVariant: "grid"),
    ]), environment: "production", clock: FixedClock(1_500))

    @Test func staticFlagHasReasonStatic() throws {
        let details = FlagStoreTests.store.booleanDetails("auth.two_factor.enabled", default: false)
        #expect(details.value == true)
        #expect(details.variant == "true")
        #expect(details.reason == .static)
        #expect(details.errorCode == nil && details.ruleIndex == nil)
    }

    @Test func disabledFlagGivesTheCallersDefault() throws {
        let details = FlagStoreTests.store.booleanDetails("ui.off", default: false)
        #expect(details.value == false)
        #expect(details.variant == nil)
        #expect(details.reason == .disabled)
    }

    @Test func targetingMatchNamesTheRule() throws {
        let details = FlagStoreTests.store.stringDetails("ui.color", default: "none", context: EvaluationContext(targetingKey: "u", attributes: ["groups": ["beta", "staff"]]))
        #expect(details.value == "#0f0")
        #expect(details.reason == .targetingMatch)
        #expect(details.ruleIndex == 0)
        #expect(details.ruleName == "staff")
        #expect(details.flagMetadata.owner == "team-ui")
    }

    @Test func noRuleMatchedGivesDefault() throws {
        let details = FlagStoreTests.store.stringDetails("ui.color", default: "none", context: EvaluationContext(targetingKey: "u"))
        #expect(details.value == "#00f")
        #expect(details.variant == "blue")
        #expect(details.reason == .default)
    }

    @Test func environmentAndWindowAreBothPartOfMatching() throws {
        let staging = EvaluationContext(targetingKey: "u", environment: "staging")
        #expect(FlagStoreTests.store.stringDetails("ui.color", default: "", context: staging).ruleIndex == 1)
        // Same environment, outside the window [1000, 2000).
        for now: Int64 in [999, 2_000] {
            let store = try FlagStore(snapshot: FlagStoreTests.store.snapshot, environment: "staging", clock: FixedClock(now))
            #expect(store.stringDetails("ui.color", default: "", context: .empty).reason == .default, "at \(now)")
        }
        let atStart = try FlagStore(snapshot: FlagStoreTests.store.snapshot, environment: "staging", clock: FixedClock(1_000))
        #expect(atStart.stringDetails("ui.color", default: "", context: .empty).reason == .targetingMatch)
    }

    @Test func splitNeedsItsBucketingValue() throws {
        let withTenant = EvaluationContext(targetingKey: "u", attributes: ["plan": "pro", "tenant": "acme"])
        let details = FlagStoreTests.store.stringDetails("ui.color", default: "", context: withTenant)
        #expect(details.reason == .split)
        #expect(details.ruleIndex == 2)
        // Without a tenant the split rule does not match and evaluation falls through to the default.
        let withoutTenant = EvaluationContext(targetingKey: "u", attributes: ["plan": "pro"])
        #expect(FlagStoreTests.store.stringDetails("ui.color", default: "", context: withoutTenant).reason == .default)
    }

    @Test func errorsGiveTheCallersDefaultWithACode() throws {
        let missing = FlagStoreTests.store.booleanDetails("no.such_flag", default: true)
        #expect(missing.value == true && missing.reason == .error && missing.errorCode == .flagNotFound)
        #expect(missing.errorMessage?.contains("no.such_flag") == true)
        let mismatch = FlagStoreTests.store.booleanDetails("ui.color", default: true)
        #expect(mismatch.value == true && mismatch.reason == .error && mismatch.errorCode == .typeMismatch)
    }

    @Test func typedAccessors() throws {
        let store = FlagStoreTests.store
        #expect(store.integer("api.limit", default: 0, context: EvaluationContext(attributes: ["seats": 75])) == 100)
        #expect(store.integer("api.limit", default: 0, context: EvaluationContext(attributes: ["seats": "75"])) == 10, "a string never matches a number rule")
        #expect(store.number("api.limit", default: 0) == 10, "integer flags read as numbers")
        #expect(store.object("ui.layout", default: [:]) == ["columns": .integer(3)])
        #expect(store.details("ui.layout").value == .object(["columns": .integer(3)]))
        #expect(store.flagKeys == ["api.limit", "auth.two_factor.enabled", "ui.color", "ui.layout", "ui.off"])
    }

    @Test func overridesAreScopedToTheTask() async throws {
        let store = FlagStoreTests.store
        await FlagOverrides.with(["ui.color": .string("red"), "not.in_snapshot": .boolean(true)]) {
            #expect(store.string("ui.color", default: "") == "red")
            #expect(store.stringDetails("ui.color", default: "").reason == .override)
            #expect(store.boolean("not.in_snapshot", default: false) == true)
            #expect(store.booleanDetails("ui.color", default: false).errorCode == .typeMismatch)
            await withTaskGroup(of: String.self) { group in
                group.addTask { store.string("ui.color", default: "") }
                for await value in group { #expect(value == "red", "child tasks inherit the overrides") }
            }
        }
        #expect(store.string("ui.color", default: "") == "#00f")
    }

    @Test func parallelTestsDoNotSeeEachOthersOverrides() async throws {
        let store = FlagStoreTests.store
        await withTaskGroup(of: Bool.self) { group in
            for index in 0..<50 {
                group.addTask {
                    await FlagOverrides.with(["api.limit": .integer(Int64(index))]) {
                        await Task.yield()
                        return store.integer("api.limit", default: -1) == Int64(index)
                    }
                }
            }
            for await ok in group { #expect(ok) }
        }
    }

    @Test func explanationSaysWhyEarlierRulesDidNotMatch() throws {
        let context = EvaluationContext(targetingKey: "u", attributes: ["plan": "pro", "tenant": "acme", "groups": ["beta"]])
        let explanation = FlagStoreTests.store.explain("ui.color", context: context)
        #expect(explanation.details.reason == .split)
        #expect(explanation.rules.count == 3)
        #expect(explanation.lines[0].contains("attribute 'groups'"))
        #expect(explanation.lines[1].contains("environment 'production' is not one of staging"))
        #expect(explanation.lines[2].contains("matched"))
    }

    @Test func everySplitResultBelongsToOneSnapshotWhileReplacing() async throws {
        // Two snapshots whose flag serves a value that names the snapshot, and whose metadata names it too.
        func marked(_ name: String) -> Snapshot {
            FlagStoreTests.snapshot([Flag(key: "a.b", type: .string, variants: [Variant(name: name, value: .string(name))], defaultVariant: name,
                                          metadata: FlagMetadata(owner: name))])
        }
        let first = marked("first")
        let second = marked("second")
        let store = try FlagStore(snapshot: first)
        await withTaskGroup(of: Int.self) { group in
            group.addTask {
                for index in 0..<2_000 { try! store.replace(with: index.isMultiple(of: 2) ? second : first) }
                return 0
            }
            for _ in 0..<4 {
                group.addTask {
                    var inconsistent = 0
                    for _ in 0..<20_000 {
                        let details = store.stringDetails("a.b", default: "")
                        if details.value != details.flagMetadata.owner || details.variant != details.value { inconsistent += 1 }
                    }
                    return inconsistent
                }
            }
            for await inconsistent in group { #expect(inconsistent == 0) }
        }
    }
}

@Suite struct SnapshotLoaderTests {
    @Test(arguments: [
        ("", "the file is empty"), ("  \n", "white space"), ("FLGC", "not a flagc snapshot"), ("{", "not valid JSON"),
        (#"{"formatVersion": 1, "id": "0000", "flags": {}}"#, "does not match the content"),
    ])
    func badBytesAreRejectedWithAReason(text: String, reason: String) {
        #expect(throws: SnapshotLoadError.self) { try SnapshotLoader.load(bytes: Array(text.utf8)) }
        do {
            _ = try SnapshotLoader.load(bytes: Array(text.utf8))
        } catch {
            #expect(error.reason.contains(reason), "\(error)")
        }
    }

    @Test func missingFileNamesThePath() throws {
        do {
            _ = try FlagStore(contentsOfFile: "/nonexistent/snapshot.json")
            Issue.record("expected an error")
        } catch {
            #expect(error.description.contains("/nonexistent/snapshot.json"))
        }
    }

    @Test func validSnapshotLoads() throws {
        let snapshot = FlagStoreTests.store.snapshot
        #expect(try SnapshotLoader.load(bytes: snapshot.jsonBytes()) == snapshot)
    }
}
