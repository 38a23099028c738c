import FlagReload
import FlagRuntime
import ServiceLifecycle

/// Runs a `SnapshotFileWatcher` as a swift-service-lifecycle `Service`: it watches the snapshot file until the
/// service group shuts down gracefully (or is cancelled), then returns once the watcher has stopped.
///
/// ```swift
/// let watcher = try SnapshotFileWatcher(path: "/etc/flags/snapshot.json", environment: "production")
/// let group = ServiceGroup(configuration: .init(
///     services: [.init(service: SnapshotWatcherService(watcher)), .init(service: httpServer)],
///     gracefulShutdownSignals: [.sigterm], logger: logger))
/// try await group.run()   // evaluate with watcher.store in the meantime
/// ```
public struct SnapshotWatcherService: Service {
    /// The watcher this service runs.
    public let watcher: SnapshotFileWatcher

    /// Creates a service running `watcher`.
    public init(_ watcher: SnapshotFileWatcher) {
        self.watcher = watcher
    }

    /// Watches until graceful shutdown or cancellation; never throws.
    public func run() async throws {
        await cancelWhenGracefulShutdown { [watcher] in
            await watcher.run()
        }
    }
}
