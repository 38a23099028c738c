import FlagRuntime
import Hummingbird

/// Middleware that builds each request's `EvaluationContext` and binds it as `EvaluationContext.current` for
/// the rest of the chain, so handlers, and `FeatureGate`s after it, evaluate flags for the request without
/// passing a context.
///
/// ```swift
/// let userID = HTTPField.Name("X-User-Id")!, tenant = HTTPField.Name("X-Tenant")!
/// let router = Router()
/// router.add(middleware: FlagContextMiddleware { request, _ in
///     EvaluationContext(targetingKey: request.headers[userID], tenant: request.headers[tenant])
/// })
/// router.get("/invoices") { _, _ in
///     store.isEnabled(Flags.billing.invoiceAutoGenerate) ? "automatic" : "manual"   // for the request's context
/// }
/// ```
///
/// Hummingbird runs middleware in the order it was added, and a router's or group's middleware applies only to
/// the routes added after it: add this middleware first, before any `FeatureGate` and before the routes. The
/// context is bound while the handler runs; a response body written later by a streaming closure is written
/// after the middleware has returned, so evaluate flags in the handler, not in the body's writer.
public struct FlagContextMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The request type the middleware handles.
    public typealias Input = Request
    /// The response type the middleware returns.
    public typealias Output = Response

    private let makeContext: @Sendable (Request, Context) async throws -> EvaluationContext

    /// Middleware that binds `makeContext(request, context)` for each request; an error it throws is the
    /// request's error (Hummingbird answers it as for a handler's).
    public init(_ makeContext: @escaping @Sendable (_ request: Request, _ context: Context) async throws -> EvaluationContext) {
        self.makeContext = makeContext
    }

    /// Builds the request's evaluation context and runs the rest of the chain with it bound.
    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let evaluationContext = try await makeContext(request, context)
        return try await EvaluationContext.with(evaluationContext) {
            try await next(request, context)
        }
    }
}
