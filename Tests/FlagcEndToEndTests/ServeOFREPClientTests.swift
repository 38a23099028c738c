import FlagRuntime
import Foundation
import Testing

/// `flagc serve` against clients nobody here wrote: OpenFeature's Python SDK with its OFREP provider
/// (`scripts/ofrep-client.py`, run by `FLAGC_OFREP_PYTHON`, which `.ci/run` sets to its virtual environment).
/// Without the variable the test prints SKIPPED and passes.
@Suite(.timeLimit(.minutes(3))) struct ServeOFREPClientTests {
    static let python = ProcessInfo.processInfo.environment["FLAGC_OFREP_PYTHON"].flatMap { $0.isEmpty ? nil : $0 }
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The contexts every flag of `flags/` is evaluated for (the last has no targeting key).
    static let contexts: [[String: JSONValue]] = [
        ["targetingKey": "user-1", "tenant": "acme", "plan": "pro", "groups": .array(["beta", "staff"]), "country": "NO", "platform": "web"],
        ["targetingKey": "user-2", "plan": "free", "platform": "ios", "app_version": "2.4.1"],
        ["plan": "enterprise"],
    ]

    @Test func thePythonSDKGetsWhatFlagRuntimeGivesSees304AndSeesARecompile() throws {
        guard let python = Self.python else {
            print("SKIPPED: set FLAGC_OFREP_PYTHON to a Python with openfeature-sdk and openfeature-provider-ofrep (.ci/run does) to run the OFREP client test")
            return
        }
        try withSandbox { sandbox in
            // flags/ as it is, and a copy in which ui.new_dashboard's rollout reaches everyone.
            try FileManager.default.copyItem(at: Self.repositoryRoot.appendingPathComponent("flags"), to: sandbox.url("flags"))
            try FileManager.default.copyItem(at: Self.repositoryRoot.appendingPathComponent("flags"), to: sandbox.url("flags-v2"))
            let ui = String(decoding: try sandbox.contents("flags-v2/ui.yaml"), as: UTF8.self)
            let marker = "      - name: percentage rollout\n        rollout: 33.33\n"
            #expect(ui.contains(marker))
            let range = try #require(ui.range(of: marker))
            try sandbox.write("flags-v2/ui.yaml", ui.replacingCharacters(in: range, with: "      - name: percentage rollout\n        rollout: 100\n"))
            #expect(try sandbox.flagc("compile", "flags", "--out", "build").status == 0)
            #expect(try sandbox.flagc("compile", "flags-v2", "--out", "v2").status == 0)
            let store = try FlagStore(contentsOfFile: sandbox.url("build/snapshot.json").path)
            let v2 = try FlagStore(contentsOfFile: sandbox.url("v2/snapshot.json").path)

            // A context the v1 rollout leaves at false, so the recompile changes its value.
            let reloadKey = (0..<1000).map { "user-\($0)" }.first { !store.boolean("ui.new_dashboard", default: true, context: EvaluationContext(targetingKey: $0)) } ?? "user-0"
            #expect(v2.boolean("ui.new_dashboard", default: false, context: EvaluationContext(targetingKey: reloadKey)))

            let flags: [JSONValue] = store.snapshot.flags.map { flag in
                .object(["key": .string(flag.key), "type": .string(flag.type.rawValue), "default": Self.callerDefault(flag.type)])
            }
            let cases = JSONValue.object(["contexts": .array(Self.contexts.map(JSONValue.object)), "flags": .array(flags)])
            try sandbox.write("cases.json", JSONWriter(style: .compact).string(cases))

            let server = try ServeProcess(arguments: ["serve", "build/snapshot.json", "--port", "0", "--log-level", "warning"], in: sandbox.url(""))
            defer { server.stop() }
            let flagc = try Flagc.executable().path
            let run = try ScriptProcess.run([python, Self.repositoryRoot.appendingPathComponent("scripts/ofrep-client.py").path,
                                             "--base-url", "http://127.0.0.1:\(server.port)", "--cases", sandbox.url("cases.json").path,
                                             "--reload-context", JSONWriter(style: .compact).string(.object(["targetingKey": .string(reloadKey)])), "--reload-flag", "ui.new_dashboard",
                                             "--", flagc, "compile", sandbox.url("flags-v2").path, "--out", sandbox.url("build").path],
                                            in: sandbox.url(""), timeout: 120)
            #expect(run.status == 0, "\(run.stderr)")
            let result = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any] ?? [:]
            let evaluations = result["evaluations"] as? [[String: Any]] ?? []
            #expect(evaluations.count == store.snapshot.flags.count * Self.contexts.count)
            for row in evaluations {
                let key = row["flag"] as? String ?? "", index = row["context"] as? Int ?? 0
                var context = EvaluationContext()
                if case .object(let members) = JSONValue.object(Self.contexts[index]) { try ContextJSON.apply(members, to: &context) }
                let flag = try #require(store.snapshot.flag(key))
                switch store.remoteEvaluation(key, context: context) {
                case .targetingKeyMissing:
                    #expect(row["errorCode"] as? String == "TARGETING_KEY_MISSING", "\(key) for context \(index)")
                case .evaluated(let details, _):
                    if details.reason == .disabled {
                        // The provider (0.3.0) reads `variant` unconditionally, so OFREP's code-default answer (no value,
                        // no variant) becomes the caller's default with reason ERROR: the value is still the caller's.
                        #expect(Self.same(row["value"], Self.callerDefault(flag.type)), "\(key): the caller's default")
                        #expect(row["variant"] is NSNull)
                        continue
                    }
                    #expect(row["reason"] as? String == details.reason.rawValue, "\(key) for context \(index)")
                    #expect(row["variant"] as? String == details.variant, "\(key) for context \(index)")
                    #expect(Self.same(row["value"], details.value?.jsonValue ?? .null), "\(key) for context \(index): \(row["value"] ?? "nil")")
                }
            }
            let bulk = result["bulk"] as? [String: Any] ?? [:]
            #expect(bulk["status"] as? Int == 200)
            #expect(bulk["flags"] as? Int == store.snapshot.flags.count)
            #expect(bulk["conditionalStatus"] as? Int == 304)
            #expect(bulk["conditionalBodyLength"] as? Int == 0)
            let reload = result["reload"] as? [String: Any] ?? [:]
            #expect(reload["recompileStatus"] as? Int == 0, "\(reload["recompileOutput"] ?? "")")
            let event = reload["event"] as? [String: Any] ?? [:]
            #expect(event["type"] as? String == "refetchEvaluation")
            #expect(event["etag"] as? String == v2.snapshot.id)
            #expect(reload["status"] as? Int == 200, "the old ETag no longer matches")
            #expect(reload["etag"] as? String != bulk["etag"] as? String)
            let after = reload["after"] as? [String: Any] ?? [:]
            #expect(after["value"] as? Bool == true)
            // Graceful shutdown: SIGTERM ends the server with status 0.
            #expect(server.terminate() == 0)
        }
    }

    /// The default the Python client passes for a flag of `type`.
    static func callerDefault(_ type: FlagValueType) -> JSONValue {
        switch type {
        case .boolean: .bool(false)
        case .string: .string("caller-default")
        case .integer: .integer(-1)
        case .number: .double(-1.5)
        case .object: .object(["callerDefault": .bool(true)])
        }
    }

    /// Whether a value decoded by JSONSerialization equals `expected`.
    static func same(_ actual: Any?, _ expected: JSONValue) -> Bool {
        guard let actual else { return false }
        guard let data = try? JSONSerialization.data(withJSONObject: ["v": actual], options: [.sortedKeys]),
              let parsed = try? JSONValue(parsing: Array(data)), case .object(let members) = parsed, let value = members["v"] else { return false }
        switch (value, expected) {
        case (.integer(let a), .double(let b)): return Double(a) == b
        case (.double(let a), .integer(let b)): return a == Double(b)
        default: return value == expected
        }
    }
}

