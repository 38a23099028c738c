import Synchronization
import FlagHummingbird
import FlagRuntime
import FlagRuntimeTesting
import Hummingbird
import HummingbirdTesting
import Testing

/// `FlagContextMiddleware` and `FeatureGate` in a router, through HummingbirdTesting's router client.
@Suite struct FlagHummingbirdTests {
    // `HTTPField` is HTTPTypes', which Hummingbird re-exports only as `HTTPFields`' element.
    static let userID = HTTPFields.Element.Name("X-User-Id")!
    static let tenant = HTTPFields.Element.Name("X-Tenant")!
    static let pilot = FlagHandle<Bool>("billing.pilot", default: false)

    /// `billing.pilot`: on for the tenant `acme`, off for everyone else.
    static func pilotStore() throws -> FlagStore {
        let boolean = [Variant(name: "true", value: .boolean(true)), Variant(name: "false", value: .boolean(false))]
        let flag = Flag(key: "billing.pilot", type: .boolean, variants: boolean, defaultVariant: "false", rules: [
            Rule(name: "pilot", conditions: [.attribute(name: Condition.tenant, op: .in, operand: .strings(["acme"]))], outcome: .serve(variant: "true")),
        ])
        return try FlagStore(snapshot: Snapshot(flags: [flag]))
    }

    static func contextMiddleware() -> FlagContextMiddleware<BasicRequestContext> {
        FlagContextMiddleware { request, _ in
            EvaluationContext(targetingKey: request.headers[userID], tenant: request.headers[tenant])
        }
    }

    @Test func handlersReadTheRequestsContext() async throws {
        let router = Router()
        router.add(middleware: Self.contextMiddleware())
        router.get("whoami") { _, _ in
            "\(EvaluationContext.current.targetingKey ?? "-") \(EvaluationContext.current.tenant ?? "-")"
        }
        try await Application(router: router).test(.router) { client in
            let response = try await client.execute(uri: "/whoami", method: .get, headers: [Self.userID: "user-7", Self.tenant: "acme"])
            #expect(String(buffer: response.body) == "user-7 acme")
            let anonymous = try await client.execute(uri: "/whoami", method: .get)
            #expect(String(buffer: anonymous.body) == "- -")
        }
        #expect(EvaluationContext.current == .empty)
    }

    @Test func anAsyncThrowingBuilderFailsTheRequest() async throws {
        let router = Router()
        router.add(middleware: FlagContextMiddleware { request, _ async throws in
            guard let user = request.headers[Self.userID] else { throw HTTPError(.unauthorized) }
            return EvaluationContext(targetingKey: user)
        })
        router.get("me") { _, _ in EvaluationContext.current.targetingKey ?? "-" }
        try await Application(router: router).test(.router) { client in
            let refused = try await client.execute(uri: "/me", method: .get)
            #expect(refused.status == .unauthorized)
            let served = try await client.execute(uri: "/me", method: .get, headers: [Self.userID: "u-1"])
            #expect(String(buffer: served.body) == "u-1")
        }
    }

    @Test func theGateEvaluatesForTheContextBoundBeforeIt() async throws {
        let store = try Self.pilotStore()
        let router = Router()
        router.add(middleware: Self.contextMiddleware())
        router.group("pilot").add(middleware: FeatureGate(Self.pilot, store: store)).get { _, _ in "welcome" }
        try await Application(router: router).test(.router) { client in
            let open = try await client.execute(uri: "/pilot", method: .get, headers: [Self.tenant: "acme"])
            #expect(open.status == .ok && String(buffer: open.body) == "welcome")
            let closed = try await client.execute(uri: "/pilot", method: .get, headers: [Self.tenant: "globex"])
            #expect(closed.status == .forbidden)
            #expect(closed.headers[.contentType] == "application/json")
            #expect(String(buffer: closed.body) == #"{"error":"Feature not available","feature":"billing.pilot"}"#)
        }
    }

    @Test func aGateAddedBeforeTheContextMiddlewareSeesTheEmptyContext() async throws {
        // The documented order matters: middleware runs in the order it was added.
        let store = try Self.pilotStore()
        let router = Router()
        router.add(middleware: FeatureGate<BasicRequestContext>(Self.pilot, store: store))
        router.add(middleware: Self.contextMiddleware())
        router.get("pilot") { _, _ in "welcome" }
        try await Application(router: router).test(.router) { client in
            let response = try await client.execute(uri: "/pilot", method: .get, headers: [Self.tenant: "acme"])
            #expect(response.status == .forbidden)
        }
    }

    @Test func aClosedGateDoesNotRunTheHandler() async throws {
        let store = FlagStore(values: ["ops.maintenance_api": false])
        let calls = Calls()
        let router = Router()
        router.add(middleware: FeatureGate("ops.maintenance_api", store: store))
        router.post("maintenance") { _, _ in
            calls.record()
            return "done"
        }
        try await Application(router: router).test(.router) { client in
            let closed = try await client.execute(uri: "/maintenance", method: .post)
            store.override(["ops.maintenance_api": true])
            let open = try await client.execute(uri: "/maintenance", method: .post)
            #expect(closed.status == .forbidden && open.status == .ok)
        }
        #expect(calls.count == 1)
    }

    @Test func theDenialIsConfigurable() async throws {
        let store = FlagStore(values: ["ui.beta_reports": false])
        let router = Router()
        router.group("reports")
            .add(middleware: FeatureGate("ui.beta_reports", store: store, status: .serviceUnavailable, contentType: "text/plain") { feature in
                "upgrade to use \(feature)"
            })
            .get { _, _ in "reports" }
        try await Application(router: router).test(.router) { client in
            let response = try await client.execute(uri: "/reports", method: .get)
            #expect(response.status == .serviceUnavailable)
            #expect(response.headers[.contentType] == "text/plain")
            #expect(String(buffer: response.body) == "upgrade to use ui.beta_reports")
        }
    }

    @Test func theDefaultBodyIsJSON() {
        #expect(FeatureGate<BasicRequestContext>.defaultBody(feature: #"a"b"#) == #"{"error":"Feature not available","feature":"a\"b"}"#)
    }
}

/// A counter the handler bumps.
private final class Calls: Sendable {
    private let value = Mutex(0)
    func record() { value.withLock { $0 += 1 } }
    var count: Int { value.withLock { $0 } }
}
