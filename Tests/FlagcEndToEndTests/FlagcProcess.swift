import Foundation
import Testing

/// What one run of the `flagc` binary produced.
struct FlagcRun: Sendable, CustomStringConvertible {
    /// The arguments passed (for messages).
    var arguments: [String]
    /// The exit status.
    var status: Int32
    /// Everything written to standard output.
    var stdout: String
    /// Everything written to standard error.
    var stderr: String

    /// Standard output split into lines, without the final empty string after the last newline.
    var stdoutLines: [String] { FlagcRun.lines(stdout) }
    /// Standard error split into lines.
    var stderrLines: [String] { FlagcRun.lines(stderr) }

    static func lines(_ text: String) -> [String] {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        return lines
    }

    var description: String {
        "flagc \(arguments.joined(separator: " ")) → exit \(status)\n--- stdout ---\n\(stdout)--- stderr ---\n\(stderr)"
    }
}

/// Locates and runs the built `flagc` executable.
enum Flagc {
    /// `flagc` next to the running test executable (`.build/debug/` on Linux).
    static func executable() throws -> URL {
        var candidates = [
            URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent("flagc"),
        ]
        // On macOS the tests run inside `flagcPackageTests.xctest`, whose folder also holds `flagc`.
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            candidates.append(bundle.bundleURL.deletingLastPathComponent().appendingPathComponent("flagc"))
        }
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw SetupError(description: "the flagc executable was not found (looked at \(candidates.map(\.path).joined(separator: ", "))); build it with `swift build` before running FlagcEndToEndTests")
        }
        return found
    }

    /// Runs `flagc` with `arguments` in `directory`, with NO_COLOR=1, and waits for it (killing it after `timeout` seconds).
    /// Standard input is `/dev/null`, or the file `standardInput` when given.
    /// With a `launcher` (for example `["/usr/bin/setpriv", "--reuid=65534", …]`), that program runs `flagc`.
    static func run(_ arguments: [String], in directory: URL, standardInput: URL? = nil, timeout: TimeInterval = 60, launcher: [String] = []) throws -> FlagcRun {
        let executable = try executable()
        // Capture through files, not pipes: nothing to drain while the child runs, so no deadlock.
        let captures = FileManager.default.temporaryDirectory.appendingPathComponent("flagc-e2e-io-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: captures, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: captures) }
        let outURL = captures.appendingPathComponent("stdout")
        let errURL = captures.appendingPathComponent("stderr")
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let outHandle = try FileHandle(forWritingTo: outURL)
        let errHandle = try FileHandle(forWritingTo: errURL)

        let process = Process()
        if let program = launcher.first {
            process.executableURL = URL(fileURLWithPath: program)
            process.arguments = Array(launcher.dropFirst()) + [executable.path] + arguments
        } else {
            process.executableURL = executable
            process.arguments = arguments
        }
        process.currentDirectoryURL = directory
        var environment = ProcessInfo.processInfo.environment
        environment["NO_COLOR"] = "1"
        process.environment = environment
        let inHandle = try standardInput.map { try FileHandle(forReadingFrom: $0) }
        process.standardInput = inHandle ?? FileHandle.nullDevice
        process.standardOutput = outHandle
        process.standardError = errHandle
        try process.run()
        try? inHandle?.close()
        try? outHandle.close()
        try? errHandle.close()

        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning {
            if Date() > deadline {
                process.terminate()
                process.waitUntilExit()
                throw SetupError(description: "flagc \(arguments.joined(separator: " ")) did not finish within \(Int(timeout)) s and was terminated")
            }
            usleep(2_000)
        }
        process.waitUntilExit()
        let stdout = String(decoding: try Data(contentsOf: outURL), as: UTF8.self)
        let stderr = String(decoding: try Data(contentsOf: errURL), as: UTF8.self)
        if process.terminationReason == .uncaughtSignal {
            throw SetupError(description: "flagc \(arguments.joined(separator: " ")) was killed by signal \(process.terminationStatus)\n\(stderr)")
        }
        return FlagcRun(arguments: arguments, status: process.terminationStatus, stdout: stdout, stderr: stderr)
    }
}

/// A problem running the tests themselves (not a finding about flagc).
struct SetupError: Error, CustomStringConvertible {
    var description: String
}

/// A private temporary folder for one test, removed by `remove()`.
struct Sandbox {
    /// The folder; `flagc` runs with it as the current directory, so diagnostics show relative paths.
    let root: URL

    init() throws {
        root = FileManager.default.temporaryDirectory
            .appendingPathComponent("flagc-e2e-\(UUID().uuidString)")
            .resolvingSymlinksInPath()
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        // Stop the upward search for flagc.yaml (it ends at a folder holding .git), so a stray
        // flagc.yaml in a parent of the temporary folder cannot change the results.
        try FileManager.default.createDirectory(at: root.appendingPathComponent(".git"), withIntermediateDirectories: true)
    }

