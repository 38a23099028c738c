// Reload latency of SnapshotFileWatcher: the time from `rename()` of a new snapshot file over the watched one to
// the first evaluation, on a thread that evaluates in a loop, that returns the new snapshot's value.
//
// For each mode (inotify events with the default 1 s polling behind them; polling alone), each iteration
// writes the next snapshot to a temporary file in the same folder, waits a random time (0–`gap` ms with
// inotify; 0–one polling interval when polling, so renames fall at random points of the polling period),
// takes the time, renames, then evaluates until the new value shows. Two snapshots (`bench.gen` serving 0 and 1)
// are compiled once and renamed in turn, so every rename is a reload to another id, however large they are.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import FlagCompiler
import FlagReload
import FlagRuntime

struct Settings {
    var iterations = 300
    var pollingIterations = 100
    var flags = 100
    var pollIntervalMilliseconds = 1000
    var gapMilliseconds = 20
    var modes = ["events", "polling"]
    /// `json` (`snapshot.json`) or `binary` (`snapshot.bin`).
    var format = "json"

    init(_ arguments: [String]) {
        var index = 1
        func value() -> String {
            index += 1
            guard index < arguments.count else { fatalError("\(arguments[index - 1]) needs a value") }
            return arguments[index]
        }
        while index < arguments.count {
            switch arguments[index] {
            case "--iterations": iterations = Int(value())!
            case "--polling-iterations": pollingIterations = Int(value())!
            case "--flags": flags = Int(value())!
            case "--poll-interval-ms": pollIntervalMilliseconds = Int(value())!
            case "--gap-ms": gapMilliseconds = Int(value())!
            case "--format":
                format = value()
                guard format == "json" || format == "binary" else { fatalError("--format takes json or binary") }
            case "--mode":
                let mode = value()
                modes = mode == "both" ? ["events", "polling"] : [mode]
            default: fatalError("unknown argument \(arguments[index]); see Benchmarks/reload/README.md")
            }
            index += 1
        }
    }
}

func monotonicNanoseconds() -> Int64 {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec)
}

/// `bench.gen` serves `generation`; the other flags are padding with one tenant rule each. Compiled from YAML with
/// `FlagCompiler`, as `flagc compile` would (the snapshot model cannot be built by hand outside the package).
func snapshot(generation: Int, flags: Int) -> Snapshot {
    var yaml = "flags:\n  bench.gen:\n    description: Generation\n    owner: team-bench\n    variants: { v: \(generation) }\n    default: v\n"
    for index in 0..<max(0, flags - 1) {
        yaml += "  padding.flag_\(index):\n    description: Padding flag \(index)\n    owner: team-bench\n    default: \(index % 2 == 0)\n"
        yaml += "    rules:\n      - when: { tenants: [acme, globex] }\n        serve: true\n"
    }
    let result = FlagCompiler(options: .init(paths: [])).compile(sources: [.init(path: "flags/bench.yaml", bytes: Array(yaml.utf8))])
    guard let snapshot = result.snapshot else { fatalError("the generated flags do not compile: \(result.diagnostics)") }
    return snapshot
}

/// The bytes of the snapshot file in the chosen form.
func encode(_ snapshot: Snapshot, format: String) -> [UInt8] {
    format == "binary" ? try! snapshot.binaryBytes() : snapshot.jsonBytes()
}

func write(_ bytes: [UInt8], to path: String) {
    let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    precondition(descriptor >= 0, "cannot write \(path)")
    var offset = 0
    while offset < bytes.count {
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
        precondition(written > 0)
        offset += written
    }
    close(descriptor)
}

func percentile(_ sorted: [Double], _ fraction: Double) -> Double {
    guard !sorted.isEmpty else { return .nan }
    let rank = Int((fraction * Double(sorted.count)).rounded(.up)) - 1
    return sorted[min(max(rank, 0), sorted.count - 1)]
}

func format(_ milliseconds: Double) -> String {
    let rounded = (milliseconds * 100).rounded() / 100
    return "\(rounded) ms"
}

func measure(mode: String, settings: Settings) async {
    var template = Array("/tmp/flagc-reload-bench-XXXXXX".utf8CString)
    guard let created = mkdtemp(&template) else { fatalError("mkdtemp failed") }
    let folder = String(cString: created)
    let name = settings.format == "binary" ? "snapshot.bin" : "snapshot.json"
    let path = folder + "/" + name
    let staging = folder + "/." + name + ".next"
    let files = [0, 1].map { encode(snapshot(generation: $0, flags: settings.flags), format: settings.format) }
    write(files[0], to: path)

    let options = SnapshotFileWatcher.Options(
        pollInterval: .milliseconds(settings.pollIntervalMilliseconds),
        usesFileEvents: mode == "events"
    )
    let watcher = try! SnapshotFileWatcher(path: path, options: options)
    let store = watcher.store
    let watching = Task { await watcher.run() }
    try? await Task.sleep(for: .milliseconds(200))  // let the watch thread start and arm before measuring

    let iterations = mode == "events" ? settings.iterations : settings.pollingIterations
    var latencies: [Double] = []
    latencies.reserveCapacity(iterations)
    var evaluations = 0
    for generation in 1...iterations {
        write(files[generation % 2], to: staging)
        let gap = mode == "events" ? settings.gapMilliseconds : settings.pollIntervalMilliseconds
        if gap > 0 {
            try? await Task.sleep(for: .milliseconds(Int.random(in: 0...gap)))
        }
        let start = monotonicNanoseconds()
        precondition(rename(staging, path) == 0)
        // The first evaluation that returns the new value ends the measurement (no sleeping in between).
        while store.integer("bench.gen", default: -1) != Int64(generation % 2) { evaluations += 1 }
        let end = monotonicNanoseconds()
        latencies.append(Double(end - start) / 1_000_000)
    }
    watching.cancel()
    await watching.value
    _ = system("rm -rf '\(folder)'")

    let sorted = latencies.sorted()
    let mean = latencies.reduce(0, +) / Double(latencies.count)
    let label = mode == "events" ? "inotify (polling every \(settings.pollIntervalMilliseconds) ms behind it)" : "polling alone, every \(settings.pollIntervalMilliseconds) ms"
    print("\(label): \(iterations) renames, \(settings.flags) flags (\(name), \(files[0].count) bytes)")
    print("  median \(format(percentile(sorted, 0.5))), p90 \(format(percentile(sorted, 0.9))), p99 \(format(percentile(sorted, 0.99))), max \(format(sorted.last ?? .nan)), mean \(format(mean)), min \(format(sorted.first ?? .nan))")
    print("  \(evaluations) evaluations while waiting")
}

let settings = Settings(CommandLine.arguments)
for mode in settings.modes {
    await measure(mode: mode, settings: settings)
}
