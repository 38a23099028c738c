@testable import FlagRuntime
import Testing

/// Contexts copy as one reference, change copy-on-write, and have named parameters for what rules match.
@Suite struct EvaluationContextTests {
    @Test func copiesShareTheirFieldsAndChangeIndependently() {
        let original = EvaluationContext(targetingKey: "u-1", attributes: ["plan": "pro"])
        var copy = original
        #expect(copy.fields === original.fields, "a copy is the same reference")
        copy.attributes["plan"] = "free"
        copy.targetingKey = "u-2"
        #expect(copy.fields !== original.fields)
        #expect(original.attributes["plan"] == "pro" && original.targetingKey == "u-1", "the original is untouched")
        #expect(copy.attributes["plan"] == "free" && copy.targetingKey == "u-2")
        var built = EvaluationContext()
        for index in 0..<100 { built.attributes["a\(index)"] = .integer(index) }
        built.environment = "staging"
        #expect(built.attributes.count == 100 && built.attributes["a7"] == 7 && built.environment == "staging")
        #expect(copy != original && original == EvaluationContext(targetingKey: "u-1", attributes: ["plan": "pro"]))
        #expect(Set([original, EvaluationContext(targetingKey: "u-1", attributes: ["plan": "pro"])]).count == 1)
    }

    @Test func tenantAndGroupsAreWhatTenantsAndGroupsConditionsMatch() throws {
        let booleans = [Variant(name: "true", value: .boolean(true)), Variant(name: "false", value: .boolean(false))]
        let store = try FlagStore(snapshot: Snapshot(flags: [
            Flag(key: "by.tenant", type: .boolean, variants: booleans, defaultVariant: "false",
                 rules: [Rule(conditions: [.attribute(name: Condition.tenant, op: .in, operand: .strings(["acme"]))], outcome: .serve(variant: "true"))]),
            Flag(key: "by.group", type: .boolean, variants: booleans, defaultVariant: "false",
                 rules: [Rule(conditions: [.attribute(name: Condition.groups, op: .intersects, operand: .strings(["beta"]))], outcome: .serve(variant: "true"))]),
        ]))
        var context = EvaluationContext(targetingKey: "u-1", tenant: "acme", groups: ["staff", "beta"])
        #expect(context.attributes == ["tenant": "acme", "groups": ["staff", "beta"]])
        #expect(store.boolean("by.tenant", default: false, context: context))
        #expect(store.boolean("by.group", default: false, context: context))
        context.tenant = "globex"
        context.groups = []
        #expect(context.attributes == ["tenant": "globex"], "no groups: no groups attribute")
        #expect(!store.boolean("by.tenant", default: true, context: context) && !store.boolean("by.group", default: true, context: context))
    }

    /// The closure form builds the same context as a dictionary, whatever the number of attributes (inline, on the
    /// heap, indexed), with later sets replacing earlier ones, nil removing, and `tenant` and `groups` winning.
    @Test(arguments: [3, 16, 17, 40]) func buildingWithAClosureEqualsBuildingFromADictionary(count: Int) throws {
        let long = "an-attribute-name-longer-than-fifteen-bytes"
        var dictionary: [String: ContextValue] = ["plan": "pro", "seats": 25, long: "long", "é": "accented"]
        for index in 0..<count { dictionary["a\(index)"] = .string("value-\(index)-with-some-length") }
        let built = EvaluationContext(targetingKey: "u-1", tenant: "acme", groups: ["beta"], environment: "staging") { attributes in
            attributes["tenant"] = "ignored: the parameter wins"
            attributes["groups"] = ["ignored"]
            attributes["removed"] = true
            for (name, value) in dictionary.sorted(by: { $0.key < $1.key }) { attributes[name] = value == "pro" ? "free" : value }
            attributes["plan"] = "pro"
            attributes["removed"] = nil
            #expect(attributes["plan"] == "pro" && attributes[long] == "long" && attributes["removed"] == nil)
        }
        let expected = EvaluationContext(targetingKey: "u-1", tenant: "acme", groups: ["beta"], attributes: dictionary, environment: "staging")
        #expect(built == expected && built.hashValue == expected.hashValue)
        #expect(built.attributes == dictionary.merging(["tenant": "acme", "groups": ["beta"]]) { $1 })
        #expect(built.attributes.count == dictionary.count + 2)
        #expect(built.tenant == "acme" && built.groups == ["beta"] && built.environment == "staging")
        var changed = built
        changed.attributes["plan"] = "team"
        #expect(changed != built && changed.attributes["plan"] == "team" && built.attributes["plan"] == "pro")

        let store = try FlagStore(snapshot: Snapshot(flags: [
            Flag(key: "f", type: .boolean, variants: [Variant(name: "on", value: .boolean(true)), Variant(name: "off", value: .boolean(false))],
                 defaultVariant: "off", rules: [Rule(conditions: [
                     .attribute(name: long, op: .eq, operand: .string("long")),
                     .attribute(name: "é", op: .eq, operand: .string("accented")),
                     .attribute(name: "a\(count - 1)", op: .startsWith, operand: .string("value-\(count - 1)-")),
                     .attribute(name: Condition.tenant, op: .in, operand: .strings(["acme"])),
                 ], outcome: .serve(variant: "on"))]),
        ]))
        #expect(store.boolean("f", default: false, context: built))
        #expect(!store.boolean("f", default: true, context: changed.withTenant("globex")))
    }

