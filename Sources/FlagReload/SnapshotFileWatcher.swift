import FlagRuntime
import Logging
import Metrics
import Synchronization

/// Keeps a `FlagStore` serving the latest good snapshot from a file: it watches the file's folder (inotify on
/// Linux) and polls it, reloads off the evaluation path, swaps only snapshots that load and verify, and
/// reports every change.
///
/// ```swift
/// let watcher = try SnapshotFileWatcher(path: "/etc/flags/snapshot.json", environment: "production")
/// let store = watcher.store                       // evaluate with it from anywhere
/// Task { for await change in watcher.changes() { audit.record(change.oldID, change.newID, change.changedKeys) } }
/// await watcher.run()                             // watches until the task is cancelled
/// ```
///
/// Guarantees:
/// - An evaluation sees exactly one snapshot, old or new, never a mix; evaluations never wait for a reload.
/// - A file that is missing, unreadable, truncated, empty, a folder, too large, or whose id does not match its
///   content is rejected: the last good snapshot stays, the reason is logged and counted
///   (`flagc_reloads_total{result="failure"}`), and the file is tried again when it changes.
/// - A file holding the snapshot already served (same id) changes nothing (`result="unchanged"`).
/// - Every way of replacing the file is seen: writing it in place, renaming another file over it, flipping a
///   symlink, a Kubernetes ConfigMap update, deleting and re-creating it, creating its folder later. With
///   inotify a change is usually served within milliseconds; a polling check every `pollInterval` (default 1 s)
///   bounds the delay when an event is missed or inotify is unavailable.
public final class SnapshotFileWatcher: Sendable {
    /// How a watcher checks and reads its file.
    public struct Options: Sendable {
        /// How often the file's identity (resolved path, inode, size, times) is compared even without events.
        public var pollInterval: Duration
        /// How long a burst of events must stay quiet before the file is read (a burst is read at the latest
        /// after ten times this, or 50 ms).
        public var debounce: Duration
        /// Whether to watch with inotify (Linux); when false, or elsewhere, the watcher only polls.
        public var usesFileEvents: Bool
        /// Files larger than this many bytes are rejected unread.
        public var maximumFileSize: Int
        /// Where reload successes and failures are logged.
        public var logger: Logger
        /// Where `flagc_reloads_total` is counted; nil for the process's `MetricsSystem`.
        public var metricsFactory: (any MetricsFactory)?
        /// The file system the file is examined and read through.
        public var fileSystem: any SnapshotFileSystem

        /// Creates options; the defaults suit services.
        public init(
            pollInterval: Duration = .seconds(1),
            debounce: Duration = .milliseconds(2),
            usesFileEvents: Bool = true,
            maximumFileSize: Int = SnapshotLoader.maximumFileSize,
            logger: Logger = Logger(label: "flagc.reload"),
            metricsFactory: (any MetricsFactory)? = nil,
            fileSystem: any SnapshotFileSystem = LocalSnapshotFileSystem()
        ) {
            self.pollInterval = pollInterval
            self.debounce = debounce
            self.usesFileEvents = usesFileEvents
            self.maximumFileSize = maximumFileSize
            self.logger = logger
            self.metricsFactory = metricsFactory
            self.fileSystem = fileSystem
        }
    }

    /// The store the watcher keeps up to date.
    public let store: FlagStore
    /// The watched file, as given.
    public let path: String
    /// The options the watcher was created with.
    public let options: Options
    let reloader: SnapshotReloader
    private let broadcaster: ReloadBroadcaster

