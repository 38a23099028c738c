import FlagRuntime
import Foundation
import HTTPTypes
import Hummingbird

/// The OFREP 0.3.0 routes: single and bulk evaluation and the event stream, on a `FlagStore`.
struct OFREPRoutes {
    /// The store evaluations use (the watcher's).
    let store: FlagStore
    /// Counts evaluations.
    let metrics: ServerMetrics
    /// The open event streams.
    let streams: EventStreams
    /// The largest request body accepted, in bytes.
    let maximumBodySize: Int
    /// The path of the event stream, as the bulk response's `eventStreams` gives it.
    static let eventStreamPath = "/ofrep/v1/events"

    /// Adds the routes to `group` (which is mounted at `/ofrep/v1`).
    func add(to group: RouterGroup<FlagRequestContext>) {
        group.post("evaluate/flags/{key}") { request, context in try await evaluateFlag(request, context) }
        group.post("evaluate/flags") { request, context in try await evaluateFlags(request, context) }
        group.get("events") { _, _ in eventStream() }
    }

    /// Single-flag evaluation as a responder of its own type (`EvaluationShortcut`'s chain is specialized on it).
    struct Single: HTTPResponder {
        let routes: OFREPRoutes
        func respond(to request: Request, context: FlagRequestContext) async throws -> Response {
            try await routes.evaluateFlag(request, context)
        }
    }

    /// Bulk evaluation as a responder of its own type.
    struct Bulk: HTTPResponder {
        let routes: OFREPRoutes
        func respond(to request: Request, context: FlagRequestContext) async throws -> Response {
            try await routes.evaluateFlags(request, context)
        }
    }

    /// `POST /ofrep/v1/evaluate/flags/{key}`.
    func evaluateFlag(_ request: Request, _ context: FlagRequestContext) async throws -> Response {
        let key = context.parameters.get("key") ?? ""
        guard context.access.allows(key) else {
            return jsonResponse(.forbidden, OFREPResponse.general("this API key may not read flag '\(key)'; ask for a key whose prefixes include it"))
        }
        let evaluationContext: EvaluationContext
        switch await readContext(request, context) {
        case .success(let value): evaluationContext = value
        case .failure(let refusal): return refusal.response(key: key)
        }
        let evaluation = store.remoteEvaluation(key, context: evaluationContext)
        metrics.count(evaluation)
        let (status, body) = OFREPResponse.single(evaluation)
        return jsonResponse(HTTPResponse.Status(code: status), body)
    }

    /// `POST /ofrep/v1/evaluate/flags`: every flag the key may read, with an ETag hashed from the body (which
    /// names the snapshot and environment), so it changes exactly when the answer for this context does.
    func evaluateFlags(_ request: Request, _ context: FlagRequestContext) async throws -> Response {
        let evaluationContext: EvaluationContext
        switch await readContext(request, context) {
        case .success(let value): evaluationContext = value
        case .failure(let refusal): return refusal.response(key: nil)
        }
        let access = context.access
        let (snapshotID, results) = store.remoteEvaluations(context: evaluationContext, including: access.allows)
        for result in results { metrics.count(result) }
        let body = OFREPResponse.bulk(results, snapshotID: snapshotID, environment: evaluationContext.environment ?? store.environment,
                                      eventStreamPath: Self.eventStreamPath)
        let etag = ETag.of(body)
        if let condition = request.headers[.ifNoneMatch], ETag.matches(condition, etag) {
            return Response(status: .notModified, headers: [.eTag: etag])
        }
        return jsonResponse(.ok, body, headers: [.eTag: etag, .cacheControl: "no-cache"])
    }

