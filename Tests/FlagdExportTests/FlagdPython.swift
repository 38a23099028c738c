import Foundation

/// The Python that runs `scripts/flagd-evaluate.py` (OpenFeature's flagd evaluator, `openfeature-flagd-core`
/// 1.0.0) for the differential tests.
///
/// `FLAGC_FLAGD_PYTHON` names it (`.ci/run` sets it to its virtual environment); then it must work, and the
/// tests fail when it does not. Without the variable the tests try `python3` and are skipped, with the reason,
/// when it or the package is missing.
enum FlagdPython {
    /// The repository root, found from this file's path.
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    /// The evaluation script.
    static let script = repositoryRoot.appendingPathComponent("scripts/flagd-evaluate.py")
    /// flagd's published schemas: `FLAGD_SCHEMAS`, else `../shared/flagd-schemas` beside the repository.
    static let schemasFolder: URL = {
        if let path = ProcessInfo.processInfo.environment["FLAGD_SCHEMAS"], !path.isEmpty { return URL(fileURLWithPath: path) }
        return repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/flagd-schemas")
    }()

    /// Whether `FLAGC_FLAGD_PYTHON` is set, which makes the evaluator required rather than optional.
    static let isRequired = !(ProcessInfo.processInfo.environment["FLAGC_FLAGD_PYTHON"] ?? "").isEmpty
    /// The interpreter to run.
    static let interpreter = ProcessInfo.processInfo.environment["FLAGC_FLAGD_PYTHON"].flatMap { $0.isEmpty ? nil : $0 } ?? "python3"

    /// Whether the evaluator can run, and what `--check-environment` said (versions, or why not).
    static let availability: (usable: Bool, message: String) = {
        do {
            let run = try run(["--check-environment"], timeout: 60)
            let text = (run.stdout + run.stderr).trimmingCharacters(in: .whitespacesAndNewlines)
            return (run.status == 0, text)
        } catch {
            return (false, "\(interpreter) could not be started: \(error)")
        }
    }()

    /// Why the differential tests are skipped when they are.
    static var skipReason: String {
        "flagd differential test skipped: \(availability.message). Install it with `python3 -m venv .build/ci-venv && .build/ci-venv/bin/pip install openfeature-flagd-core==1.0.0 jsonschema` and set FLAGC_FLAGD_PYTHON=.build/ci-venv/bin/python (.ci/run does)"
    }

    /// Whether the schemas are there to validate exported documents against.
    static var hasSchemas: Bool {
        FileManager.default.fileExists(atPath: schemasFolder.appendingPathComponent("flags.json").path)
    }

    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Runs the script with `arguments`, capturing output through files, killing it after `timeout` seconds.
    static func run(_ arguments: [String], timeout: TimeInterval) throws -> Run {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("flagd-python-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let outURL = folder.appendingPathComponent("stdout"), errURL = folder.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let outHandle = try FileHandle(forWritingTo: outURL), errHandle = try FileHandle(forWritingTo: errURL)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        let executable = interpreter.contains("/") ? URL(fileURLWithPath: interpreter, relativeTo: repositoryRoot).path : interpreter
        process.arguments = [executable, script.path] + arguments
        process.currentDirectoryURL = repositoryRoot
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
                throw Failure(description: "\(script.lastPathComponent) \(arguments.joined(separator: " ")) did not finish within \(Int(timeout)) s")
            }
            Thread.sleep(forTimeInterval: 0.02)
        }
        let stdout = String(decoding: (try? Data(contentsOf: outURL)) ?? Data(), as: UTF8.self)
        let stderr = String(decoding: (try? Data(contentsOf: errURL)) ?? Data(), as: UTF8.self)
        return Run(status: process.terminationStatus, stdout: stdout, stderr: stderr)
    }
}
