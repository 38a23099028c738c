import FlagRuntime
import FlagRuntimeTesting
import Hummingbird
import HummingbirdTesting
import Testing

@testable import BillingService

/// The billing routes through HummingbirdTesting's router client (no sockets): the gates, and the request's
/// context reaching the flags' targeting rules.
@Suite struct BillingServiceTests {
    /// The compiled `flags/` of this package: `billing.invoice_auto_generate` on for the tenant `acme` and for
    /// the group `beta`, off for others; `billing.credit_notes` on for the `enterprise` plan.
    static func targetedStore() throws -> FlagStore {
        let folder = #filePath[..<#filePath.lastIndex(of: "/")!]
        return try FlagStore(contentsOfFile: "\(folder)/Fixtures/snapshot.json")
    }

    static func app(_ store: FlagStore) -> some ApplicationProtocol {
        Application(router: buildRouter(store: store))
    }

    @Test func openGateLetsTheRequestThrough() async throws {
        let store = FlagStore(values: ["billing.invoice_auto_generate": true])
        try await Self.app(store).test(.router) { client in
            let response = try await client.execute(uri: "/invoices/auto-generate", method: .post)
            #expect(response.status == .ok)
            #expect(String(buffer: response.body) == #"{"generated":true}"#)
        }
    }

    @Test func closedGateAnswers403WithTheFeature() async throws {
        let store = FlagStore(values: ["billing.invoice_auto_generate": false])
        try await Self.app(store).test(.router) { client in
            let response = try await client.execute(uri: "/invoices/auto-generate", method: .post)
            #expect(response.status == .forbidden)
            #expect(response.headers[.contentType] == "application/json")
            #expect(String(buffer: response.body) == #"{"error":"Feature not available","feature":"billing.invoice_auto_generate"}"#)
        }
    }

    @Test func aFlagMissingFromTheSnapshotKeepsTheGateClosed() async throws {
        try await Self.app(FlagStore(values: [:])).test(.router) { client in
            let gated = try await client.execute(uri: "/invoices/auto-generate", method: .post)
            let health = try await client.execute(uri: "/health", method: .get)
            #expect(gated.status == .forbidden && health.status == .ok)
        }
    }

    @Test(arguments: [
        // (headers, whether the pilot flag is on for them)
        ([HTTPFields.Element.Name.tenant: "acme", .userID: "user-1"], true),
        ([.tenant: "globex", .userID: "user-2"], false),
        ([.tenant: "globex", .userID: "user-3", .groups: "staff, beta"], true),
        ([.userID: "user-4"], false),
    ] as [(HTTPFields, Bool)])
    func contextFromHeadersReachesTheTargetingRules(headers: HTTPFields, on: Bool) async throws {
        let store = try Self.targetedStore()
        try await Self.app(store).test(.router) { client in
            // The gate (middleware) and the handler (no context passed) both see the request's context.
            let gated = try await client.execute(uri: "/invoices/auto-generate", method: .post, headers: headers)
            #expect(gated.status == (on ? .ok : .forbidden))
            let settings = try await client.execute(uri: "/invoices/settings", method: .get, headers: headers)
            #expect(String(buffer: settings.body) == #"{"autoGenerate":\#(on)}"#)
        }
    }

    @Test func configuredGateAnswersItsOwnStatusAndBody() async throws {
        let store = try Self.targetedStore()
        try await Self.app(store).test(.router) { client in
            let hidden = try await client.execute(uri: "/credit-notes", method: .get, headers: [.plan: "pro"])
            #expect(hidden.status == .notFound)
            #expect(hidden.headers[.contentType] == "text/plain; charset=utf-8")
            #expect(String(buffer: hidden.body) == "Not Found")
            let shown = try await client.execute(uri: "/credit-notes", method: .get, headers: [.plan: "enterprise"])
            #expect(shown.status == .ok)
            #expect(String(buffer: shown.body) == "no credit notes yet")
        }
    }

    @Test func storeOverridesReachTheHandlers() async throws {
        // Forced on the store, values reach handlers in whatever task the server runs them (a live server's too).
        let store = try Self.targetedStore()
        try await store.withOverrides(["billing.invoice_auto_generate": true]) {
            try await Self.app(store).test(.router) { client in
                let response = try await client.execute(uri: "/invoices/auto-generate", method: .post, headers: [.tenant: "globex"])
                #expect(response.status == .ok)
            }
        }
        try await Self.app(store).test(.router) { client in
            let response = try await client.execute(uri: "/invoices/auto-generate", method: .post, headers: [.tenant: "globex"])
            #expect(response.status == .forbidden)
        }
    }

    @Test func taskOverridesReachHandlersOfTheRouterTestClient() async throws {
        // The `.router` client runs each request in a child task of the test, so task-scoped overrides reach the
        // handlers; with `.live` the server's own tasks run them, and only store overrides do.
        let store = try Self.targetedStore()
        try await FlagOverrides.with(["billing.invoice_auto_generate": true]) {
            try await Self.app(store).test(.router) { client in
                let response = try await client.execute(uri: "/invoices/auto-generate", method: .post, headers: [.tenant: "globex"])
                #expect(response.status == .ok)
            }
        }
    }
}
