import FlagRuntime

/// Renders evaluation results as `flagc eval` prints them.
enum EvalOutput {
    /// The canonical compact writer every JSON result and value goes through.
    static let writer = JSONWriter(style: .compact)

    /// The `--format json` object and each `--batch` line: errorCode, errorMessage, explanation (when given),
    /// flag, reason, ruleIndex, ruleName, value and variant, absent ones omitted, in that (sorted) order, compact.
    static func json(_ details: EvaluationDetails<FlagValue?>, explanation: [String]? = nil) -> [UInt8] {
        var json = JSONEmitter(style: .compact, capacity: 128)
        json.beginObject()
        if let code = details.errorCode { json.member("errorCode", code.rawValue) }
        if let message = details.errorMessage { json.member("errorMessage", message) }
        if let explanation { json.member("explanation", strings: explanation) }
        json.member("flag", details.flagKey)
        json.member("reason", details.reason.rawValue)
        if let index = details.ruleIndex { json.member("ruleIndex", Int64(index)) }
        if let name = details.ruleName { json.member("ruleName", name) }
        if let value = details.value {
            json.key("value")
            json.value(value.jsonValue)
        }
        if let variant = details.variant { json.member("variant", variant) }
        json.endObject()
        return json.finish()
    }

    /// The `--batch` result for a line that could not be read: `{"errorCode":"PARSE_ERROR","errorMessage":…,"line":N,"reason":"ERROR"}`.
    static func parseError(line: Int, message: String) -> JSONValue {
        .object([
            "line": .integer(Int64(line)),
            "reason": .string(EvaluationReason.error.rawValue),
            "errorCode": .string(EvaluationErrorCode.parseError.rawValue),
            "errorMessage": .string(message),
        ])
    }

    /// The text line: `FLAG = VALUE (variant V, reason R, rule N "name")` with N counted from 1, or for an error
    /// `FLAG: error CODE: message (reason ERROR)`. Without a value (a disabled flag) VALUE is `(caller's default)`.
    static func text(_ details: EvaluationDetails<FlagValue?>) -> String {
        if details.reason == .error {
            let code = details.errorCode ?? .general
            return "\(details.flagKey): error \(code.rawValue): \(details.errorMessage ?? "no message") (reason \(details.reason.rawValue))"
        }
        let value = details.value.map { writer.string($0.jsonValue) } ?? "(caller's default)"
        var parts: [String] = []
        if let variant = details.variant { parts.append("variant \(variant)") }
        parts.append("reason \(details.reason.rawValue)")
        if let index = details.ruleIndex {
            parts.append("rule \(index + 1)" + (details.ruleName.map { " " + writer.string(.string($0)) } ?? ""))
        }
        return "\(details.flagKey) = \(value) (\(parts.joined(separator: ", ")))"
    }
}