    /// `GET /ofrep/v1/events`: server-sent events, `refetchEvaluation` after each reload.
    func eventStream() -> Response {
        guard let events = streams.subscribe() else {
            return jsonResponse(.serviceUnavailable, OFREPResponse.general("the server has \(streams.maximumStreams) event streams open (or is shutting down); poll the bulk endpoint instead, or retry later"),
                                headers: [.retryAfter: "5"])
        }
        let headers: HTTPFields = [.contentType: "text/event-stream", .cacheControl: "no-cache"]
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            try await writer.write(ByteBuffer(string: ": flagc event stream\nretry: 5000\n\n"))
            for await event in events { try await writer.write(event) }
            try await writer.finish(nil)
        })
    }

    /// A request refused before evaluation.
    enum Refusal: Error {
        case unsupportedMediaType(String)
        case tooLarge
        case invalid(OFREPRequest.Failure)

        func response(key: String?) -> Response {
            switch self {
            case .unsupportedMediaType(let type):
                return jsonResponse(.unsupportedMediaType, OFREPResponse.general("the request body is \(type); send JSON with Content-Type: application/json"))
            case .tooLarge:
                return jsonResponse(.contentTooLarge, OFREPResponse.general("the request body is larger than the server's --max-body; send a smaller context"))
            case .invalid(let failure):
                let body = key.map { OFREPResponse.failure(failure.code, failure.details, key: $0) } ?? OFREPResponse.failure(failure.code, failure.details)
                return jsonResponse(.badRequest, body)
            }
        }
    }

    /// Checks the content type, reads at most `maximumBodySize` bytes and decodes the context.
    func readContext(_ request: Request, _ context: FlagRequestContext) async -> Result<EvaluationContext, Refusal> {
        if let type = request.headers.value(of: .contentType), !Self.isJSON(type) {
            return .failure(.unsupportedMediaType(type))
        }
        if let length = request.headers.value(of: .contentLength).flatMap({ Int($0) }), length > maximumBodySize {
            return .failure(.tooLarge)
        }
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: maximumBodySize)
        } catch {
            return .failure(.tooLarge)
        }
        let store = store
        do throws(OFREPRequest.Failure) {
            return .success(try OFREPRequest.context(from: body.readableBytesView) { environment in
                do throws(SnapshotLoadError) {
                    try FlagStore.checkEnvironment(environment, of: store.snapshot)
                    return nil
                } catch {
                    return error.reason
                }
            })
        } catch {
            return .failure(.invalid(error))
        }
    }

    /// Whether a Content-Type is JSON: `application/json` or `application/*+json`, with any parameters.
    ///
    /// Reads the UTF-8 bytes in place: the media type before `;`, without the optional white space around it
    /// (spaces and tabs), compared case-insensitively. Every request with a body asks, so it neither allocates nor
    /// goes through Foundation or a string view's generic algorithms.
    static func isJSON(_ type: String) -> Bool {
        withUTF8Bytes(type) { bytes in
            var start = 0
            var end = bytes.firstIndex(of: UInt8(ascii: ";")) ?? bytes.count
            while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { start += 1 }
            while end > start, bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 { end -= 1 }
            let application: StaticString = "application/"
            guard end - start >= application.utf8CodeUnitCount,
                  asciiLowercaseEquals(bytes, start, application) else { return false }
            let subtype = start + application.utf8CodeUnitCount
            return (end - subtype == 4 && asciiLowercaseEquals(bytes, subtype, "json"))
                || (end - subtype >= 5 && asciiLowercaseEquals(bytes, end - 5, "+json"))
        }
    }

    /// Whether `bytes` from `offset` start with `lowercase` (lowercase ASCII, which fits), ignoring the case of ASCII
    /// letters.
    private static func asciiLowercaseEquals(_ bytes: UnsafeRawBufferPointer, _ offset: Int, _ lowercase: StaticString) -> Bool {
        let expected = lowercase.utf8Start
        for index in 0..<lowercase.utf8CodeUnitCount {
            let byte = bytes[offset + index]
            guard (byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte) == expected[index] else { return false }
        }
        return true
    }
}

/// Strong entity tags of bulk responses, and `If-None-Match` matching.
enum ETag {
    /// `"HEX"`: the first 128 bits of the body's SHA-256.
    static func of(_ body: [UInt8]) -> String {
        "\"" + SHA256.hexDigest(body).prefix(32) + "\""
    }

    /// Whether an `If-None-Match` value (`*`, or a comma-separated list of tags, weak or strong) matches `etag`.
    static func matches(_ condition: String, _ etag: String) -> Bool {
        for candidate in condition.split(separator: ",") {
            var tag = trimmed(candidate)
            if tag == "*" { return true }
            if tag.hasPrefix("W/") { tag.removeFirst(2) }
            if tag == etag { return true }
        }
        return false
    }

    /// `text` trimmed as `trimmingCharacters(in: .whitespaces)` trims it: an ASCII candidate (every real one) of its
    /// spaces and tabs in place, anything else through Foundation, whose set of white space it then keeps.
    static func trimmed(_ text: Substring) -> Substring {
        let bytes = text.utf8
        guard bytes.allSatisfy({ $0 < 0x80 }) else { return Substring(text.trimmingCharacters(in: .whitespaces)) }
        guard let first = bytes.firstIndex(where: { $0 != 0x20 && $0 != 0x09 }),
              let last = bytes.lastIndex(where: { $0 != 0x20 && $0 != 0x09 }) else { return "" }
        return text[first...last]
    }
}
