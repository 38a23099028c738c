import FlagRuntime
import HTTPTypes
import Hummingbird

/// Answers `POST /ofrep/v1/evaluate/flags/{key}` and `POST /ofrep/v1/evaluate/flags` without the router's trie,
/// and passes every other request to the router.
///
/// Only the exact paths take the shortcut: a path the router would also match another way (a doubled or trailing
/// slash, a query is fine since it is not part of the path) goes to the router, which answers it the same. The
/// shortcut sets what the router sets (the `key` parameter, the endpoint path that metrics and access logs name)
/// and turns a thrown `HTTPResponseError` into its response as the router does.
struct EvaluationShortcut: HTTPResponder {
    /// Everything else.
    let router: RouterResponder<FlagRequestContext>
    /// Single-flag evaluation, inside the same middleware as the router's route.
    let single: any HTTPResponder<FlagRequestContext>
    /// Bulk evaluation, inside the same middleware as the router's route.
    let bulk: any HTTPResponder<FlagRequestContext>

    /// The router's name for the single-evaluation route (its `endpointPath`).
    static let singleRoute = "/ofrep/v1/evaluate/flags/{key}"
    /// The router's name for the bulk route, also its exact path.
    static let bulkRoute = "/ofrep/v1/evaluate/flags"

    /// Which route a path takes.
    enum Match: Equatable {
        /// `/ofrep/v1/evaluate/flags/KEY`, KEY non-empty and without `/`.
        case single(Substring)
        /// `/ofrep/v1/evaluate/flags`.
        case bulk
    }

    func respond(to request: Request, context: FlagRequestContext) async throws -> Response {
        guard request.method == .post, let match = Self.match(request.uri.path) else {
            return try await router.respond(to: request, context: context)
        }
        var context = context
        let responder: any HTTPResponder<FlagRequestContext>
        switch match {
        case .single(let key):
            var parameters = Parameters()
            parameters["key"] = key
            context.coreContext.parameters = parameters
            context.coreContext.endpointPath.value = Self.singleRoute
            responder = single
        case .bulk:
            context.coreContext.endpointPath.value = Self.bulkRoute
            responder = bulk
        }
        do {
            return try await responder.respond(to: request, context: context)
        } catch let error as any HTTPResponseError {
            return try error.response(from: request, context: context)
        }
    }

    /// The route of `path`, compared byte for byte (the router is case-sensitive too), or nil for the router.
    static func match(_ path: String) -> Match? {
        let keyOffset: Int? = withUTF8Bytes(path) { bytes in
            withUTF8Bytes(bulkRoute) { prefix in
                guard bytes.count >= prefix.count, bytes.prefix(prefix.count).elementsEqual(prefix) else { return nil }
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
