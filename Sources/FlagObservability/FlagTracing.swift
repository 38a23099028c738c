import FlagRuntime
import Tracing

/// Records a store's evaluations on the active span as OpenTelemetry `feature_flag.evaluation` span events.
///
/// With a tracer bootstrapped (`InstrumentationSystem.bootstrap`), an evaluation made while a span is active
/// (`ServiceContext.current` identifies it to the tracer's `activeSpan(identifiedBy:)`) adds an event with the
/// semantic-convention attributes:
///
/// | attribute | value |
/// | --- | --- |
/// | `feature_flag.key` | the flag key |
/// | `feature_flag.provider.name` | `flagc` |
/// | `feature_flag.result.variant` | the variant served (absent for the caller's default) |
/// | `feature_flag.result.reason` | the reason, lowercase (`targeting_match`, `split`, …) |
/// | `feature_flag.set.id` | the id of the snapshot that decided |
/// | `error.type` | the error code, lowercase (`flag_not_found`, `type_mismatch`), for `error` |
///
/// ```swift
/// let tracing = FlagTracing(store: store)   // after InstrumentationSystem.bootstrap(…)
/// ```
///
/// The tracer is looked up once, here: with the no-op tracer (nothing bootstrapped) nothing is registered on the
/// store and evaluations pay nothing. Values forced by test overrides are not recorded.
public final class FlagTracing: Sendable {
    /// The span event's name.
    public static let eventName = "feature_flag.evaluation"

    /// Whether evaluations are recorded (false with the no-op tracer).
    public let isRecording: Bool
    /// The store observed.
    public let store: FlagStore
    private let observerID: UInt64?

    /// Records `store`'s evaluations with `tracer` (the bootstrapped one, or the `withTracer` scope's, by default).
    public init(store: FlagStore, tracer: any Tracer = InstrumentationSystem.tracer) {
        self.store = store
        if tracer is NoOpTracer {
            isRecording = false
            observerID = nil
        } else {
            isRecording = true
            observerID = store.addObserver(SpanEventRecorder(tracer: tracer))
        }
    }

    /// Stops recording.
    public func cancel() {
        if let observerID { store.removeObserver(observerID) }
    }

    deinit {
        cancel()
    }
}

/// The observer behind `FlagTracing`.
final class SpanEventRecorder: EvaluationObserver {
    let tracer: any Tracer

    init(tracer: any Tracer) {
        self.tracer = tracer
    }

    func observe(_ evaluation: borrowing ObservedEvaluation) {
        guard let context = ServiceContext.current, let span = tracer.activeSpan(identifiedBy: context) else { return }
        var attributes: SpanAttributes = [:]
        attributes["feature_flag.key"] = evaluation.flagIndex.map { evaluation.snapshot.flagKey(at: $0) } ?? evaluation.key
        attributes["feature_flag.provider.name"] = ProviderMetadata.flagc.name
        if let variant = evaluation.variantIndex {
            attributes["feature_flag.result.variant"] = evaluation.snapshot.variantName(variant, ofFlagAt: evaluation.flagIndex!)
        }
        attributes["feature_flag.result.reason"] = evaluation.reason.rawValue.lowercased()
        attributes["feature_flag.set.id"] = evaluation.snapshot.snapshot.id
        if let errorCode = evaluation.errorCode {
            attributes["error.type"] = errorCode.rawValue.lowercased()
        }
        span.addEvent(SpanEvent(name: FlagTracing.eventName, attributes: attributes))
    }
}
