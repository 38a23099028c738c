import HTTPTypes
import Hummingbird

/// Requires an API key (`X-API-Key: KEY` or `Authorization: Bearer KEY`) from `keys`: 401 without one or with an
/// unknown one; otherwise records what the key may read in the context (the routes answer 403 for flags outside it).
struct APIKeyMiddleware: RouterMiddleware {
    /// The key file, re-read when it changes.
    let keys: APIKeyFile

    /// Checks the key and passes the request on, or answers 401.
    func handle(_ request: Request, context: FlagRequestContext, next: (Request, FlagRequestContext) async throws -> Response) async throws -> Response {
        guard let presented = Self.presentedKey(request.headers) else {
            return jsonResponse(.unauthorized, OFREPResponse.general("an API key is required: send it as X-API-Key: KEY or Authorization: Bearer KEY"),
                                headers: [.wwwAuthenticate: "Bearer"])
        }
        guard let access = keys.keys.access(for: presented) else {
            return jsonResponse(.unauthorized, OFREPResponse.general("the API key is not one of the server's keys; check it against --api-key-file"),
                                headers: [.wwwAuthenticate: "Bearer error=\"invalid_token\""])
        }
        var context = context
        context.access = access
        return try await next(request, context)
    }

    /// The key in `X-API-Key`, else the token of `Authorization: Bearer`.
    static func presentedKey(_ headers: HTTPFields) -> Substring? {
        if let key = headers[HTTPField.Name("X-API-Key")!], !key.isEmpty { return Substring(key) }
        guard let authorization = headers[.authorization] else { return nil }
        let parts = authorization.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].drop { $0 == " " }
        return token.isEmpty ? nil : token
    }
}
