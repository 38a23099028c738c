import FlagRuntime
@testable import FlagServer
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// The evaluation shortcut in front of the router: which paths take it, and that it answers exactly as the router.
@Suite struct EvaluationShortcutTests {
    @Test(arguments: [
        ("/ofrep/v1/evaluate/flags", EvaluationRoute.bulk),
        ("/ofrep/v1/evaluate/flags/ui.theme", .single("ui.theme")),
        ("/ofrep/v1/evaluate/flags/ui%2Etheme", .single("ui%2Etheme")),
        ("/ofrep/v1/evaluate/flags/x", .single("x")),
    ])
    func theExactPathsTakeTheShortcut(path: String, match: EvaluationRoute) {
        #expect(EvaluationRoute.of(path) == match)
    }

    @Test(arguments: [
        "/ofrep/v1/evaluate/flags/", "/ofrep/v1/evaluate/flags/a/b", "/ofrep/v1/evaluate/flags/a/", "/ofrep/v1/evaluate/flagsx",
        "/ofrep/v1/evaluate/flag", "//ofrep/v1/evaluate/flags/a", "/ofrep/v1//evaluate/flags/a", "/OFREP/v1/evaluate/flags/a",
        "/ofrep/v1/evaluate", "/", "", "/healthz",
    ])
    func everyOtherPathGoesToTheRouter(path: String) {
        #expect(EvaluationRoute.of(path) == nil)
    }

    /// Each request is sent twice: on its exact path (the shortcut) and on a path only the router matches to the same
    /// route (a doubled slash, which Hummingbird's trie skips). Status, body and headers must agree, and both count
    /// under the route's name in the metrics.
    @Test func theShortcutAnswersAsTheRouterDoes() async throws {
        let file = try temporaryFile("aaaaaaaaaaaaaaaaaaaaaaaa\nbbbbbbbbbbbbbbbbbbbbbbbb billing.\n")
        defer { try? FileManager.default.removeItem(atPath: file) }
        let server = try TestServer(configuration: FlagServerConfiguration(maximumBodySize: 1024, corsOrigins: ["https://app.example.com"], apiKeyFile: file))
        let body = #"{"context":{"targetingKey":"u1"}}"#
        var all = jsonHeaders
        all[HTTPField.Name("X-API-Key")!] = "aaaaaaaaaaaaaaaaaaaaaaaa"
        all[.origin] = "https://app.example.com"
        var billing = jsonHeaders
        billing[.authorization] = "Bearer bbbbbbbbbbbbbbbbbbbbbbbb"
        var text = all
        text[.contentType] = "text/plain"
        let requests: [(key: String?, headers: HTTPFields, body: String, status: HTTPResponse.Status)] = [
            ("ui.theme", all, body, .ok),
            ("ui.rollout", all, body, .ok),
            ("ui%2Etheme", all, body, .notFound),
            ("no.such", all, body, .notFound),
            ("ui.theme", billing, body, .forbidden),
            ("ui.theme", jsonHeaders, body, .unauthorized),
            ("ui.theme", all, #"{"context":"#, .badRequest),
            ("ui.theme", text, body, .unsupportedMediaType),
            ("ui.theme", all, String(repeating: " ", count: 2048) + body, .contentTooLarge),
            (nil, all, body, .ok),
            (nil, billing, body, .ok),
            (nil, jsonHeaders, body, .unauthorized),
        ]
        let allowed = all
        try await server.test { client in
            var etag: String?
            for request in requests {
                let exact = request.key.map { "/ofrep/v1/evaluate/flags/\($0)" } ?? "/ofrep/v1/evaluate/flags"
                let routed = request.key.map { "/ofrep/v1//evaluate/flags/\($0)" } ?? "/ofrep/v1/evaluate/flags/"
                #expect(EvaluationRoute.of(exact) != nil && EvaluationRoute.of(routed) == nil)
                let viaShortcut = try await client.execute(uri: exact, method: .post, headers: request.headers, body: json(request.body))
                let viaRouter = try await client.execute(uri: routed, method: .post, headers: request.headers, body: json(request.body))
                #expect(viaShortcut.status == request.status, "\(exact)")
                #expect(viaRouter.status == viaShortcut.status, "\(exact)")
                #expect(String(buffer: viaRouter.body) == String(buffer: viaShortcut.body), "\(exact)")
                for name: HTTPField.Name in [.contentType, .eTag, .cacheControl, .wwwAuthenticate, .accessControlAllowOrigin, .accessControlExposeHeaders] {
                    #expect(viaRouter.headers[name] == viaShortcut.headers[name], "\(name) of \(exact)")
                }
                if request.key == nil, request.status == .ok, etag == nil { etag = viaShortcut.headers[.eTag] }
            }
            var conditional = allowed
            conditional[.ifNoneMatch] = try #require(etag)
            #expect(try await client.execute(uri: "/ofrep/v1/evaluate/flags", method: .post, headers: conditional, body: json(body)).status == .notModified)
            #expect(try await client.execute(uri: "/ofrep/v1/evaluate/flags/", method: .post, headers: conditional, body: json(body)).status == .notModified)

            var metricsHeaders = HTTPFields()
            metricsHeaders[HTTPField.Name("X-API-Key")!] = "aaaaaaaaaaaaaaaaaaaaaaaa"
            let metrics = String(buffer: try await client.execute(uri: "/metrics", method: .get, headers: metricsHeaders).body)
            for (route, status, count) in [("/ofrep/v1/evaluate/flags/{key}", 200, 4), ("/ofrep/v1/evaluate/flags/{key}", 404, 4),
                                           ("/ofrep/v1/evaluate/flags/{key}", 403, 2), ("/ofrep/v1/evaluate/flags/{key}", 415, 2),
                                           ("/ofrep/v1/evaluate/flags/{key}", 413, 2), ("/ofrep/v1/evaluate/flags", 200, 4),
                                           ("/ofrep/v1/evaluate/flags", 304, 2)] {
                #expect(metrics.contains(#"flagc_http_requests_total{route="\#(route)",status="\#(status)"} \#(count)"#), "\(route) \(status)")
            }
        }
    }
}
