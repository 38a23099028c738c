import FlagRuntime

/// Decodes an OFREP evaluation request body, `{"context": {"targetingKey": "…", …}}`, into an
/// `EvaluationContext` with the same rules as `flagc eval --context` (`ContextJSON`).
///
/// A body without `context` (what OpenFeature providers send when the caller gave no context) is the empty
/// context; other top-level members are ignored, for forward compatibility.
enum OFREPRequest {
    /// How deep a request body may nest. A context is flat (attributes are scalars or lists of strings), so a
    /// valid request is three levels deep; anything deeper is refused before it is built.
    static let maximumDepth = 4

    /// Why a body was refused: the OFREP error code and what to do.
    struct Failure: Error, Equatable {
        /// `PARSE_ERROR` or `INVALID_CONTEXT`.
        var code: OFREPErrorCode
        /// The `errorDetails` text.
        var details: String
    }

    /// The context of `body`, or the failure to answer with 400.
    ///
    /// A plain body (`ContextJSON.plainRequestContext`: what providers send) is read straight into the context;
    /// any other goes through `generalContext(from:)`, which answers it exactly as the plain path would have.
    static func context(from body: some Collection<UInt8>, environments: (String?) -> String?) throws(Failure) -> EvaluationContext {
        let context: EvaluationContext
        if let plain = ContextJSON.plainRequestContext(body, maximumDepth: maximumDepth) {
            context = plain
        } else {
            context = try generalContext(from: body)
        }
        if let environment = context.environment, let problem = environments(environment) {
            throw Failure(code: .invalidContext, details: "context: \(problem)")
        }
        return context
    }

    /// The context of any body, through a `JSONValue` tree (before the environment check): the empty context for
    /// white space, `PARSE_ERROR` and `INVALID_CONTEXT` with their messages for everything that is refused.
    static func generalContext(from body: some Collection<UInt8>) throws(Failure) -> EvaluationContext {
        if body.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) { return EvaluationContext() }
        let json: JSONValue
        do {
            json = try JSONValue(parsing: body, maximumDepth: maximumDepth)
        } catch {
            let hint = error.message.contains("deeper") ? "; a context is a flat object of strings, numbers, booleans and arrays of strings" : ""
            throw Failure(code: .parseError, details: "the request body is not valid JSON: line \(error.line), column \(error.column): \(error.message)\(hint)")
        }
        guard case .object(let members) = json else {
            throw Failure(code: .parseError, details: "the request body must be a JSON object like {\"context\":{\"targetingKey\":\"user-1\"}}, not \(ContextJSON.kind(of: json))")
        }
        var context = EvaluationContext()
        switch members["context"] {
        case nil, .null?:
            break
        case .object(let attributes)?:
            do {
                try ContextJSON.apply(attributes, to: &context)
            } catch {
                throw Failure(code: .invalidContext, details: "context: \(error)")
            }
        case let other?:
            throw Failure(code: .invalidContext, details: "member 'context' is \(ContextJSON.kind(of: other)); it must be an object like {\"targetingKey\":\"user-1\"}")
        }
        return context
    }
}

/// The error codes an OFREP response carries, in OpenFeature's vocabulary.
enum OFREPErrorCode: String, Sendable {
    /// The request body (or a flag's value) could not be parsed.
    case parseError = "PARSE_ERROR"
    /// The flag hashes the targeting key and the context has none.
    case targetingKeyMissing = "TARGETING_KEY_MISSING"
    /// The context has a member the runtime cannot use.
    case invalidContext = "INVALID_CONTEXT"
    /// No flag has the key.
    case flagNotFound = "FLAG_NOT_FOUND"
    /// Anything else.
    case general = "GENERAL"
}
