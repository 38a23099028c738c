import FlagRuntime
import Foundation
import HTTPTypes
import Hummingbird

/// Answers `POST /ofrep/v1/evaluate/flags/{key}` and `POST /ofrep/v1/evaluate/flags` without the router's trie,
/// and passes every other request to the router.
///
/// Only the exact paths take the shortcut (a query string is not part of the path): one the router would also match
/// to these routes another way, with a doubled or trailing slash, goes to the router, which answers it the same. The
/// shortcut sets what the router sets (the `key` parameter, the endpoint path that metrics and access logs name)
/// and turns a thrown `HTTPResponseError` into its response as the router does.
struct EvaluationShortcut: HTTPResponder {
    /// The middleware of the OFREP routes around `Final`, outermost first as the router nests them: CORS, request
    /// metrics, access logs, API keys. Spelled out so that the chain is specialized: a generic shortcut would run
    /// behind Hummingbird's generic `Application` unspecialized, looking up each layer's metadata per request.
    typealias Chain<Final: HTTPResponder<FlagRequestContext>> =
        MiddlewareLayer<OptionalMiddleware<AllowedOriginsMiddleware<FlagRequestContext>>,
            MiddlewareLayer<RequestMetricsMiddleware<FlagRequestContext>,
                MiddlewareLayer<AccessLogMiddleware<FlagRequestContext>,
                    MiddlewareLayer<OptionalMiddleware<APIKeyMiddleware>, Final>>>>

    /// Everything else.
    let router: RouterResponder<FlagRequestContext>
    /// Single-flag evaluation, inside the same middleware as the router's route.
    let single: Chain<OFREPRoutes.Single>
    /// Bulk evaluation, inside the same middleware as the router's route.
    let bulk: Chain<OFREPRoutes.Bulk>

    func respond(to request: Request, context: FlagRequestContext) async throws -> Response {
        guard request.method == .post, let match = EvaluationRoute.of(request.uri.path) else {
            return try await router.respond(to: request, context: context)
        }
        var context = context
        do {
            switch match {
            case .single(let key):
                var parameters = Parameters()
                parameters["key"] = key
                context.coreContext.parameters = parameters
                context.coreContext.endpointPath.value = EvaluationRoute.singleRoute
                return try await single.respond(to: request, context: context)
            case .bulk:
                context.coreContext.endpointPath.value = EvaluationRoute.bulkRoute
                return try await bulk.respond(to: request, context: context)
            }
        } catch let error as any HTTPResponseError {
            return try error.response(from: request, context: context)
        }
    }
}

/// The evaluation route a request path takes in `EvaluationShortcut`.
enum EvaluationRoute: Equatable {
    /// `/ofrep/v1/evaluate/flags/KEY`, KEY non-empty and without `/`.
    case single(Substring)
    /// `/ofrep/v1/evaluate/flags`.
    case bulk

    /// The router's name for the single-evaluation route (its `endpointPath`).
    static let singleRoute = "/ofrep/v1/evaluate/flags/{key}"
    /// The router's name for the bulk route, also its exact path.
    static let bulkRoute = "/ofrep/v1/evaluate/flags"

    /// The route of `path`, compared byte for byte (the router is case-sensitive too), or nil for the router.
    static func of(_ path: String) -> EvaluationRoute? {
        let keyOffset: Int? = withUTF8Bytes(path) { bytes in
            withUTF8Bytes(bulkRoute) { prefix in
                guard bytes.count >= prefix.count, memcmp(bytes.baseAddress!, prefix.baseAddress!, prefix.count) == 0 else { return nil }
                if bytes.count == prefix.count { return prefix.count }
                let key = prefix.count + 1
                guard bytes[prefix.count] == UInt8(ascii: "/"), key < bytes.count,
                      !bytes[key...].contains(UInt8(ascii: "/")) else { return nil }
                return key
            }
        }
        guard let keyOffset else { return nil }
        let utf8 = path.utf8
        guard keyOffset < utf8.count else { return .bulk }
        return .single(path[utf8.index(utf8.startIndex, offsetBy: keyOffset)...])
    }
}

/// A middleware around a responder, with both types known: the compiler specializes and inlines the whole chain.
/// (Hummingbird's own chain holds each middleware as an existential and runs its unspecialized generic code, with
/// a task allocation and runtime metadata lookups per layer.)
struct MiddlewareLayer<Middleware: RouterMiddleware<FlagRequestContext>, Next: HTTPResponder<FlagRequestContext>>: HTTPResponder {
    /// The middleware, outside.
    let middleware: Middleware
    /// What it calls next.
    let next: Next

    init(_ middleware: Middleware, _ next: Next) {
        self.middleware = middleware
        self.next = next
    }

    func respond(to request: Request, context: FlagRequestContext) async throws -> Response {
        try await middleware.handle(request, context: context) { request, context in
            try await next.respond(to: request, context: context)
        }
    }
}

/// A middleware that may be configured off (CORS without origins, no API key file): off, it passes every request on.
struct OptionalMiddleware<Wrapped: RouterMiddleware<FlagRequestContext>>: RouterMiddleware {
    typealias Context = FlagRequestContext
    /// The middleware, or nil when it is off.
    let wrapped: Wrapped?

    init(_ wrapped: Wrapped?) {
        self.wrapped = wrapped
    }

    func handle(_ request: Request, context: FlagRequestContext, next: (Request, FlagRequestContext) async throws -> Response) async throws -> Response {
        guard let wrapped else { return try await next(request, context) }
        return try await wrapped.handle(request, context: context, next: next)
    }
}
