import FlagRuntime
import Hummingbird
import Metrics
import Synchronization

/// `flagc serve`'s metrics, through swift-metrics with an explicit factory (Prometheus for `/metrics`):
///
/// - `flagc_http_requests_total{route, status}`: requests by route pattern and status.
/// - `flagc_evaluations_total{flag, variant, reason}`: OFREP evaluations (unknown keys count as flag `""`, so
///   callers cannot grow the label set).
/// - `flagc_snapshot_info{id}` (1 for the served snapshot) and `flagc_snapshot_age_seconds` (since it was
///   served).
/// - `flagc_reloads_total{result}` comes from `SnapshotFileWatcher` with the same factory.
final class ServerMetrics: Sendable {
    /// The factory every metric is made by.
    let factory: any MetricsFactory

    private struct EvaluationKey: Hashable {
        var flag: String
        var variant: String
        var reason: String
    }
    private struct RequestKey: Hashable {
        var route: String
        var status: Int
    }
    private let evaluations = Mutex<[EvaluationKey: Counter]>([:])
    private let requests = Mutex<[RequestKey: Counter]>([:])
    private struct Served {
        var id: String
        var since: UInt64
        var info: Gauge
    }
    private let served: Mutex<Served>
    private let age: Gauge

    /// Creates the metrics for a server serving `snapshotID`.
    init(factory: any MetricsFactory, snapshotID: String) {
        self.factory = factory
        served = Mutex(Served(id: snapshotID, since: monotonicNanoseconds(), info: Self.info(snapshotID, factory)))
        age = Gauge(label: "flagc_snapshot_age_seconds", factory: factory)
    }

    private static func info(_ id: String, _ factory: any MetricsFactory) -> Gauge {
        let gauge = Gauge(label: "flagc_snapshot_info", dimensions: [("id", id)], factory: factory)
        gauge.record(1)
        return gauge
    }

    /// Counts one evaluation result.
    func count(_ evaluation: RemoteEvaluation) {
        let key: EvaluationKey
        switch evaluation {
        case .targetingKeyMissing(let flag, _):
            key = EvaluationKey(flag: flag, variant: "", reason: EvaluationReason.error.rawValue)
        case .evaluated(let details, _):
            let flag = details.errorCode == .flagNotFound ? "" : details.flagKey
            key = EvaluationKey(flag: flag, variant: details.variant ?? "", reason: details.reason.rawValue)
        }
        let counter = evaluations.withLock { counters in
            if let counter = counters[key] { return counter }
            let counter = Counter(label: "flagc_evaluations_total", dimensions: [("flag", key.flag), ("variant", key.variant), ("reason", key.reason)], factory: factory)
            counters[key] = counter
            return counter
        }
        counter.increment()
    }

    /// Counts one request by route pattern and status.
    func countRequest(route: String, status: Int) {
        let key = RequestKey(route: route, status: status)
        let counter = requests.withLock { counters in
            if let counter = counters[key] { return counter }
            let counter = Counter(label: "flagc_http_requests_total", dimensions: [("route", route), ("status", String(status))], factory: factory)
            counters[key] = counter
            return counter
        }
        counter.increment()
    }

    /// Records that `id` is now served: its info series replaces the old one, and its age restarts.
    func served(_ id: String) {
        let old: Gauge? = served.withLock { served in
            guard served.id != id else { return nil }
            let old = served.info
            served = Served(id: id, since: monotonicNanoseconds(), info: Self.info(id, factory))
            return old
        }
        old?.destroy()
    }

    /// Updates the age gauge (before each scrape).
    func updateAge() {
        let since = served.withLock { $0.since }
        age.record(Double(monotonicNanoseconds() - since) / 1e9)
    }
}

/// Counts every request in `ServerMetrics` by the route it matched (`unmatched` for none) and its status.
struct RequestMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Where the counts go.
    let metrics: ServerMetrics

    /// Passes the request on and counts its outcome.
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            let response = try await next(request, context)
            metrics.countRequest(route: context.endpointPath ?? "unmatched", status: response.status.code)
            return response
        } catch {
            metrics.countRequest(route: context.endpointPath ?? "unmatched", status: (error as? any HTTPResponseError)?.status.code ?? 500)
            throw error
        }
    }
}
