import FlagRuntime
import FlagRuntimeTesting
import Testing

/// Flag handles: found once, valid across reloads, typed.
@Suite struct FlagHandleTests {
    enum Theme: String, FlagValueConvertible { case light, dark }

    static let dashboard = FlagHandle<Bool>("ui.new_dashboard", default: false)
    static let theme = FlagHandle<Theme>("ui.theme", default: .light)
    static let limit = FlagHandle<Int>("api.rate_limit", default: 10)

    @Test func handlesReadTypedValuesWithDetails() {
        let store = FlagStore(values: ["ui.new_dashboard": true, "ui.theme": "dark", "api.rate_limit": 100, "ui.ratio": 0.5])
        #expect(store.isEnabled(Self.dashboard))
        #expect(store.value(Self.theme) == .dark)
        #expect(store.value(Self.limit) == 100)
        #expect(store.value(FlagHandle<Double>("api.rate_limit", default: 0)) == 100, "an integer flag reads as a number")
        #expect(store.value(FlagHandle<Double>("ui.ratio", default: 0)) == 0.5)
        let details = store.details(Self.theme, context: EvaluationContext(targetingKey: "u-1"))
        #expect(details.value == .dark && details.reason == .static && details.variant == "value")
        // A value with no case of the enum, or another type, is a type mismatch that gives the default.
        let other = FlagStore(values: ["ui.theme": "sepia", "api.rate_limit": "many"])
        #expect(other.details(Self.theme).errorCode == .typeMismatch && other.value(Self.theme) == .light)
        #expect(other.details(Self.limit).errorCode == .typeMismatch && other.value(Self.limit) == 10)
    }

    @Test func aHandleStaysValidAcrossReloads() throws {
        let store = FlagStore(values: ["a.first": false, "ui.new_dashboard": true])
        let handle = FlagHandle<Bool>("ui.new_dashboard", default: false)
        #expect(store.isEnabled(handle))
        // The flag moves to another index: the handle finds it again.
        try store.replace(with: Snapshot(values: ["a.aaa": true, "a.bbb": true, "a.first": true, "ui.new_dashboard": false, "z.last": true]))
        #expect(!store.isEnabled(handle))
        #expect(store.details(handle).reason == .static)
        // Removed by a reload: the default, with FLAG_NOT_FOUND; added back: found again.
        try store.replace(with: Snapshot(values: ["a.first": true]))
        let missing = store.details(handle)
        #expect(!missing.value && missing.errorCode == .flagNotFound)
        try store.replace(with: Snapshot(values: ["ui.new_dashboard": true]))
        #expect(store.isEnabled(handle))
    }

    @Test func oneHandleServesSeveralStoresAndOverridesApply() {
        let on = FlagStore(values: ["ui.new_dashboard": true]), off = FlagStore(values: ["ui.new_dashboard": false, "x.y": true])
        for _ in 0..<3 {
            #expect(on.isEnabled(Self.dashboard) && !off.isEnabled(Self.dashboard))
        }
        off.override(["ui.new_dashboard": true])
        #expect(off.isEnabled(Self.dashboard) && off.details(Self.dashboard).reason == .override)
        FlagOverrides.with(["ui.new_dashboard": false]) {
            #expect(!on.isEnabled(Self.dashboard))
        }
    }

    /// A flag that serves one boolean to everyone is answered from the handle's cache while the store serves the
    /// snapshot the handle saw; a reload, a disabled flag, rules, hooks and overrides each take the full path.
    @Test func aStaticBooleanIsAnsweredFromTheHandleOnlyWhileNothingElseApplies() throws {
        let bool = [Variant(name: "on", value: .boolean(true)), Variant(name: "off", value: .boolean(false))]
        let store = FlagStore(values: ["ui.new_dashboard": true])
        let handle = FlagHandle<Bool>("ui.new_dashboard", default: false)
        for _ in 0..<3 { #expect(store.isEnabled(handle) && store.value(handle)) }
        // Read as another type: the default, from the cache as from the full path.
        let asText = FlagHandle<String>("ui.new_dashboard", default: "x")
        for _ in 0..<2 { #expect(store.value(asText) == "x" && store.details(asText).errorCode == .typeMismatch) }
        try store.replace(with: Snapshot(values: ["ui.new_dashboard": false]))
        for _ in 0..<3 { #expect(!store.isEnabled(handle)) }
        // Disabled: the handle's default, whatever the variants serve.
        try store.replace(with: Snapshot(flags: [Flag(key: "ui.new_dashboard", type: .boolean, enabled: false, variants: bool, defaultVariant: "on")]))
        for _ in 0..<2 { #expect(!store.isEnabled(handle) && store.isEnabled(FlagHandle<Bool>("ui.new_dashboard", default: true))) }
        // Rules: evaluated per context.
        try store.replace(with: Snapshot(flags: [Flag(key: "ui.new_dashboard", type: .boolean, variants: bool, defaultVariant: "off", rules: [
            Rule(conditions: [.attribute(name: Condition.tenant, op: .in, operand: .strings(["acme"]))], outcome: .serve(variant: "on")),
        ])]))
        for _ in 0..<2 {
            #expect(store.isEnabled(handle, context: EvaluationContext(tenant: "acme")) && !store.isEnabled(handle, context: EvaluationContext(tenant: "globex")))
        }
        // Static again: overrides and hooks still see every evaluation.
        try store.replace(with: Snapshot(values: ["ui.new_dashboard": true]))
        #expect(store.isEnabled(handle) && store.isEnabled(handle))
        FlagOverrides.with(["ui.new_dashboard": false]) { #expect(!store.isEnabled(handle)) }
        store.override(["ui.new_dashboard": false])
        #expect(!store.isEnabled(handle))
        store.removeOverrides()
        let log = HookTests.Log()
        let registration = store.addHook(HookTests.RecordingHook(name: "h", log: log))
        #expect(store.isEnabled(handle))
        store.removeHook(registration)
        #expect(log.all == ["h.before(-)", "h.after(STATIC)", "h.finally(STATIC)"], "\(log.all)")
        #expect(store.isEnabled(handle))
    }

    @Test func handlesAgreeWithKeysUnderTargeting() throws {
        let bool = [Variant(name: "true", value: .boolean(true)), Variant(name: "false", value: .boolean(false))]
        let flag = Flag(key: "billing.pilot", type: .boolean, variants: bool, defaultVariant: "false", rules: [
            Rule(name: "pilot", conditions: [.attribute(name: Condition.tenant, op: .in, operand: .strings(["acme"]))], outcome: .serve(variant: "true")),
            Rule(outcome: .split(Split(seed: "billing.pilot", buckets: [.init(variant: "true", weight: 3000), .init(variant: "false", weight: 7000)]))),
        ])
        let store = try FlagStore(snapshot: Snapshot(flags: [flag]))
        let handle = FlagHandle<Bool>("billing.pilot", default: false)
        for index in 0..<500 {
            let context = EvaluationContext(targetingKey: "user-\(index)", tenant: index % 7 == 0 ? "acme" : "globex")
            let byKey = store.booleanDetails("billing.pilot", default: false, context: context)
            let byHandle = store.details(handle, context: context)
            #expect(byKey.value == byHandle.value && byKey.variant == byHandle.variant && byKey.reason == byHandle.reason && byKey.ruleIndex == byHandle.ruleIndex)
        }
    }
}
