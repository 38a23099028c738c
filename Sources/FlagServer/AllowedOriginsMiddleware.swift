import Hummingbird

/// CORS for the configured browser origins only: a request whose `Origin` is one of `origins` (or any origin
/// with `*`) goes through Hummingbird's `CORSMiddleware`, which answers preflights and adds the headers; others
/// get no CORS headers, so browsers keep them from reading the answer.
struct AllowedOriginsMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The allowed origins (`https://app.example.com`), or `["*"]`.
    let origins: [String]
    /// Hummingbird's CORS middleware, echoing the allowed origin.
    let cors: CORSMiddleware<Context>

    /// Applies CORS when the origin is allowed.
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let origin = request.headers[.origin], origins == ["*"] || origins.contains(origin) else {
            return try await next(request, context)
        }
        return try await cors.handle(request, context: context, next: next)
    }
}
