@testable import FlagReload
@testable import FlagRuntime
import Foundation
import Logging
import Metrics
import Synchronization
import Testing

// MARK: Snapshots

/// Valid snapshots that differ by a generation number.
enum Snapshots {
    static let booleans = [Variant(name: "true", value: .boolean(true)), Variant(name: "false", value: .boolean(false))]

    /// A snapshot with its id computed from its content, as the loader requires.
    static func make(_ flags: [Flag], environment: String? = nil, revision: String? = nil) -> Snapshot {
        let sorted = flags.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
        return Snapshot(revision: revision, environment: environment, flags: sorted)
    }

    /// `gen` serves `generation` (variant `vN`, metadata `generation: N`); `stable` never changes.
    /// Every part of `gen` names the generation, so an evaluation mixing two snapshots would show.
    static func generation(_ generation: Int, extraFlags: [Flag] = []) -> Snapshot {
        make([
            Flag(key: "gen", type: .integer, variants: [Variant(name: "v\(generation)", value: .integer(Int64(generation)))],
                 defaultVariant: "v\(generation)", metadata: FlagMetadata(values: ["generation": .integer(Int64(generation))])),
            Flag(key: "stable", type: .boolean, variants: booleans, defaultVariant: "true"),
        ] + extraFlags)
    }

    /// The generation a store serves (nil when `gen` is missing).
    static func servedGeneration(_ store: FlagStore) -> Int? {
        let details = store.integerDetails("gen", default: -1)
        return details.reason == .error ? nil : Int(details.value)
    }
}

// MARK: Temporary folders and file writers

/// A fresh folder under the system's temporary folder, removed by `remove()`.
struct TemporaryFolder: Sendable {
    let path: String

    init(_ label: String = "reload") throws {
        var template = Array((NSTemporaryDirectory() as NSString).appendingPathComponent("flagc-\(label)-XXXXXX").utf8CString)
        guard let created = mkdtemp(&template) else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        path = String(cString: created)
        chmod(path, 0o755)
    }

    func file(_ name: String) -> String { path + "/" + name }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}

enum Files {
    /// Opens the existing file (or creates it), truncates it, writes `bytes` and closes it: a write in place.
    static func writeInPlace(_ bytes: [UInt8], to path: String) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        defer { close(descriptor) }
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
            guard written >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
            offset += written
        }
    }

    /// Writes `bytes` to a temporary file in the same folder and renames it over `path`.
    static func writeAtomically(_ bytes: [UInt8], to path: String) throws {
        let temporary = path + ".tmp-\(UUID().uuidString.prefix(8))"
        try writeInPlace(bytes, to: temporary)
        guard rename(temporary, path) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    }

    /// Points the symlink `link` at `target` atomically (a new link renamed over the old one).
    static func flipSymlink(_ link: String, to target: String) throws {
        let temporary = link + ".tmp-\(UUID().uuidString.prefix(8))"
        guard symlink(target, temporary) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        guard rename(temporary, link) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    }

    static func makeFolder(_ path: String) throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
}

/// A Kubernetes ConfigMap volume as the kubelet's atomic writer lays it out: each update goes to a new
/// timestamped folder, `..data` is a symlink to the current one (replaced by renaming `..data_tmp` over it),
/// and the visible `snapshot.json` is a symlink to `..data/snapshot.json`. The old folder is then removed.
struct ConfigMapVolume {
    let folder: String
    private var generation = 0
    private var current: String?

    init(folder: String) {
        self.folder = folder
    }

    /// The path a service reads.
    var visiblePath: String { folder + "/snapshot.json" }

    mutating func publish(_ bytes: [UInt8]) throws {
        generation += 1
        let name = "..2026_01_01_00_00_\(String(format: "%02d", generation % 60)).\(UUID().uuidString.prefix(9))"
        try Files.makeFolder(folder + "/" + name)
        try Files.writeInPlace(bytes, to: folder + "/" + name + "/snapshot.json")
        let temporary = folder + "/..data_tmp"
        unlink(temporary)
        guard symlink(name, temporary) == 0, rename(temporary, folder + "/..data") == 0 else {
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
        }
        if current == nil, symlink("..data/snapshot.json", visiblePath) != 0 {
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
        }
        if let current { try FileManager.default.removeItem(atPath: folder + "/" + current) }
        current = name
    }
}

// MARK: Waiting

/// Waits until `condition` holds, checking every millisecond, for at most `timeout`; returns whether it held.
/// (A condition with a deadline, not a fixed sleep: a passing test waits only as long as the reload takes.)
func eventually(within timeout: Duration = .seconds(30), _ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while !condition() {
        if ContinuousClock.now >= deadline { return condition() }
        try? await Task.sleep(for: .milliseconds(1))
    }
    return true
}

/// Collects every outcome a watcher reports, for tests to wait on.
final class OutcomeRecorder: Sendable {
    private final class Storage: Sendable {
        let outcomes = Mutex<[SnapshotReloadOutcome]>([])
    }

    private let storage = Storage()
    private let task: Task<Void, Never>

    init(_ watcher: SnapshotFileWatcher) {
        let stream = watcher.outcomes()
        let storage = self.storage
        task = Task { for await outcome in stream { storage.outcomes.withLock { $0.append(outcome) } } }
    }

