import FlagObservability
import FlagRuntime
import FlagRuntimeTesting
import Foundation
import InMemoryTracing
import MetricsTestKit
import Testing
import Tracing

/// `billing.pilot` on for tenant acme (TARGETING_MATCH, variant `on`), off otherwise (DEFAULT, `off`); `ui.theme`
/// a static string.
func pilotStore(clock: any FlagClock = FixedClock(1_800_000_000)) throws -> FlagStore {
    let bool = [Variant(name: "on", value: .boolean(true)), Variant(name: "off", value: .boolean(false))]
    let flag = Flag(key: "billing.pilot", type: .boolean, variants: bool, defaultVariant: "off", rules: [
        Rule(name: "pilot", conditions: [.attribute(name: Condition.tenant, op: .in, operand: .strings(["acme"]))], outcome: .serve(variant: "on")),
    ])
    let theme = Flag(key: "ui.theme", type: .string, variants: [Variant(name: "value", value: .string("dark"))], defaultVariant: "value")
    return try FlagStore(snapshot: Snapshot(flags: [flag, theme]), clock: clock)
}

/// Waits for `condition`, for up to a minute (the whole suite shares two cores with other builds).
func eventually(_ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + .seconds(60)
    while !condition() {
        if ContinuousClock.now > deadline { return false }
        try? await Task.sleep(for: .milliseconds(5))
    }
    return true
}

@Suite struct UsageMetricsTests {
    static func total(_ metrics: TestMetrics, _ flag: String, _ variant: String, _ reason: String) -> Int64 {
        (try? metrics.expectCounter(UsageMetrics.defaultLabel, [("flag", flag), ("variant", variant), ("reason", reason)]).totalValue) ?? 0
    }

    @Test func evaluationsAreCountedByFlagVariantAndReasonWhenFlushed() throws {
        let metrics = TestMetrics(), store = try pilotStore()
        let usage = UsageMetrics(store: store, factory: metrics)
        let acme = EvaluationContext(tenant: "acme")
        for _ in 0..<3 { _ = store.boolean("billing.pilot", default: false, context: acme) }
        _ = store.booleanDetails("billing.pilot", default: false)
        _ = store.isEnabled(FlagHandle<Bool>("billing.pilot", default: false))
        _ = store.string("no.such_flag", default: "x")
        _ = store.boolean("ui.theme", default: false)  // a type mismatch
        #expect(Self.total(metrics, "billing.pilot", "on", "TARGETING_MATCH") == 0, "nothing is reported before a flush")
        usage.flush()
        #expect(Self.total(metrics, "billing.pilot", "on", "TARGETING_MATCH") == 3)
        #expect(Self.total(metrics, "billing.pilot", "off", "DEFAULT") == 2)
        #expect(Self.total(metrics, UsageMetrics.unknownFlag, "", "ERROR") == 1)
        #expect(Self.total(metrics, "ui.theme", "", "ERROR") == 1)
        // A flush adds what was counted since the last one.
        _ = store.boolean("billing.pilot", default: false, context: acme)
        usage.flush()
        usage.flush()
        #expect(Self.total(metrics, "billing.pilot", "on", "TARGETING_MATCH") == 4)
    }

    @Test func countsFromOtherThreadsAndOldSnapshotsAreFlushed() throws {
        let metrics = TestMetrics(), store = try pilotStore()
        let usage = UsageMetrics(store: store, factory: metrics)
        let done = DispatchGroup()
        for _ in 0..<3 {
            done.enter()
            Thread.detachNewThread {
                for _ in 0..<1_000 { _ = store.string("ui.theme", default: "light") }
                done.leave()
            }
        }
        done.wait()
        _ = store.string("ui.theme", default: "light")
        // The served snapshot changes: this thread's counts for the old one are still reported.
        try store.replace(with: Snapshot(values: ["ui.theme": "light"]))
        _ = store.string("ui.theme", default: "light")
        usage.flush()
        #expect(Self.total(metrics, "ui.theme", "value", "STATIC") == 3_002)
        // More combinations than a thread's first table holds: it grows, and nothing is lost.
        var values: [String: FlagValue] = [:]
        for index in 0..<300 { values["f.flag_\(index)"] = .boolean(index % 2 == 0) }
        try store.replace(with: Snapshot(values: values))
        for index in 0..<300 { _ = store.boolean("f.flag_\(index)", default: false) }
        usage.flush()
        #expect(metrics.counters(label: UsageMetrics.defaultLabel).filter { $0.dimensions.contains { $0 == ("flag", "f.flag_299") } }.map(\.totalValue) == [1])
        #expect((0..<300).allSatisfy { Self.total(metrics, "f.flag_\($0)", $0 % 2 == 0 ? "true" : "false", "STATIC") == 1 })
    }

