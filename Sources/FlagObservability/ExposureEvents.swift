import CoreMetrics
import FlagRuntime
import Synchronization

/// One evaluation, for A/B analysis: who saw which variant of which flag, why, from which snapshot, when.
public struct ExposureEvent: Sendable, Hashable {
    /// The flag key asked for.
    public let flagKey: String
    /// The variant served; nil when the caller's default was (disabled, error).
    public let variant: String?
    /// Why this variant.
    public let reason: EvaluationReason
    /// What went wrong, when `reason` is `.error`.
    public let errorCode: EvaluationErrorCode?
    /// The context's targeting key.
    public let targetingKey: String?
    /// The id of the snapshot that decided.
    public let snapshotID: String
    /// When, in Unix seconds from the store's clock.
    public let time: Int64

    /// Creates an event (the stream creates them; this is for tests of code that consumes them).
    public init(flagKey: String, variant: String?, reason: EvaluationReason, errorCode: EvaluationErrorCode?, targetingKey: String?,
                snapshotID: String, time: Int64) {
        self.flagKey = flagKey
        self.variant = variant
        self.reason = reason
        self.errorCode = errorCode
        self.targetingKey = targetingKey
        self.snapshotID = snapshotID
        self.time = time
    }
}

/// Which evaluations become exposure events.
public enum ExposureSampling: Sendable, Hashable {
    /// Every evaluation.
    case all
    /// The evaluations of a fraction (0…1) of the targeting keys, picked by hashing the key (MurmurHash3 of its
    /// UTF-8 bytes, the bucket `(h × 10000) >> 32` below `fraction × 10000`): a user is either always sampled or
    /// never, for every flag and in every process. Contexts without a targeting key are not sampled.
    case fraction(Double)
}

/// A stream of a store's evaluations as `ExposureEvent`s, through a bounded buffer.
///
/// The buffer keeps the newest `bufferSize` events the consumer has not read; an evaluation never waits for the
/// consumer, and the events pushed out are counted in `dropped` and in the swift-metrics counter
/// `flag_exposure_events_dropped_total`.
///
/// ```swift
/// let exposures = ExposureEvents(store: store, sampling: .fraction(0.1))
/// Task {
///     for await event in exposures.events { analytics.send(event) }
/// }
/// ```
///
/// Values forced by test overrides are not exposures. Creating the stream costs evaluations an event each
/// (strings retained, a lock inside `AsyncStream` for the append); `sampling` decides before any of that.
public final class ExposureEvents: Sendable {
    /// The label of the counter of dropped events.
    public static let droppedLabel = "flag_exposure_events_dropped_total"

    /// The events, oldest first. One consumer.
    public let events: AsyncStream<ExposureEvent>
    private let producer: ExposureProducer
    /// The store observed.
    public let store: FlagStore
    private let observerID: UInt64

    /// Starts streaming `store`'s evaluations: the newest `bufferSize` unread ones are kept.
    public init(store: FlagStore, bufferSize: Int = 4096, sampling: ExposureSampling = .all, factory: any MetricsFactory = MetricsSystem.factory) {
        let (events, continuation) = AsyncStream.makeStream(of: ExposureEvent.self, bufferingPolicy: .bufferingNewest(max(bufferSize, 1)))
        self.events = events
        self.store = store
        producer = ExposureProducer(continuation: continuation, sampling: sampling,
                                    droppedCounter: Counter(label: Self.droppedLabel, factory: factory))
        observerID = store.addObserver(producer)
    }

    /// How many events were pushed out of the buffer before the consumer read them.
    public var dropped: Int { producer.dropped.load(ordering: .relaxed) }

    /// Stops streaming: the consumer reads what is buffered, then the stream ends.
    public func finish() {
        store.removeObserver(observerID)
        producer.continuation.finish()
    }

    deinit {
        finish()
    }
}

/// The observer behind `ExposureEvents`.
final class ExposureProducer: EvaluationObserver {
    let continuation: AsyncStream<ExposureEvent>.Continuation
    /// Buckets (of 10,000) below which a targeting key is sampled; nil samples everything.
    private let sampledBelow: UInt64?
    let dropped = Atomic<Int>(0)
    private let droppedCounter: Counter

    init(continuation: AsyncStream<ExposureEvent>.Continuation, sampling: ExposureSampling, droppedCounter: Counter) {
        self.continuation = continuation
        self.droppedCounter = droppedCounter
        switch sampling {
        case .all: sampledBelow = nil
        case .fraction(let fraction): sampledBelow = UInt64((min(max(fraction, 0), 1) * 10_000).rounded())
        }
    }

    /// Whether evaluations for `targetingKey` are sampled.
    static func isSampled(_ targetingKey: String?, below bound: UInt64) -> Bool {
        guard let targetingKey else { return false }
        return (UInt64(Murmur3.hash(targetingKey)) * 10_000) >> 32 < bound
    }

    func observe(_ evaluation: borrowing ObservedEvaluation) {
        if let sampledBelow, !Self.isSampled(evaluation.targetingKey, below: sampledBelow) { return }
        let flagKey = evaluation.flagIndex.map { evaluation.snapshot.flagKey(at: $0) } ?? evaluation.key
        let variant = evaluation.variantIndex.map { evaluation.snapshot.variantName($0, ofFlagAt: evaluation.flagIndex!) }
        let event = ExposureEvent(flagKey: flagKey, variant: variant, reason: evaluation.reason, errorCode: evaluation.errorCode,
                                  targetingKey: evaluation.targetingKey, snapshotID: evaluation.snapshot.snapshot.id,
                                  time: evaluation.now())
        if case .dropped = continuation.yield(event) {
            dropped.add(1, ordering: .relaxed)
            droppedCounter.increment()
        }
    }
}