    /// Names are matched by their UTF-8 bytes, as in every other runtime: "é" precomposed and "e" with a combining
    /// accent are two attributes.
    @Test func namesAreMatchedByTheirBytes() throws {
        let context = EvaluationContext { attributes in
            attributes["\u{E9}"] = "precomposed"
            attributes["e\u{301}"] = "combining"
        }
        let store = try FlagStore(snapshot: Snapshot(flags: [
            Flag(key: "f", type: .string, variants: [Variant(name: "a", value: .string("a")), Variant(name: "b", value: .string("b"))],
                 defaultVariant: "a", rules: [Rule(conditions: [.attribute(name: "e\u{301}", op: .eq, operand: .string("combining"))], outcome: .serve(variant: "b"))]),
        ]))
        #expect(store.string("f", default: "", context: context) == "b")
        #expect(context != EvaluationContext { $0["\u{E9}"] = "precomposed" })
    }

    /// A name's key is the same read from a small string's words or from its bytes, and two keys are equal exactly
    /// when the names' bytes are (a long name's key is its hash: equal keys then compare the bytes).
    @Test func attributeKeysAreTheSameFromWordsAndFromBytes() {
        let names = ["", "a", "plan", "app_version", "fifteen-bytes-x", "sixteen-bytes-xy", "\u{E9}", "e\u{301}",
                     "a-name-much-longer-than-fifteen-bytes", String(repeating: "é", count: 7) + "!"]
        for name in names {
            var native = name
            native.reserveCapacity(64)  // a native (heap) string with the same bytes
            #expect(AttributeKey(name, readsSmallStrings: true) == AttributeKey(name, readsSmallStrings: false), "\(name)")
            #expect(AttributeKey(native, readsSmallStrings: true) == AttributeKey(name, readsSmallStrings: true), "\(name)")
            #expect(AttributeKey(name).isLong == (name.utf8.count > 15), "\(name)")
            for other in names where other != name {
                let (left, right) = (AttributeKey(name), AttributeKey(other))
                #expect(!left.matches(right, name, other), "\(name) ~ \(other)")
            }
        }
    }

    /// Contexts are equal by content, whatever the order they were built in.
    @Test func equalityAndHashIgnoreTheOrderOfAttributes() {
        let forward = EvaluationContext(targetingKey: "k") { attributes in
            for index in 0..<20 { attributes["a\(index)"] = .integer(index) }
        }
        let backward = EvaluationContext(targetingKey: "k") { attributes in
            for index in (0..<20).reversed() { attributes["a\(index)"] = .integer(index) }
        }
        #expect(forward == backward && forward.hashValue == backward.hashValue)
        #expect(forward != EvaluationContext(targetingKey: "k") { attributes in
            for index in 0..<20 { attributes["a\(index)"] = .integer(index == 7 ? 8 : index) }
        })
        #expect(forward != EvaluationContext(targetingKey: "other", attributes: forward.attributes))
        #expect(EvaluationContext() == EvaluationContext { _ in } && EvaluationContext.empty.attributes.isEmpty)
    }

    @Test func typedHelpers() {
        #expect(ContextValue.integer(25) == .number(25))
        #expect(ContextValue.integer(UInt8(7)) == .number(7))
        #expect(ContextValue.list(["a", "b"].lazy.map { $0 }) == .strings(["a", "b"]))
        #expect(ContextValue.timestamp(rfc3339: "2026-12-01T00:00:00Z") == .timestamp(1_796_083_200))
        #expect(ContextValue.timestamp(rfc3339: "yesterday") == nil)
    }

    @Test func metadataFlattensAsOpenFeatureCarriesIt() {
        let metadata = FlagMetadata(description: "New invoices", owner: "team-billing", expires: 1_796_083_200, values: ["ticket": "B-1", "owner": "ignored"])
        #expect(metadata.flattened == ["description": "New invoices", "owner": "team-billing", "expires": "2026-12-01T00:00:00Z", "ticket": "B-1"])
    }
}

extension EvaluationContext {
    /// This context with another tenant.
    fileprivate func withTenant(_ tenant: String) -> EvaluationContext {
        var copy = self
        copy.tenant = tenant
        return copy
    }
}
