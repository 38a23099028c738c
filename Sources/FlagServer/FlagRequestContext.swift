import HTTPTypes
import Hummingbird

/// The request context of `flagc serve`'s router: Hummingbird's core context plus what the API key allows.
struct FlagRequestContext: RequestContext {
    /// Hummingbird's per-request storage (endpoint path, parameters, logger).
    var coreContext: CoreRequestContextStorage
    /// What the caller's API key may read (`APIKeyMiddleware` sets it; every flag when no keys are configured).
    var access: FlagAccess = .all

    /// Creates the context for a request.
    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }
}

/// A JSON response with the given status.
func jsonResponse(_ status: HTTPResponse.Status, _ body: [UInt8], headers: HTTPFields = [:]) -> Response {
    var headers = headers
    headers[.contentType] = "application/json"
    return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
}
