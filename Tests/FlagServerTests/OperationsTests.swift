import FlagRuntime
@testable import FlagServer
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// API keys: 401 without or with an unknown key, 403 outside the key's prefixes, the file re-read on change.
@Suite struct APIKeyTests {
    static let keys = """
        # team keys
        aaaaaaaaaaaaaaaaaaaaaaaa
        bbbbbbbbbbbbbbbbbbbbbbbb billing.
        """

    @Test func keysAreRequiredAndLimitedToTheirPrefixes() async throws {
        let file = try temporaryFile(Self.keys)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let server = try TestServer(configuration: FlagServerConfiguration(apiKeyFile: file))
        try await server.test { client in
            let body = json(#"{"context":{"targetingKey":"u1"}}"#)
            try await client.execute(uri: "/ofrep/v1/evaluate/flags/ui.theme", method: .post, headers: jsonHeaders, body: body) { response in
                #expect(response.status == .unauthorized)
                #expect(response.headers[.wwwAuthenticate] != nil)
            }
            var wrong = jsonHeaders
            wrong[HTTPField.Name("X-API-Key")!] = "cccccccccccccccccccccccc"
            #expect(try await client.execute(uri: "/ofrep/v1/evaluate/flags/ui.theme", method: .post, headers: wrong, body: body).status == .unauthorized)
            var all = jsonHeaders
            all[HTTPField.Name("X-API-Key")!] = "aaaaaaaaaaaaaaaaaaaaaaaa"
            #expect(try await client.execute(uri: "/ofrep/v1/evaluate/flags/ui.theme", method: .post, headers: all, body: body).status == .ok)
            var billing = jsonHeaders
            billing[.authorization] = "Bearer bbbbbbbbbbbbbbbbbbbbbbbb"
            #expect(try await client.execute(uri: "/ofrep/v1/evaluate/flags/ui.theme", method: .post, headers: billing, body: body).status == .forbidden)
            #expect(try await client.execute(uri: "/ofrep/v1/evaluate/flags/billing.seats", method: .post, headers: billing, body: body).status == .ok)
            let bulk = try await client.execute(uri: "/ofrep/v1/evaluate/flags", method: .post, headers: billing, body: body)
            let keys = (try object(bulk)["flags"] as? [[String: Any]] ?? []).compactMap { $0["key"] as? String }
            #expect(keys == ["billing.retired", "billing.seats"], "a team's key reads only its flags")
            #expect(try await client.execute(uri: "/healthz", method: .get).status == .ok, "operations need no key")
        }
    }

    @Test func theKeyFileIsReReadWhenItChangesAndABadFileKeepsTheOldKeys() throws {
        let path = try temporaryFile(Self.keys)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let file = try APIKeyFile(path: path)
        #expect(try file.refreshIfChanged() == nil)
        try "dddddddddddddddddddddddd\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try file.refreshIfChanged() == 1)
        #expect(file.keys.access(for: "dddddddddddddddddddddddd") == .all)
        #expect(file.keys.access(for: "aaaaaaaaaaaaaaaaaaaaaaaa") == nil)
        try "short\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: APIKeyFileError.self) { try file.refreshIfChanged() }
        #expect(file.keys.access(for: "dddddddddddddddddddddddd") == .all)
    }

    @Test func aKeyFileWithAShortOrRepeatedKeyIsRefusedNamingTheLine() {
        #expect(throws: APIKeySet.LineError.self) { try APIKeySet(parsing: "# c\nshort\n") }
        #expect((try? APIKeySet(parsing: "aaaaaaaaaaaaaaaaaaaaaaaa\naaaaaaaaaaaaaaaaaaaaaaaa x.")) == nil)
        do {
            _ = try APIKeySet(parsing: "\nshort")
        } catch {
            #expect(error.description.hasPrefix("line 2:"))
        }
    }
}

/// Health, readiness, metrics and CORS.
@Suite struct OperationalRouteTests {
    @Test func healthReadinessAndMetrics() async throws {
        let server = try TestServer()
        let id = server.watcher.store.snapshot.id
        try await server.test { client in
            #expect(try await client.execute(uri: "/healthz", method: .get).status == .ok)
            let ready = try await client.execute(uri: "/readyz", method: .get)
            #expect(ready.status == .ok)
            let readyID = try object(ready)["snapshot"] as? String
            #expect(readyID == id)
            _ = try await client.execute(uri: "/ofrep/v1/evaluate/flags/ui.theme", method: .post, headers: jsonHeaders, body: json("{}"))
            _ = try await client.execute(uri: "/ofrep/v1/evaluate/flags/no.such.flag", method: .post, headers: jsonHeaders, body: json("{}"))
            let metrics = String(buffer: try await client.execute(uri: "/metrics", method: .get).body)
            #expect(metrics.contains(#"flagc_http_requests_total{route="/ofrep/v1/evaluate/flags/{key}",status="200"} 1"#))
            #expect(metrics.contains(#"flagc_evaluations_total{flag="ui.theme",variant="light",reason="STATIC"} 1"#))
            #expect(metrics.contains(#"flagc_evaluations_total{flag="",variant="",reason="ERROR"} 1"#), "unknown keys do not become labels")
            #expect(!metrics.contains("no.such.flag"))
            #expect(metrics.contains(#"flagc_snapshot_info{id="\#(id)"} 1"#))
            #expect(metrics.contains("flagc_snapshot_age_seconds"))
        }
    }

    @Test func corsAnswersAllowedOriginsOnly() async throws {
        let server = try TestServer(configuration: FlagServerConfiguration(corsOrigins: ["https://app.example.com"]))
        try await server.test { client in
            let preflight: HTTPFields = [.origin: "https://app.example.com", .accessControlRequestMethod: "POST"]
            try await client.execute(uri: "/ofrep/v1/evaluate/flags", method: .options, headers: preflight) { response in
                #expect(response.headers[.accessControlAllowOrigin] == "https://app.example.com")
            }
            var other = jsonHeaders
            other[.origin] = "https://evil.example.com"
            try await client.execute(uri: "/ofrep/v1/evaluate/flags/ui.theme", method: .post, headers: other, body: json("{}")) { response in
                #expect(response.headers[.accessControlAllowOrigin] == nil)
            }
        }
    }
}

/// The event streams: `refetchEvaluation` with the new snapshot's id after each reload, closed on shutdown.
@Suite(.timeLimit(.minutes(1))) struct EventStreamTests {
    @Test func aReloadIsAnnouncedWithTheNewETagAndShutdownClosesTheStream() async throws {
        let server = try TestServer()
        let streams = EventStreams(maximumStreams: 1)
        let events = try #require(streams.subscribe())
        #expect(streams.subscribe() == nil, "the number of streams is bounded")
        let service = EventStreamService(watcher: server.watcher, streams: streams, metrics: server.server.metrics,
                                         changes: server.watcher.changes(), draining: ShutdownState())
        let running = Task { try await service.run() }
        let snapshot = testSnapshot(theme: "dark")
        try server.files.write(snapshot, to: TestServer.path)
        guard case .reloaded(let change) = server.watcher.reload() else { Issue.record("no reload"); return }
        var iterator = events.makeAsyncIterator()
        let event = try #require(await iterator.next())
        #expect(String(buffer: event) == "id: 1\nevent: message\ndata: {\"etag\":\"\(change.newID)\",\"type\":\"refetchEvaluation\"}\n\n")
        running.cancel()
        _ = try? await running.value
        streams.close()
        #expect(await iterator.next() == nil)
    }
}