    /// Counting is on the evaluation path itself: every entry point counts once, with or without hooks, and a value
    /// of another type than asked for counts as an error.
    @Test func everyEntryPointCountsOnceWithOrWithoutHooks() throws {
        let metrics = TestMetrics(), store = try pilotStore()
        let usage = UsageMetrics(store: store, factory: metrics)
        let acme = EvaluationContext(tenant: "acme")
        let pilot = FlagHandle<Bool>("billing.pilot", default: false), wrongType = FlagHandle<Int64>("billing.pilot", default: 0)
        _ = store.isEnabled(pilot, context: acme)
        _ = store.details(pilot, context: acme)
        _ = store.value(wrongType, context: acme)
        _ = store.details(wrongType, context: acme)
        _ = store.integerDetails("billing.pilot", default: 0, context: acme)
        _ = store.details("billing.pilot", context: acme)
        _ = store.details(FlagHandle<Bool>("no.such_flag", default: false))
        usage.flush()
        #expect(Self.total(metrics, "billing.pilot", "on", "TARGETING_MATCH") == 3)
        #expect(Self.total(metrics, "billing.pilot", "", "ERROR") == 3)
        #expect(Self.total(metrics, UsageMetrics.unknownFlag, "", "ERROR") == 1)

        // With a hook registered, evaluations take the observed path: still counted once each.
        let registration = store.addHook(CountingHook())
        _ = store.isEnabled(pilot, context: acme)
        _ = store.boolean("billing.pilot", default: false, context: acme)
        _ = store.value(wrongType, context: acme)
        store.removeHook(registration)
        usage.flush()
        #expect(Self.total(metrics, "billing.pilot", "on", "TARGETING_MATCH") == 5)
        #expect(Self.total(metrics, "billing.pilot", "", "ERROR") == 4)
    }

    /// A thread keeps one shortcut to the table it counted into last: evaluating two counted stores in turn, on
    /// threads that then exit, loses nothing and mixes nothing; nor do new counts made where old ones were freed.
    @Test func oneThreadCountingForSeveralStoresKeepsEachStoresCounts() throws {
        let firstMetrics = TestMetrics(), secondMetrics = TestMetrics()
        let firstStore = try pilotStore(), secondStore = try pilotStore()
        let first = UsageMetrics(store: firstStore, factory: firstMetrics), second = UsageMetrics(store: secondStore, factory: secondMetrics)
        let acme = EvaluationContext(tenant: "acme")
        let done = DispatchGroup()
        for _ in 0..<2 {
            done.enter()
            Thread.detachNewThread {
                for _ in 0..<500 {
                    _ = firstStore.boolean("billing.pilot", default: false, context: acme)
                    _ = secondStore.string("ui.theme", default: "light")
                    _ = secondStore.string("ui.theme", default: "light")
                }
                done.leave()
            }
        }
        done.wait()
        first.flush()
        second.flush()
        #expect(Self.total(firstMetrics, "billing.pilot", "on", "TARGETING_MATCH") == 1_000)
        #expect(Self.total(firstMetrics, "ui.theme", "value", "STATIC") == 0)
        #expect(Self.total(secondMetrics, "ui.theme", "value", "STATIC") == 2_000)
        #expect(Self.total(secondMetrics, "billing.pilot", "on", "TARGETING_MATCH") == 0)

        // Counts made and freed over and over on one thread and one store: each new one gets what is evaluated.
        let store = try pilotStore()
        for round in 1...20 {
            let metrics = TestMetrics()
            let usage = UsageMetrics(store: store, factory: metrics)
            for _ in 0..<round { _ = store.string("ui.theme", default: "light") }
            usage.flush()
            #expect(Self.total(metrics, "ui.theme", "value", "STATIC") == Int64(round))
        }
    }

    @Test func overridesAreNotCountedAndASecondUsageMetricsTakesOver() throws {
        let metrics = TestMetrics(), store = try pilotStore()
        let first = UsageMetrics(store: store, factory: metrics)
        FlagOverrides.with(["billing.pilot": true]) {
            _ = store.boolean("billing.pilot", default: false)
        }
        store.override(["ui.theme": "light"])
        _ = store.string("ui.theme", default: "dark")
        store.removeOverrides()
        first.flush()
        #expect(metrics.counters(label: UsageMetrics.defaultLabel).isEmpty)

        let other = TestMetrics()
        let second = UsageMetrics(store: store, factory: other)
        _ = store.string("ui.theme", default: "light")
        first.flush()
        second.flush()
        #expect(Self.total(other, "ui.theme", "value", "STATIC") == 1)
        #expect(Self.total(metrics, "ui.theme", "value", "STATIC") == 0)
    }

    @Test func runFlushesPeriodically() async throws {
        let metrics = TestMetrics(), store = try pilotStore()
        let usage = UsageMetrics(store: store, factory: metrics)
        _ = store.string("ui.theme", default: "light")
        let flusher = Task { await usage.run(every: .milliseconds(10)) }
        #expect(await eventually { Self.total(metrics, "ui.theme", "value", "STATIC") == 1 })
        flusher.cancel()
        await flusher.value
    }
}