/// A running `flagc serve`: started with `--port 0`, its port read from the "listening on" line.
final class ServeProcess {
    let process = Process()
    let port: Int
    private let output: URL

    init(arguments: [String], in directory: URL) throws {
        output = FileManager.default.temporaryDirectory.appendingPathComponent("flagc-serve-\(UUID().uuidString)")
        FileManager.default.createFile(atPath: output.path, contents: nil)
        process.executableURL = try Flagc.executable()
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = FileHandle.standardError
        try process.run()
        let deadline = Date().addingTimeInterval(60)
        var found: Int?
        while found == nil, Date() < deadline, process.isRunning {
            let text = String(decoding: (try? Data(contentsOf: output)) ?? Data(), as: UTF8.self)
            if let line = text.split(separator: "\n").first(where: { $0.hasPrefix("listening on ") }),
               let port = line.split(separator: " ")[2].split(separator: ":").last.flatMap({ Int($0) }) {
                found = port
            } else {
                Thread.sleep(forTimeInterval: 0.05)
            }
        }
        guard let found else {
            process.terminate()
            throw SetupError(description: "flagc serve did not print its port within 60 s")
        }
        port = found
    }

    /// Sends SIGTERM and waits (at most 20 s) for the exit status.
    func terminate() -> Int32 {
        process.terminate()
        return waitForExit(within: .seconds(20))
    }

    /// The exit status once the process has ended, or -1 if it still runs after `limit`.
    func waitForExit(within limit: Duration) -> Int32 {
        let deadline = ContinuousClock.now + limit
        while process.isRunning, ContinuousClock.now < deadline { Thread.sleep(forTimeInterval: 0.05) }
        return process.isRunning ? -1 : process.terminationStatus
    }

    func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
        try? FileManager.default.removeItem(at: output)
    }
}