    deinit { task.cancel() }

    var all: [SnapshotReloadOutcome] { storage.outcomes.withLock { $0 } }

    var rejections: [SnapshotReloadFailure] {
        all.compactMap { if case .rejected(let failure) = $0 { failure } else { nil } }
    }

    var changes: [SnapshotChange] {
        all.compactMap { if case .reloaded(let change) = $0 { change } else { nil } }
    }

    /// Waits for a rejection whose reason contains `text`.
    func waitForRejection(containing text: String, within timeout: Duration = .seconds(30)) async -> SnapshotReloadFailure? {
        _ = await eventually(within: timeout) { rejections.contains { $0.reason.contains(text) } }
        return rejections.first { $0.reason.contains(text) }
    }
}

// MARK: Watch modes

/// How a test watches: with inotify (polling so rare that only events can explain a quick reload) or by
/// polling alone (often, so tests stay quick).
enum WatchMode: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case events
    case polling

    var testDescription: String { rawValue }

    func options(logger: Logger = Logger(label: "flagc.reload.test", factory: { _ in SwiftLogNoOpLogHandler() }),
                 metrics: (any MetricsFactory)? = nil, fileSystem: any SnapshotFileSystem = LocalSnapshotFileSystem(),
                 maximumFileSize: Int = SnapshotLoader.maximumFileSize) -> SnapshotFileWatcher.Options {
        switch self {
        case .events:
            SnapshotFileWatcher.Options(pollInterval: .seconds(3600), usesFileEvents: true,
                                        maximumFileSize: maximumFileSize, logger: logger, metricsFactory: metrics, fileSystem: fileSystem)
        case .polling:
            SnapshotFileWatcher.Options(pollInterval: .milliseconds(20), usesFileEvents: false,
                                        maximumFileSize: maximumFileSize, logger: logger, metricsFactory: metrics, fileSystem: fileSystem)
        }
    }
}

/// Runs `body` while `watcher.run()` runs in a child task, then cancels the watch and waits for it to end.
func whileWatching<T>(_ watcher: SnapshotFileWatcher, _ body: () async throws -> T) async rethrows -> T {
    let running = Task { await watcher.run() }
    defer { running.cancel() }
    let result = try await body()
    running.cancel()
    await running.value
    return result
}

// MARK: Metrics and logs

/// Counts `flagc_reloads_total` per `result` in memory.
final class CountingMetrics: MetricsFactory {
    private let counts = Mutex<[String: Int64]>([:])

    func count(_ result: String) -> Int64 { counts.withLock { $0[result] ?? 0 } }

    func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        let result = dimensions.first { $0.0 == "result" }?.1 ?? "?"
        return Handler(key: "\(label){result=\(result)}", result: result, counts: self)
    }

    func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler { Unused() }
    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler { Unused() }
    func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler { Unused() }
    func destroyCounter(_ handler: any CounterHandler) {}
    func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) {}
    func destroyRecorder(_ handler: any RecorderHandler) {}
    func destroyTimer(_ handler: any TimerHandler) {}

    private final class Handler: CounterHandler {
        let key: String
        let result: String
        let counts: CountingMetrics
        init(key: String, result: String, counts: CountingMetrics) {
            self.key = key
            self.result = result
            self.counts = counts
        }
        func increment(by amount: Int64) {
            counts.counts.withLock { $0[key, default: 0] += amount; $0[result, default: 0] += amount }
        }
        func reset() {}
    }

    private final class Unused: FloatingPointCounterHandler, RecorderHandler, TimerHandler {
        func increment(by: Double) {}
        func reset() {}
        func record(_ value: Int64) {}
        func record(_ value: Double) {}
        func recordNanoseconds(_ duration: Int64) {}
    }
}

/// Keeps every log message (level and text with metadata) in memory.
final class CapturedLogs: Sendable {
    private let lines = Mutex<[String]>([])

    var all: [String] { lines.withLock { $0 } }

    var logger: Logger {
        Logger(label: "flagc.reload.test") { label in Handler(sink: self) }
    }

    fileprivate func append(_ line: String) { lines.withLock { $0.append(line) } }

    private struct Handler: LogHandler {
        let sink: CapturedLogs
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let merged = metadata.merging(event.metadata ?? [:]) { $1 }
            let rendered = merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            sink.append("\(event.level) \(event.message) \(rendered)")
        }
    }
}

// MARK: Descriptors

enum Descriptors {
    /// How many descriptors this process has open.
    static func openCount() -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? -1
    }

    /// How many threads this process has.
    static func threadCount() -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task").count) ?? -1
    }

    /// Whether some inotify descriptor of this process watches the folder at `path` (by its inode).
    static func inotifyWatches(_ path: String) -> Bool {
        var status = stat()
        guard stat(path, &status) == 0 else { return false }
        let inode = String(UInt64(status.st_ino), radix: 16)
        let descriptors = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        for descriptor in descriptors {
            guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/" + descriptor),
                  target == "anon_inode:inotify",
                  let info = try? String(contentsOfFile: "/proc/self/fdinfo/" + descriptor, encoding: .utf8) else { continue }
            if info.split(separator: "\n").contains(where: { $0.hasPrefix("inotify ") && $0.contains(" ino:\(inode) ") }) { return true }
        }
        return false
    }
}
