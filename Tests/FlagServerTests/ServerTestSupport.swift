import FlagReload
import FlagRuntime
import FlagRuntimeTesting
@testable import FlagServer
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging

/// The flags the request tests serve: a static string, a rule that splits by the targeting key, a disabled flag
/// and an integer with metadata.
func testSnapshot(theme: String = "light", environments: [String]? = ["staging", "production"]) -> Snapshot {
    Snapshot(environments: environments, flags: [
        Flag(key: "ui.theme", type: .string, variants: [Variant(name: "light", value: .string("light")), Variant(name: "dark", value: .string("dark"))],
             defaultVariant: theme, metadata: FlagMetadata(owner: "team-ui")),
        Flag(key: "ui.rollout", type: .boolean, variants: [Variant(name: "on", value: .boolean(true)), Variant(name: "off", value: .boolean(false))],
             defaultVariant: "off", rules: [Rule(name: "half", outcome: .split(Split(seed: "ui.rollout", buckets: [.init(variant: "on", weight: 5000), .init(variant: "off", weight: 5000)])))]),
        Flag(key: "billing.retired", type: .boolean, enabled: false, variants: [Variant(name: "on", value: .boolean(true))], defaultVariant: "on"),
        Flag(key: "billing.seats", type: .integer, variants: [Variant(name: "ten", value: .integer(10))], defaultVariant: "ten",
             metadata: FlagMetadata(description: "Seats per plan.", values: ["ticket": .string("BILL-1")])),
    ])
}

/// A server over an in-memory snapshot file, and the file system to rewrite it.
struct TestServer {
    let files: InMemorySnapshotFileSystem
    let watcher: SnapshotFileWatcher
    let server: FlagServer
    static let path = "/flags/snapshot.json"

    init(snapshot: Snapshot = testSnapshot(), configuration: FlagServerConfiguration = FlagServerConfiguration(maximumBodySize: 1024)) throws {
        files = InMemorySnapshotFileSystem()
        try files.write(snapshot, to: Self.path)
        watcher = try SnapshotFileWatcher(path: Self.path, options: .init(pollInterval: .milliseconds(5), usesFileEvents: false, fileSystem: files))
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        server = try FlagServer(watcher: watcher, configuration: configuration, logger: logger)
    }

    /// Runs `body` with a HummingbirdTesting client on the router (no sockets).
    func test<Value: Sendable>(_ body: @Sendable (any TestClientProtocol) async throws -> Value) async throws -> Value {
        let application = Application(responder: server.responder(), configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        return try await application.test(.router, body)
    }
}

/// A JSON body.
func json(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }

/// Headers of a JSON request.
let jsonHeaders: HTTPFields = [.contentType: "application/json"]

/// The body decoded as a JSON object.
func object(_ response: TestResponse) throws -> [String: Any] {
    try JSONSerialization.jsonObject(with: Data(String(buffer: response.body).utf8)) as? [String: Any] ?? [:]
}

/// A temporary file with `text`, removed by the caller.
func temporaryFile(_ text: String) throws -> String {
    let path = NSTemporaryDirectory() + "flagc-serve-\(UUID().uuidString)"
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}
