@testable import FlagReload
import FlagRuntime
import FlagSignatures
import Foundation
import Synchronization
import Testing

/// `flagc watch`, run as a separate process: its start line, a line per reload and per rejected file.
@Suite(.timeLimit(.minutes(2)))
struct WatchCommandTests {
    @Test(arguments: WatchMode.allCases)
    func printsTheStartReloadsAndRejections(mode: WatchMode) async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.file("snapshot.json")
        let first = Snapshots.generation(1), second = Snapshots.generation(2, extraFlags: [
            Flag(key: "new.flag", type: .string, variants: [Variant(name: "a", value: .string("A"))], defaultVariant: "a"),
        ])
        try Files.writeAtomically(first.jsonBytes(), to: path)
        let arguments = [path, "gen", "--targeting-key", "u1", "--attr", "plan=pro"]
            + (mode == .events ? ["--poll-interval", "3600"] : ["--polling-only", "--poll-interval", "0.02"])
        let watch = try WatchProcess(arguments, in: folder)
        defer { watch.stop() }

        let start = "serving \(first.id): 2 flags; gen = 1 (variant v1, reason STATIC)"
        #expect(await watch.waitForLine { $0 == start }, "\(watch.output)")

        try Files.writeAtomically(second.jsonBytes(), to: path)
        let reloaded = "reloaded \(second.id) (was \(first.id)): changed gen, new.flag; gen = 2 (variant v2, reason STATIC)"
        #expect(await watch.waitForLine { $0 == reloaded }, "\(watch.output)")

        try Files.writeInPlace([], to: path)
        let rejected = "rejected \(path): the file is empty; still serving \(second.id)"
        #expect(await watch.waitForLine { $0 == rejected }, "\(watch.output)")

        try Files.writeAtomically(second.jsonBytes(), to: path)  // the same snapshot again: nothing printed
        try Files.writeAtomically(first.jsonBytes(), to: path)
        let back = "reloaded \(first.id) (was \(second.id)): changed gen, new.flag; gen = 1 (variant v1, reason STATIC)"
        #expect(await watch.waitForLine { $0 == back }, "\(watch.output)")
        #expect(watch.lines == [start, reloaded, rejected, back], "\(watch.output)")
    }

    /// With --trusted-key, a validly signed but older snapshot (a replay) is rejected; --accept-older serves it.
    @Test func olderSignedSnapshotsAreRejectedUnlessAccepted() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let key = try SnapshotSigningKey(rawRepresentation: Array(repeating: 3, count: 32))
        try Files.writeAtomically(Array(key.publicKey.keyFileText.utf8), to: folder.file("ci.pub"))
        let path = folder.file("snapshot.bin")
        let newer = Snapshots.generation(2), older = Snapshots.generation(1)
        func signed(_ snapshot: Snapshot, _ sequence: UInt64) throws -> [UInt8] {
            try snapshot.binaryBytes(signer: key, provenance: SnapshotProvenance(sequence: sequence, issuedAt: 1_800_000_000 + Int64(sequence)))
        }
        for acceptOlder in [false, true] {
            try Files.writeAtomically(try signed(newer, 5), to: path)
            let watch = try WatchProcess([path, "--trusted-key", folder.file("ci.pub"), "--polling-only", "--poll-interval", "0.02"]
                + (acceptOlder ? ["--accept-older"] : []), in: folder)
            defer { watch.stop() }
            #expect(await watch.waitForLine { $0 == "serving \(newer.id): 2 flags" }, "\(watch.output)")
            try Files.writeAtomically(try signed(older, 3), to: path)
            if acceptOlder {
                #expect(await watch.waitForLine { $0.hasPrefix("reloaded \(older.id) (was \(newer.id))") }, "\(watch.output)")
            } else {
                let rejected = "rejected \(path): the snapshot is older than the one being served (sequence 3 < 5): a replayed snapshot is refused; accept older snapshots to roll back on purpose; still serving \(newer.id)"
                #expect(await watch.waitForLine { $0 == rejected }, "\(watch.output)")
            }
        }
    }

    @Test func aMissingSnapshotAtStartExitsWithOne() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let watch = try WatchProcess([folder.file("missing.json")], in: folder)
        #expect(await eventually { !watch.isRunning })
        #expect(watch.exitStatus == 1)
        #expect(watch.errors.hasPrefix("error: cannot load \(folder.file("missing.json")): "))
    }

    @Test func aBadAttributeIsAUsageError() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let watch = try WatchProcess([folder.file("snapshot.json"), "gen", "--attr", "novalue"], in: folder)
        #expect(await eventually { !watch.isRunning })
        #expect(watch.exitStatus == 2)
        #expect(watch.errors.contains("--attr 'novalue' has no '='"))
    }
}

/// A running `flagc` process whose standard output and error go to files, read as the test waits.
final class WatchProcess: Sendable {
    private let process: Mutex<Process>
    private let outputPath: String
    private let errorPath: String

    init(_ arguments: [String], in folder: TemporaryFolder) throws {
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent("flagc")
        guard FileManager.default.isExecutableFile(atPath: executable.path) else {
            throw SetupError(description: "flagc was not found at \(executable.path); build it (swift build --build-tests) first")
        }
        outputPath = folder.file("watch.stdout")
        errorPath = folder.file("watch.stderr")
        _ = FileManager.default.createFile(atPath: outputPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errorPath, contents: nil)
        let process = Process()
        process.executableURL = executable
        process.arguments = ["watch"] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["NO_COLOR"] = "1"
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
        let errors = try FileHandle(forWritingTo: URL(fileURLWithPath: errorPath))
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        try? output.close()
        try? errors.close()
        self.process = Mutex(process)
    }

    struct SetupError: Error, CustomStringConvertible {
        var description: String
    }

    /// Everything printed so far.
    var output: String { (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "" }
    /// Everything written to standard error so far.
    var errors: String { (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? "" }
    /// The complete lines printed so far.
    var lines: [String] {
        var lines = output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines.removeLast()  // after the last newline: empty, or a line still being written
        return lines
    }

    var isRunning: Bool { process.withLock { $0.isRunning } }
    var exitStatus: Int32 { process.withLock { $0.terminationStatus } }

    func waitForLine(_ matches: (String) -> Bool) async -> Bool {
        await eventually { lines.contains(where: matches) }
    }

    func stop() {
        process.withLock { process in
            if process.isRunning {
                process.terminate()
                process.waitUntilExit()
            }
        }
    }
}
