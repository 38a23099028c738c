// Usage: snapshot-load SNAPSHOT.bin SNAPSHOT.json [ITERATIONS]
//        snapshot-load --once FILE      (load once and exit, for measuring peak memory with /usr/bin/time -v)
//        snapshot-load --repeat FILE N  (decode N times, for profiling with perf)
//        snapshot-load --encode FILE N  (encode as binary N times, for profiling with perf)
//
// Prints, for each form, the file size and the median / min / max over ITERATIONS of:
//   load  — SnapshotLoader.load(contentsOfFile:): read the file, check it, decode it (what a service pays)
//   decode — SnapshotLoader.load(bytes:) from bytes already in memory
//   store — FlagStore(snapshot:) on the decoded snapshot (building the evaluation tables)
// and the heap bytes the decoded Snapshot keeps (glibc mallinfo2 before and after); then the time to encode each form.
import CHeap
import FlagRuntime

#if canImport(Glibc)
import Glibc
#endif

func now() -> UInt64 {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
}

/// CPU time of this thread, which other processes on a busy machine disturb less than wall time.
func cpuNow() -> UInt64 {
    var spec = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &spec)
    return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
}

func heapInUse() -> Int {
    Int(heap_in_use())
}

func milliseconds(_ nanoseconds: UInt64) -> String {
    let value = Double(nanoseconds) / 1e6
    return String(Double(Int(value * 100)) / 100)
}

struct Figures {
    var loadCPU: [UInt64] = []
    var load: [UInt64] = []
    var decode: [UInt64] = []
    var store: [UInt64] = []
}

func median(_ values: [UInt64]) -> UInt64 {
    let sorted = values.sorted()
    return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

func fileSize(_ path: String) -> Int {
    var status = stat()
    return stat(path, &status) == 0 ? Int(status.st_size) : -1
}

func readBytes(_ path: String) -> [UInt8] {
    guard let file = fopen(path, "rb") else { fatalError("cannot open \(path)") }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let count = fread(&buffer, 1, buffer.count, file)
        if count == 0 { break }
        bytes.append(contentsOf: buffer[..<count])
    }
    return bytes
}

let arguments = CommandLine.arguments
if arguments.count == 4, arguments[1] == "--repeat" {
    // For profiling: decode the file N times.
    let bytes = readBytes(arguments[2])
    for _ in 0..<(Int(arguments[3]) ?? 100) { _ = try SnapshotLoader.load(bytes: bytes) }
    exit(0)
}
if arguments.count == 4, arguments[1] == "--encode" {
    // For profiling: encode the snapshot in FILE as binary N times.
    let snapshot = try SnapshotLoader.load(contentsOfFile: arguments[2])
    for _ in 0..<(Int(arguments[3]) ?? 100) { _ = try snapshot.binaryBytes() }
    exit(0)
}
if arguments.count == 3, arguments[1] == "--once" {
    let snapshot = try SnapshotLoader.load(contentsOfFile: arguments[2])
    print("loaded \(snapshot.flags.count) flags")
    exit(0)
}
guard arguments.count >= 3 else {
    print("usage: snapshot-load SNAPSHOT.bin SNAPSHOT.json [ITERATIONS] | --once FILE")
    exit(2)
}
let iterations = arguments.count > 3 ? Int(arguments[3]) ?? 21 : 21
var reference: Snapshot?
var medians: [String: UInt64] = [:]
for (label, path) in [("binary", arguments[1]), ("json", arguments[2])] {
    let bytes = readBytes(path)
    var figures = Figures()
    // Warm up once, and measure what the decoded snapshot keeps on the heap.
    let before = heapInUse()
    var kept: Snapshot? = try SnapshotLoader.load(bytes: bytes)
    let retained = heapInUse() - before
    if let reference, reference != kept { fatalError("the two forms decode to different snapshots") }
    reference = kept
    kept = nil
    for _ in 0..<iterations {
        let cpuStart = cpuNow()
        var start = now()
        let fromFile = try SnapshotLoader.load(contentsOfFile: path)
        figures.load.append(now() - start)
        figures.loadCPU.append(cpuNow() - cpuStart)
        start = now()
        let fromBytes = try SnapshotLoader.load(bytes: bytes)
        figures.decode.append(now() - start)
        start = now()
        let store = FlagStore(snapshot: fromBytes)
        figures.store.append(now() - start)
        precondition(fromFile.flags.count == store.snapshot.flags.count)
    }
    medians[label] = median(figures.load)
    print("\(label): \(fileSize(path)) bytes, \(reference!.flags.count) flags, the decoded snapshot keeps \(retained / 1024) KiB of heap")
    for (name, values) in [("load (file → Snapshot)", figures.load), ("load, CPU time", figures.loadCPU), ("decode (bytes → Snapshot)", figures.decode), ("FlagStore(snapshot:)", figures.store)] {
        print("  \(name): median \(milliseconds(median(values))) ms, min \(milliseconds(values.min()!)) ms, max \(milliseconds(values.max()!)) ms")
    }
}
if let reference {
    var encodeBinary: [UInt64] = [], encodeJSON: [UInt64] = []
    for _ in 0..<iterations {
        var start = now()
        _ = try reference.binaryBytes()
        encodeBinary.append(now() - start)
        start = now()
        _ = reference.jsonBytes()
        encodeJSON.append(now() - start)
    }
    print("encoding (what flagc compile adds per form): binary median \(milliseconds(median(encodeBinary))) ms, JSON median \(milliseconds(median(encodeJSON))) ms")
}
if let binary = medians["binary"], let json = medians["json"] {
    print("binary loads \(String(Double(Int(Double(json) / Double(binary) * 10)) / 10))× faster than JSON (median load)")
}
