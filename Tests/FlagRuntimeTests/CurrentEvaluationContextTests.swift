import FlagRuntime
import Testing

/// `EvaluationContext.current`: the context evaluations use when they are not passed one.
@Suite struct CurrentEvaluationContextTests {
    static let pilot = FlagHandle<Bool>("billing.pilot", default: false)

    /// `billing.pilot`: on for the tenant `acme`, off for everyone else.
    static func store() throws -> FlagStore {
        let boolean = [Variant(name: "true", value: .boolean(true)), Variant(name: "false", value: .boolean(false))]
        let flag = Flag(key: "billing.pilot", type: .boolean, variants: boolean, defaultVariant: "false", rules: [
            Rule(name: "pilot", conditions: [.attribute(name: Condition.tenant, op: .in, operand: .strings(["acme"]))], outcome: .serve(variant: "true")),
        ])
        return try FlagStore(snapshot: Snapshot(flags: [flag]))
    }

    @Test func isEmptyUntilBound() {
        #expect(EvaluationContext.current == .empty)
    }

    @Test func handlesAndKeysLeftWithoutAContextReadTheBoundOne() throws {
        let store = try Self.store()
        #expect(!store.isEnabled(Self.pilot))
        EvaluationContext.with(EvaluationContext(tenant: "acme")) {
            #expect(store.isEnabled(Self.pilot))
            #expect(store.value(Self.pilot))
            #expect(store.details(Self.pilot).ruleName == "pilot")
            #expect(store.boolean("billing.pilot", default: false))
            #expect(store.booleanDetails("billing.pilot", default: false).reason == .targetingMatch)
            #expect(store.details("billing.pilot").value == .boolean(true))
            #expect(store.explain("billing.pilot").details.ruleName == "pilot")
        }
        #expect(!store.isEnabled(Self.pilot))
    }

    @Test func anExplicitContextWinsOverTheBoundOne() throws {
        let store = try Self.store()
        EvaluationContext.with(EvaluationContext(tenant: "acme")) {
            #expect(!store.isEnabled(Self.pilot, context: EvaluationContext(tenant: "globex")))
            #expect(!store.isEnabled(Self.pilot, context: .empty))
            #expect(!store.boolean("billing.pilot", default: false, context: .empty))
        }
    }

    @Test func nestedBindingsRestoreTheOuterOne() async {
        let outer = EvaluationContext(targetingKey: "outer"), inner = EvaluationContext(targetingKey: "inner")
        await EvaluationContext.with(outer) {
            await EvaluationContext.with(inner) {
                await Task.yield()
                #expect(EvaluationContext.current.targetingKey == "inner")
            }
            #expect(EvaluationContext.current.targetingKey == "outer")
        }
        #expect(EvaluationContext.current == .empty)
    }

    @Test func childTasksInheritTheContextAndDetachedTasksDoNot() async {
        await EvaluationContext.with(EvaluationContext(targetingKey: "user-1")) {
            async let child = EvaluationContext.current.targetingKey
            let detached = await Task.detached { EvaluationContext.current.targetingKey }.value
            #expect(await child == "user-1")
            #expect(detached == nil)
        }
    }

    @Test func throwingOperationsRethrowAndRestore() async {
        struct Failure: Error {}
        await #expect(throws: Failure.self) {
            try await EvaluationContext.with(EvaluationContext(targetingKey: "user-1")) { () async throws -> Void in throw Failure() }
        }
        #expect(throws: Failure.self) {
            try EvaluationContext.with(EvaluationContext(targetingKey: "user-1")) { () throws -> Void in throw Failure() }
        }
        #expect(EvaluationContext.current == .empty)
    }
}
