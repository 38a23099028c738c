import FlagRuntime
import FlagRuntimeTesting
import Synchronization
import Testing

/// Hooks registered on a store: OpenFeature's stages, in its order, on every entry point.
@Suite struct HookTests {
    /// A hook that writes each stage it runs to a shared log, and can replace the context or throw.
    struct RecordingHook: FlagHook {
        let name: String
        let log: Log
        var replacement: EvaluationContext?
        var throwsIn: Stage?

        enum Stage: Equatable { case before, after }
        struct Failure: Error {}

        func before(_ hook: HookContext, hints: HookHints) throws -> EvaluationContext? {
            log.append("\(name).before(\(hook.evaluationContext.tenant ?? "-"))")
            if throwsIn == .before { throw Failure() }
            return replacement
        }

        func after(_ hook: HookContext, details: EvaluationDetails<FlagValue?>, hints: HookHints) throws {
            log.append("\(name).after(\(details.reason.rawValue))")
            if throwsIn == .after { throw Failure() }
        }

        func error(_ hook: HookContext, error: any Error, hints: HookHints) {
            let code = (error as? FlagEvaluationError)?.code.rawValue ?? "thrown"
            log.append("\(name).error(\(code))")
        }

        func finally(_ hook: HookContext, details: EvaluationDetails<FlagValue?>, hints: HookHints) {
            log.append("\(name).finally(\(details.reason.rawValue)\(details.errorCode.map { "/\($0.rawValue)" } ?? ""))")
        }
    }

    final class Log: Sendable {
        private let entries = Mutex<[String]>([])
        func append(_ entry: String) { entries.withLock { $0.append(entry) } }
        var all: [String] { entries.withLock { $0 } }
        func clear() { entries.withLock { $0 = [] } }
    }

    /// `billing.pilot`: on for tenant acme (TARGETING_MATCH), off otherwise (DEFAULT).
    static func pilotStore() throws -> FlagStore {
        let bool = [Variant(name: "on", value: .boolean(true)), Variant(name: "off", value: .boolean(false))]
        let flag = Flag(key: "billing.pilot", type: .boolean, variants: bool, defaultVariant: "off", rules: [
            Rule(name: "pilot", conditions: [.attribute(name: Condition.tenant, op: .in, operand: .strings(["acme"]))], outcome: .serve(variant: "on")),
        ])
        let theme = Flag(key: "ui.theme", type: .string, variants: [Variant(name: "value", value: .string("dark"))], defaultVariant: "value")
        return try FlagStore(snapshot: Snapshot(flags: [flag, theme]))
    }

    @Test func stagesRunInOpenFeatureOrder() throws {
        let store = try Self.pilotStore(), log = Log()
        store.addHook(RecordingHook(name: "A", log: log))
        store.addHook(RecordingHook(name: "B", log: log))
        #expect(!store.boolean("billing.pilot", default: true))
        #expect(log.all == ["A.before(-)", "B.before(-)", "B.after(DEFAULT)", "A.after(DEFAULT)", "B.finally(DEFAULT)", "A.finally(DEFAULT)"])
    }

    @Test func beforeMayReplaceTheContext() throws {
        let store = try Self.pilotStore(), log = Log()
        store.addHook(RecordingHook(name: "A", log: log, replacement: EvaluationContext(targetingKey: "u-1", tenant: "acme")))
        store.addHook(RecordingHook(name: "B", log: log))
        // The second hook and the evaluation see the first hook's context.
        let details = store.booleanDetails("billing.pilot", default: false)
        #expect(details.value && details.reason == .targetingMatch && details.variant == "on")
        #expect(log.all.prefix(2) == ["A.before(-)", "B.before(acme)"])
    }

