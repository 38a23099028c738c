import FlagRuntime
import FlagReload
import Hummingbird
import ServiceLifecycle
import Synchronization

/// The OFREP 0.3 change notifications: every open `GET /ofrep/v1/events` stream gets
/// `data: {"etag":"SNAPSHOT_ID","type":"refetchEvaluation"}` after each reload, and re-fetches its bulk
/// evaluation. The number of open streams is bounded (`maximumStreams`); each stream buffers at most a few
/// events (a client that does not read loses old ones, and the next event tells it to re-fetch anyway).
final class EventStreams: Sendable {
    private struct State {
        var streams: [UInt64: AsyncStream<ByteBuffer>.Continuation] = [:]
        var nextStream: UInt64 = 0
        var nextEvent: UInt64 = 0
        var closed = false
    }
    private let state = Mutex(State())
    /// The most streams open at once; more get 503.
    let maximumStreams: Int

    /// Creates the broadcaster.
    init(maximumStreams: Int = 1024) {
        self.maximumStreams = maximumStreams
    }

    /// The number of open streams.
    var count: Int { state.withLock { $0.streams.count } }

    /// A new stream of encoded events, or nil when `maximumStreams` are open or the server is shutting down.
    func subscribe() -> AsyncStream<ByteBuffer>? {
        let (stream, continuation) = AsyncStream.makeStream(of: ByteBuffer.self, bufferingPolicy: .bufferingNewest(4))
        let id: UInt64? = state.withLock { state in
            guard !state.closed, state.streams.count < maximumStreams else { return nil }
            let id = state.nextStream
            state.nextStream += 1
            state.streams[id] = continuation
            return id
        }
        guard let id else { return nil }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.streams.removeValue(forKey: id) }
        }
        return stream
    }

    /// Sends `refetchEvaluation` with `etag` (the new snapshot's id) to every open stream.
    func publishRefetch(etag: String) {
        state.withLock { state in
            state.nextEvent += 1
            var data = JSONEmitter(style: .compact, capacity: 64 + etag.utf8.count)
            data.beginObject()
            data.member("etag", etag)
            data.member("type", "refetchEvaluation")
            data.endObject()
            let event = ByteBuffer(string: "id: \(state.nextEvent)\nevent: message\ndata: \(String(decoding: data.finish(), as: UTF8.self))\n\n")
            for continuation in state.streams.values { continuation.yield(event) }
        }
    }

    /// Sends a comment line to every open stream (a write to a closed connection fails and ends its stream).
    func publishKeepAlive() {
        let comment = ByteBuffer(string: ": keep-alive\n\n")
        state.withLock { state in
            for continuation in state.streams.values { continuation.yield(comment) }
        }
    }

    /// Ends every stream and refuses new ones (graceful shutdown: their responses finish, so the server can stop).
    func close() {
        let streams = state.withLock { state in
            state.closed = true
            defer { state.streams.removeAll() }
            return Array(state.streams.values)
        }
        for continuation in streams { continuation.finish() }
    }
}

/// Publishes a `refetchEvaluation` event (and updates the served-snapshot metrics) after each reload, and closes
/// the event streams on graceful shutdown. It must come after the HTTP server in the service group, so that
/// it shuts down first: open streams are in-flight requests the server would otherwise wait for.
struct EventStreamService: Service {
    /// The watcher whose reloads are announced.
    let watcher: SnapshotFileWatcher
    /// The streams the events go to.
    let streams: EventStreams
    /// The metrics told which snapshot is served.
    let metrics: ServerMetrics
    /// Subscribed when the server was built, so that no reload after start-up goes unannounced.
    let changes: AsyncStream<SnapshotChange>
    /// Marked when graceful shutdown begins (`/readyz` answers 503 from then on).
    let draining: ShutdownState
    /// How often an idle stream gets a comment line, so that a closed connection is noticed and its slot freed.
    static let keepAliveInterval: Duration = .seconds(15)

    /// Announces reloads until graceful shutdown, then closes the streams.
    func run() async throws {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { [streams] in
                // A cancelled sleep ends the loop at once: publishing after it sent a keep-alive to streams that
                // were being closed.
                while (try? await Task.sleep(for: Self.keepAliveInterval)) != nil {
                    streams.publishKeepAlive()
                }
            }
            for await change in changes.cancelOnGracefulShutdown() {
                metrics.served(change.newID)
                streams.publishRefetch(etag: change.newID)
            }
            draining.drain()
            streams.close()
            group.cancelAll()
        }
    }
}
