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
    var fields = jsonContentType
    if !headers.isEmpty { fields.append(contentsOf: headers) }
    return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
}

/// `Content-Type: application/json`, built once (every evaluation answer starts from it).
private let jsonContentType: HTTPFields = [.contentType: "application/json"]

extension HTTPFields {
    /// The value of the field `name` as `self[name]` gives it (several fields joined), without building a new
    /// string in the usual case of one field: `self[name]` joins even a single value, on every request.
    func value(of name: HTTPField.Name) -> String? {
        guard let first = firstIndex(where: { $0.name == name }) else { return nil }
        if self[index(after: first)...].contains(where: { $0.name == name }) { return self[name] }
        return self[first].value
    }
}