    @Test func anErrorInBeforeGivesTheDefaultWithGeneral() throws {
        let store = try Self.pilotStore(), log = Log()
        store.addHook(RecordingHook(name: "A", log: log))
        store.addHook(RecordingHook(name: "B", log: log, throwsIn: .before))
        let details = store.booleanDetails("billing.pilot", default: true, context: EvaluationContext(tenant: "acme"))
        #expect(details.value && details.reason == .error && details.errorCode == .general)
        #expect(details.variant == nil && details.errorMessage?.contains("billing.pilot") == true)
        #expect(log.all == ["A.before(acme)", "B.before(acme)", "B.error(thrown)", "A.error(thrown)",
                            "B.finally(ERROR/GENERAL)", "A.finally(ERROR/GENERAL)"])
        // The plain form gives the same default.
        #expect(store.boolean("billing.pilot", default: true, context: EvaluationContext(tenant: "other")))
    }

    @Test func anErrorInAfterGivesTheDefaultToo() throws {
        let store = try Self.pilotStore(), log = Log()
        store.addHook(RecordingHook(name: "A", log: log, throwsIn: .after))
        let details = store.booleanDetails("billing.pilot", default: false, context: EvaluationContext(tenant: "acme"))
        #expect(!details.value && details.errorCode == .general)
        #expect(log.all == ["A.before(acme)", "A.after(TARGETING_MATCH)", "A.error(thrown)", "A.finally(ERROR/GENERAL)"])
    }

    @Test func evaluationErrorsRunErrorInsteadOfAfter() throws {
        let store = try Self.pilotStore(), log = Log()
        store.addHook(RecordingHook(name: "A", log: log))
        #expect(store.string("no.such_flag", default: "x") == "x")
        #expect(log.all == ["A.before(-)", "A.error(FLAG_NOT_FOUND)", "A.finally(ERROR/FLAG_NOT_FOUND)"])
        log.clear()
        // A string flag read as a boolean: the type check is part of the evaluation the hooks see.
        #expect(store.boolean("ui.theme", default: true))
        #expect(log.all == ["A.before(-)", "A.error(TYPE_MISMATCH)", "A.finally(ERROR/TYPE_MISMATCH)"])
        log.clear()
        #expect(store.stringDetails("ui.theme", default: "light").value == "dark")
        #expect(log.all == ["A.before(-)", "A.after(STATIC)", "A.finally(STATIC)"])
    }

    /// Every entry point runs the hooks: key-based and handle-based, plain and with details.
    @Test(arguments: 0..<9) func everyEntryPointRunsHooks(_ entryPoint: Int) throws {
        let store = try Self.pilotStore(), log = Log()
        store.addHook(RecordingHook(name: "A", log: log))
        let context = EvaluationContext(tenant: "acme")
        let pilot = FlagHandle<Bool>("billing.pilot", default: false)
        let on: Bool
        switch entryPoint {
        case 0: on = store.boolean("billing.pilot", default: false, context: context)
        case 1: on = store.booleanDetails("billing.pilot", default: false, context: context).value
        case 2: on = store.details("billing.pilot", context: context).value == .boolean(true)
        case 3: on = store.isEnabled(pilot, context: context)
        case 4: on = store.value(pilot, context: context)
        case 5: on = store.details(pilot, context: context).value
        case 6: on = store.string("ui.theme", default: "light", context: context) == "dark"
        case 7: on = store.number("ui.theme", default: 1, context: context) == 1  // a type mismatch
        default: on = store.object("ui.theme", default: [:], context: context).isEmpty
        }
        #expect(on)
        #expect(log.all.count == 3, "\(log.all)")
    }

    @Test func hookContextCarriesTheCallAndHints() throws {
        struct Inspecting: FlagHook {
            let seen: Log
            func before(_ hook: HookContext, hints: HookHints) throws -> EvaluationContext? {
                seen.append("\(hook.flagKey) \(hook.valueType?.rawValue ?? "any") \(hook.defaultValue.map { "\($0)" } ?? "-") "
                            + "\(hook.evaluationContext.targetingKey ?? "-") \(hook.providerMetadata.name) \(hints["team"] ?? .null)")
                return nil
            }
        }
        let store = try Self.pilotStore(), log = Log()
        store.addHook(Inspecting(seen: log), hints: ["team": "billing"])
        _ = store.integer("billing.limit", default: 7, context: EvaluationContext(targetingKey: "u-9"))
        _ = store.details("billing.pilot")
        _ = store.value(FlagHandle<Double>("billing.ratio", default: 0.5))
        #expect(log.all == [
            "billing.limit integer integer(7) u-9 flagc string(\"billing\")",
            "billing.pilot any - - flagc string(\"billing\")",
            "billing.ratio number number(0.5) - flagc string(\"billing\")",
        ])
    }

    @Test func removedHooksNoLongerRunAndOverridesStillDo() throws {
        let store = try Self.pilotStore(), log = Log()
        let first = store.addHook(RecordingHook(name: "A", log: log))
        store.addHook(RecordingHook(name: "B", log: log))
        store.removeHook(first)
        store.override(["billing.pilot": true])
        #expect(store.boolean("billing.pilot", default: false))
        #expect(log.all == ["B.before(-)", "B.after(OVERRIDE)", "B.finally(OVERRIDE)"])
        store.removeOverrides()
        store.removeHook(store.addHook(RecordingHook(name: "C", log: log)))
        log.clear()
        _ = store.boolean("billing.pilot", default: false)
        #expect(log.all == ["B.before(-)", "B.after(DEFAULT)", "B.finally(DEFAULT)"])
    }
}