@Suite struct ExposureEventsTests {
    @Test func eachEvaluationIsAnEvent() async throws {
        let store = try pilotStore()
        let exposures = ExposureEvents(store: store)
        _ = store.boolean("billing.pilot", default: false, context: EvaluationContext(targetingKey: "u-1", tenant: "acme"))
        _ = store.details(FlagHandle<String>("no.such_flag", default: "x"), context: EvaluationContext(targetingKey: "u-2"))
        exposures.finish()
        var events: [ExposureEvent] = []
        for await event in exposures.events { events.append(event) }
        let id = store.snapshot.id
        #expect(events == [
            ExposureEvent(flagKey: "billing.pilot", variant: "on", reason: .targetingMatch, errorCode: nil, targetingKey: "u-1", snapshotID: id, time: 1_800_000_000),
            ExposureEvent(flagKey: "no.such_flag", variant: nil, reason: .error, errorCode: .flagNotFound, targetingKey: "u-2", snapshotID: id, time: 1_800_000_000),
        ])
        #expect(exposures.dropped == 0)
    }

    @Test func samplingKeepsOrDropsAUserForEveryFlag() async throws {
        let store = try pilotStore()
        let exposures = ExposureEvents(store: store, sampling: .fraction(0.5))
        // user-3 hashes into bucket 1694 of 10,000 (sampled at 50 %), user-1 into 9712 (not sampled).
        for user in ["user-1", "user-3", "user-1", "user-3"] {
            _ = store.boolean("billing.pilot", default: false, context: EvaluationContext(targetingKey: user))
            _ = store.string("ui.theme", default: "light", context: EvaluationContext(targetingKey: user))
        }
        _ = store.string("ui.theme", default: "light")  // no targeting key: not sampled
        exposures.finish()
        var users: [String?] = []
        for await event in exposures.events { users.append(event.targetingKey) }
        #expect(users == Array(repeating: "user-3", count: 4))
        // Nobody is sampled at 0, everybody at 1.
        let none = ExposureEvents(store: store, sampling: .fraction(0)), all = ExposureEvents(store: store, sampling: .fraction(1))
        _ = store.string("ui.theme", default: "light", context: EvaluationContext(targetingKey: "user-3"))
        none.finish()
        all.finish()
        var counts = (0, 0)
        for await _ in none.events { counts.0 += 1 }
        for await _ in all.events { counts.1 += 1 }
        #expect(counts == (0, 1))
    }

    @Test func aSlowConsumerLosesTheOldestEventsAndTheyAreCounted() async throws {
        let metrics = TestMetrics(), store = try pilotStore()
        let exposures = ExposureEvents(store: store, bufferSize: 2, factory: metrics)
        for index in 0..<5 { _ = store.string("ui.theme", default: "light", context: EvaluationContext(targetingKey: "u-\(index)")) }
        #expect(exposures.dropped == 3)
        #expect(try metrics.expectCounter(ExposureEvents.droppedLabel).totalValue == 3)
        exposures.finish()
        var users: [String?] = []
        for await event in exposures.events { users.append(event.targetingKey) }
        #expect(users == ["u-3", "u-4"])
    }
}

@Suite struct FlagTracingTests {
    static func attributes(_ event: SpanEvent) -> [String: String] {
        var values: [String: String] = [:]
        event.attributes.forEach { name, attribute in
            if case .string(let text) = attribute { values[name] = text }
        }
        return values
    }

    @Test func anEvaluationInASpanAddsTheFeatureFlagEvent() throws {
        let store = try pilotStore(), tracer = InMemoryTracer()
        let tracing = FlagTracing(store: store, tracer: tracer)
        #expect(tracing.isRecording)
        tracer.withSpan("checkout") { _ in
            _ = store.boolean("billing.pilot", default: false, context: EvaluationContext(tenant: "acme"))
            _ = store.string("no.such_flag", default: "x")
        }
        _ = store.boolean("billing.pilot", default: false)  // no span: nothing recorded
        let spans = tracer.finishedSpans
        #expect(spans.count == 1)
        let events = spans.first?.events ?? []
        #expect(events.map(\.name) == ["feature_flag.evaluation", "feature_flag.evaluation"])
        #expect(events.map(Self.attributes) == [
            ["feature_flag.key": "billing.pilot", "feature_flag.provider.name": "flagc", "feature_flag.result.variant": "on",
             "feature_flag.result.reason": "targeting_match", "feature_flag.set.id": store.snapshot.id],
            ["feature_flag.key": "no.such_flag", "feature_flag.provider.name": "flagc", "feature_flag.result.reason": "error",
             "feature_flag.set.id": store.snapshot.id, "error.type": "flag_not_found"],
        ])
    }

    @Test func withoutATracerNothingIsRegistered() throws {
        let store = try pilotStore()
        let tracing = FlagTracing(store: store, tracer: NoOpTracer())
        #expect(!tracing.isRecording)
        // With nothing bootstrapped, the default is the no-op tracer too.
        #expect(!FlagTracing(store: store).isRecording)
        let tracer = InMemoryTracer()
        tracer.withSpan("checkout") { _ in _ = store.boolean("billing.pilot", default: false) }
        #expect(tracer.finishedSpans.first?.events.isEmpty == true)
        tracing.cancel()
    }
}

/// A hook that does nothing but exists (so evaluations take the observed path).
struct CountingHook: FlagHook {}
