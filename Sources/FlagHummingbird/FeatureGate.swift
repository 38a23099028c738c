import FlagRuntime
import Hummingbird

/// Middleware for a route or a group that lets a request through only when a boolean flag is on for it, and
/// otherwise answers without calling the handler: by default `403 Forbidden` with
/// `{"error":"Feature not available","feature":"KEY"}` (`application/json`).
///
/// ```swift
/// router.add(middleware: FlagContextMiddleware { request, _ in EvaluationContext(targetingKey: …) })
/// router.group("invoices")
///     .add(middleware: FeatureGate(Flags.billing.invoiceAutoGenerate, store: store))
///     .post("generate") { request, context in … }
/// ```
///
/// The flag is evaluated for `EvaluationContext.current`, the context that a `FlagContextMiddleware` earlier in
/// the chain bound: add that one first (Hummingbird runs middleware in the order it was added). Without it the
/// gate evaluates for the empty context. The store is read on every request, so a `SnapshotFileWatcher`'s
/// reloads (which swap the snapshot inside the same store) open and close the gate at once.
public struct FeatureGate<Context: RequestContext>: RouterMiddleware {
    /// The request type the middleware handles.
    public typealias Input = Request
    /// The response type the middleware returns.
    public typealias Output = Response

    /// The flag that opens the gate.
    public let flag: FlagHandle<Bool>
    /// The store the flag is evaluated in.
    public let store: FlagStore
    /// The status of the answer when the flag is off.
    public let status: HTTPResponse.Status
    /// The `Content-Type` of the answer when the flag is off.
    public let contentType: String
    private let body: @Sendable (_ feature: String) -> String

    /// A gate on `flag` in `store`. When the flag is off for the request, it answers `status` with the
    /// `contentType` body `body(flag.key)` (by default `FeatureGate.defaultBody`, a JSON object).
    public init(
        _ flag: FlagHandle<Bool>, store: FlagStore, status: HTTPResponse.Status = .forbidden, contentType: String = "application/json",
        body: @escaping @Sendable (_ feature: String) -> String = FeatureGate.defaultBody
    ) {
        self.flag = flag
        self.store = store
        self.status = status
        self.contentType = contentType
        self.body = body
    }

    /// A gate on the boolean flag `key` (off when the snapshot does not have it); see `init(_:store:status:contentType:body:)`.
    public init(
        _ key: String, store: FlagStore, status: HTTPResponse.Status = .forbidden, contentType: String = "application/json",
        body: @escaping @Sendable (_ feature: String) -> String = FeatureGate.defaultBody
    ) {
        self.init(FlagHandle(key, default: false), store: store, status: status, contentType: contentType, body: body)
    }

    /// The default answer's body: `{"error":"Feature not available","feature":"KEY"}`.
    @Sendable
    public static func defaultBody(feature: String) -> String {
        JSONWriter(style: .compact).string(.object(["error": .string("Feature not available"), "feature": .string(feature)]))
    }

    /// Calls the rest of the chain when the flag is on for the request, and answers the denial otherwise.
    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if store.isEnabled(flag) {
            return try await next(request, context)
        }
        var headers = HTTPFields()
        headers[.contentType] = contentType
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: body(flag.key))))
    }
}