    /// Loads the snapshot file into a new store and prepares to watch it.
    ///
    /// Without a `fallback`, a file that is missing or not a valid snapshot is an error (thrown, saying why).
    /// With one (for example a snapshot built into the service), the store starts with the fallback, the failure
    /// is logged and counted, and `run()` upgrades to the file as soon as a good one appears. `environment`,
    /// `clock`, `signatureVerifier` and `freshnessPolicy` are the store's (see `FlagStore`); with a verifier, only
    /// snapshots it accepts are loaded, at start and on every reload (the fallback is taken as given, once validated), and no reload
    /// may serve a snapshot older than the one being served unless the policy accepts older snapshots.
    public init(path: String, environment: String? = nil, clock: any FlagClock = SystemClock(),
                signatureVerifier: (any SnapshotSignatureVerifier)? = nil,
                freshnessPolicy: SnapshotFreshnessPolicy = SnapshotFreshnessPolicy(), fallback: Snapshot? = nil,
                options: Options = Options()) throws(SnapshotLoadError) {
        let absolutePath = WatchPlan.absolute(path)
        let initial: Snapshot
        var startup: SnapshotReloader.InitialRead
        do {
            startup = try SnapshotReloader.readInitial(path: path, absolutePath: absolutePath, fileSystem: options.fileSystem,
                                                       maximumFileSize: options.maximumFileSize, verifier: signatureVerifier,
                                                       freshnessPolicy: freshnessPolicy, clock: clock)
            initial = startup.snapshot!
        } catch {
            guard let fallback else { throw error.error }
            startup = error
            initial = fallback
        }
        if startup.snapshot == nil {
            do {
                try SnapshotValidation.check(initial)
            } catch {
                throw SnapshotLoadError(path: "", reason: "the fallback snapshot: \(error)")
            }
        }
        do {
            try FlagStore.checkEnvironment(environment ?? initial.environment, of: initial)
        } catch {
            throw SnapshotLoadError(path: startup.snapshot == nil ? "" : path, reason: error.reason)
        }
        let store = FlagStore(snapshot: initial, provenance: startup.snapshot == nil ? nil : startup.provenance, environment: environment,
                              clock: clock, signatureVerifier: signatureVerifier, freshnessPolicy: freshnessPolicy)
        let broadcaster = ReloadBroadcaster()
        self.store = store
        self.path = path
        self.options = options
        self.broadcaster = broadcaster
        reloader = SnapshotReloader(store: store, path: path, absolutePath: absolutePath, fileSystem: options.fileSystem,
                                    maximumFileSize: options.maximumFileSize, logger: options.logger,
                                    metricsFactory: options.metricsFactory, broadcaster: broadcaster)
        reloader.recordStartup(startup)
    }

    /// Prepares to keep an existing store up to date from `path` (verified with the store's `signatureVerifier`);
    /// nothing is read until `run()` or `reload()`.
    public init(store: FlagStore, path: String, options: Options = Options()) {
        let broadcaster = ReloadBroadcaster()
        self.store = store
        self.path = path
        self.options = options
        self.broadcaster = broadcaster
        reloader = SnapshotReloader(store: store, path: path, absolutePath: WatchPlan.absolute(path), fileSystem: options.fileSystem,
                                    maximumFileSize: options.maximumFileSize, logger: options.logger,
                                    metricsFactory: options.metricsFactory, broadcaster: broadcaster)
    }

    /// Watches the file until the calling task is cancelled, then returns once every descriptor and the
    /// watch thread are gone. Checks the file at once on start.
    ///
    /// Runs on a dedicated thread (so it never blocks the concurrency pool); several concurrent runs are
    /// harmless but pointless.
    public func run() async {
        let thread: WatchThread
        do {
            thread = try WatchThread(reloader: reloader, pollInterval: Self.nanoseconds(options.pollInterval),
                                     debounce: Self.nanoseconds(options.debounce), usesFileEvents: options.usesFileEvents,
                                     logger: options.logger)
        } catch {
            options.logger.error("cannot start the flag snapshot watch thread; polling from a task", metadata: ["reason": "\(error.reason)"])
            await pollFromTask()
            return
        }
        let started = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                if !thread.start(onExit: { continuation.resume(returning: true) }) {
                    continuation.resume(returning: false)
                }
            }
        } onCancel: {
            thread.stop()
        }
        guard started else {
            options.logger.error("cannot start the flag snapshot watch thread; polling from a task")
            await pollFromTask()
            return
        }
        thread.join()
    }

    /// Checks the file now and reloads it if it holds another valid snapshot, on the calling thread (which
    /// blocks while the file is read and decoded). Always reads, even when the file looks unchanged.
    @discardableResult
    public func reload() -> SnapshotReloadOutcome {
        reloader.attempt(force: true, repeatFailures: true)!
    }

    /// A stream of every successful reload from now on: old and new ids and the flags that changed.
    ///
    /// Subscribe before the changes you want to see; each call returns a new, independent stream (unbounded
    /// buffer). The stream ends when its task is cancelled or the watcher is deallocated.
    public func changes() -> AsyncStream<SnapshotChange> {
        broadcaster.changes()
    }

    /// A stream of every reload attempt's outcome from now on: reloaded, unchanged (same id) and rejected (why).
    public func outcomes() -> AsyncStream<SnapshotReloadOutcome> {
        broadcaster.outcomes()
    }

    /// Polling without a thread, when none could be created: a check per interval from this task.
    private func pollFromTask() async {
        while !Task.isCancelled {
            reloader.attempt(force: false)
            try? await Task.sleep(for: options.pollInterval)
        }
    }

    static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
