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
