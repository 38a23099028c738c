import FlagRuntime
import Synchronization

/// Hands every reload outcome to each subscribed `AsyncStream`, in the order the reloads happened.
///
/// Streams buffer without limit (reloads are rare and each outcome is small) and end when they are cancelled,
/// when their consumer drops them, or when the broadcaster goes away with its watcher.
final class ReloadBroadcaster: Sendable {
    private struct Subscribers {
        var nextToken = 0
        var outcomes: [Int: AsyncStream<SnapshotReloadOutcome>.Continuation] = [:]
        var changes: [Int: AsyncStream<SnapshotChange>.Continuation] = [:]
    }

    private let subscribers = Mutex(Subscribers())

    deinit {
        // Finish outside the lock: `finish()` runs termination handlers.
        let (outcomes, changes) = subscribers.withLock { subscribers in
            defer { subscribers = Subscribers() }
            return (Array(subscribers.outcomes.values), Array(subscribers.changes.values))
        }
        for continuation in outcomes { continuation.finish() }
        for continuation in changes { continuation.finish() }
    }

    /// A new stream of every outcome from now on.
    func outcomes() -> AsyncStream<SnapshotReloadOutcome> {
        let (stream, continuation) = AsyncStream.makeStream(of: SnapshotReloadOutcome.self, bufferingPolicy: .unbounded)
        let token = subscribers.withLock { subscribers in
            let token = subscribers.nextToken
            subscribers.nextToken += 1
            subscribers.outcomes[token] = continuation
            return token
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.subscribers.withLock { $0.outcomes.removeValue(forKey: token) }
        }
        return stream
    }

    /// A new stream of every change (successful reload) from now on.
    func changes() -> AsyncStream<SnapshotChange> {
        let (stream, continuation) = AsyncStream.makeStream(of: SnapshotChange.self, bufferingPolicy: .unbounded)
        let token = subscribers.withLock { subscribers in
            let token = subscribers.nextToken
            subscribers.nextToken += 1
            subscribers.changes[token] = continuation
            return token
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.subscribers.withLock { $0.changes.removeValue(forKey: token) }
        }
        return stream
    }

    /// Sends `outcome` to every outcome stream and, for a reload, its change to every change stream.
    ///
    /// Called with the reloader's lock held, so subscribers see outcomes in reload order; `yield` never blocks.
    func publish(_ outcome: SnapshotReloadOutcome) {
        subscribers.withLock { subscribers in
            for continuation in subscribers.outcomes.values { continuation.yield(outcome) }
            if case .reloaded(let change) = outcome {
                for continuation in subscribers.changes.values { continuation.yield(change) }
            }
        }
    }
}
