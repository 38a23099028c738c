import Foundation

/// What one run of a program other than `flagc` (a script of the repository, pre-commit) produced.
struct ScriptRun: Sendable, CustomStringConvertible {
    /// The command line (for messages).
    var command: [String]
    /// The exit status.
    var status: Int32
    /// Everything written to standard output.
    var stdout: String
    /// Everything written to standard error.
    var stderr: String

    var description: String {
        "\(command.joined(separator: " ")) → exit \(status)\n--- stdout ---\n\(stdout)--- stderr ---\n\(stderr)"
    }
}

/// Runs the repository's scripts and other programs for the end-to-end tests.
enum ScriptProcess {
    /// The repository's root, found from this source file.
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Variables of the machine running the tests that would change what a CI script does (GitHub's, a runner's, an
    /// action's inputs, git's), removed before `environment` is applied.
    static func isCIVariable(_ name: String) -> Bool {
        ["GITHUB_", "RUNNER_", "INPUT_", "GIT_", "PRE_COMMIT"].contains { name.hasPrefix($0) } || name == "FLAGC"
    }

    /// Runs `arguments` (the program is looked up on PATH through `/usr/bin/env`) in `directory`, with the tests'
    /// environment minus CI variables, plus NO_COLOR=1, git without user or machine config, and `environment`; kills it
    /// after `timeout` seconds.
    static func run(_ arguments: [String], in directory: URL, environment: [String: String] = [:], timeout: TimeInterval = 120) throws -> ScriptRun {
        let captures = FileManager.default.temporaryDirectory.appendingPathComponent("flagc-script-io-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: captures, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: captures) }
        let outURL = captures.appendingPathComponent("stdout")
        let errURL = captures.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let outHandle = try FileHandle(forWritingTo: outURL)
        let errHandle = try FileHandle(forWritingTo: errURL)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.currentDirectoryURL = directory
        var merged = ProcessInfo.processInfo.environment.filter { !isCIVariable($0.key) }
        merged["NO_COLOR"] = "1"
        merged["GIT_CONFIG_GLOBAL"] = "/dev/null"
        merged["GIT_CONFIG_NOSYSTEM"] = "1"
        merged.merge(environment) { _, new in new }
        process.environment = merged
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = outHandle
        process.standardError = errHandle
        try process.run()
        try? outHandle.close()
        try? errHandle.close()

        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning {
            if Date() > deadline {
                process.terminate()
                process.waitUntilExit()
                throw SetupError(description: "\(arguments.joined(separator: " ")) did not finish within \(Int(timeout)) s and was terminated")
            }
            usleep(5_000)
        }
        process.waitUntilExit()
        return ScriptRun(
            command: arguments,
            status: process.terminationStatus,
            stdout: String(decoding: try Data(contentsOf: outURL), as: UTF8.self),
            stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self)
        )
    }
}