    func remove() {
        try? FileManager.default.removeItem(at: root)
    }

    func url(_ relativePath: String) -> URL {
        root.appendingPathComponent(relativePath)
    }

    /// Writes a UTF-8 file, creating its folders.
    func write(_ relativePath: String, _ contents: String) throws {
        let url = url(relativePath)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(contents.utf8).write(to: url)
    }

    /// Writes several files (path → contents).
    func write(_ files: [String: String]) throws {
        for (path, contents) in files { try write(path, contents) }
    }

    /// Copies a folder from `Fixtures/` into the sandbox.
    func copyFixture(_ name: String, to relativePath: String) throws {
        let source = Sandbox.fixtures.appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: source.path) else {
            throw SetupError(description: "fixture \(source.path) is missing")
        }
        let destination = url(relativePath)
        try FileManager.default.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: source, to: destination)
    }

    func exists(_ relativePath: String) -> Bool {
        FileManager.default.fileExists(atPath: url(relativePath).path)
    }

    func contents(_ relativePath: String) throws -> Data {
        try Data(contentsOf: url(relativePath))
    }

    /// The names in a folder, hidden ones included, sorted.
    func listing(_ relativePath: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: url(relativePath).path).sorted()
    }

    func modificationDate(_ relativePath: String) throws -> Date? {
        try FileManager.default.attributesOfItem(atPath: url(relativePath).path)[.modificationDate] as? Date
    }

    func setModificationDate(_ date: Date, of relativePath: String) throws {
        try FileManager.default.setAttributes([.modificationDate: date], ofItemAtPath: url(relativePath).path)
    }

    /// Runs `flagc` in the sandbox.
    func flagc(_ arguments: String...) throws -> FlagcRun {
        try Flagc.run(arguments, in: root)
    }

    func flagc(_ arguments: [String]) throws -> FlagcRun {
        try Flagc.run(arguments, in: root)
    }

    /// `Tests/FlagcEndToEndTests/Fixtures`, found from this source file (the folder is not a resource).
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
}

/// Runs `body` with a fresh sandbox and removes it afterwards.
func withSandbox(_ body: (Sandbox) throws -> Void) throws {
    let sandbox = try Sandbox()
    defer { sandbox.remove() }
    try body(sandbox)
}

/// One parsed text diagnostic line: `path:line:col: severity[rule]: message`.
struct TextDiagnostic: Equatable, CustomStringConvertible {
    var file: String
    var line: Int
    var column: Int
    var severity: String
    var rule: String
    var message: String

    /// Parses a line, or returns nil when it is not a diagnostic (a note, the summary).
    init?(_ text: String) {
        // The path may itself contain ':' (tested with a folder named a,b:c), so match from the label backwards.
        guard let labelRange = text.range(of: #": (error|warning)\[[a-z0-9-]+\]: "#, options: .regularExpression) else { return nil }
        let position = text[..<labelRange.lowerBound]
        let label = text[labelRange].dropFirst(2).dropLast(2)  // severity[rule]
        let parts = position.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count >= 3, let line = Int(parts[parts.count - 2]), let column = Int(parts[parts.count - 1]) else { return nil }
        guard let open = label.firstIndex(of: "[") else { return nil }
        file = parts.dropLast(2).joined(separator: ":")
        self.line = line
        self.column = column
        severity = String(label[..<open])
        rule = String(label[label.index(after: open)...].dropLast())
        message = String(text[labelRange.upperBound...])
    }

    /// `path:line:col: severity[rule]:`, the part the tests pin exactly.
    var prefix: String { "\(file):\(line):\(column): \(severity)[\(rule)]:" }

    var description: String { "\(prefix) \(message)" }
}

/// Compares `actual` with `Fixtures/PATH`; RECORD_SNAPSHOTS=1 rewrites the fixture instead.
func expectGolden(_ actual: String, fixture path: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let url = Sandbox.fixtures.appendingPathComponent(path)
    if ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] == "1" {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(actual.utf8).write(to: url)
        return
    }
    let expected = try? String(contentsOf: url, encoding: .utf8)
    #expect(expected == actual, "output differs from Fixtures/\(path) (RECORD_SNAPSHOTS=1 rewrites it):\n\(actual)", sourceLocation: sourceLocation)
}

/// `now` for every run where dates matter.
let fixedNow = ["--now", "2026-06-01T00:00:00Z"]

/// A valid flag file with one boolean flag.
func booleanFlag(_ key: String = "demo.feature", extra: String = "") -> String {
    "flags:\n  \(key):\n    description: Demo flag\n    owner: team-demo\n    default: false\n\(extra)"
}
