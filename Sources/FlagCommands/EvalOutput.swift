import FlagRuntime

/// Renders evaluation results as `flagc eval` prints them.
enum EvalOutput {
    /// The canonical compact writer every JSON result and value goes through.
    static let writer = JSONWriter(style: .compact)

    /// The `--format json` object: flag, value, variant, reason, errorCode, errorMessage, ruleIndex, ruleName
    /// (absent ones omitted), plus `explanation` when given.
    static func json(_ details: EvaluationDetails<FlagValue?>, explanation: [String]? = nil) -> JSONValue {
        var object: [String: JSONValue] = Dictionary(minimumCapacity: 8)
        object["flag"] = .string(details.flagKey)
        object["reason"] = .string(details.reason.rawValue)
        if let value = details.value { object["value"] = value.jsonValue }
        if let variant = details.variant { object["variant"] = .string(variant) }
        if let code = details.errorCode { object["errorCode"] = .string(code.rawValue) }
        if let message = details.errorMessage { object["errorMessage"] = .string(message) }
        if let index = details.ruleIndex { object["ruleIndex"] = .integer(Int64(index)) }
        if let name = details.ruleName { object["ruleName"] = .string(name) }
        if let explanation { object["explanation"] = .array(explanation.map(JSONValue.string)) }
        return .object(object)
    }

    /// Appends `writer.bytes(json(details))` without building the object: the members in sorted key order,
    /// strings escaped as `JSONWriter` escapes them, numbers and objects written by `JSONWriter`.
    /// The end-to-end tests check that `--batch` lines equal `--format json` output byte for byte.
    static func appendJSON(_ details: EvaluationDetails<FlagValue?>, to output: inout [UInt8]) {
        var separator = UInt8(ascii: "{")
        func key(_ name: StaticString) {
            output.append(separator)
            separator = UInt8(ascii: ",")
            output.append(UInt8(ascii: "\""))
            name.withUTF8Buffer { output.append(contentsOf: $0) }
            output.append(UInt8(ascii: "\""))
            output.append(UInt8(ascii: ":"))
        }
        if let code = details.errorCode {
            key("errorCode")
            appendString(code.rawValue, to: &output)
        }
        if let message = details.errorMessage {
            key("errorMessage")
            appendString(message, to: &output)
        }
        key("flag")
        appendString(details.flagKey, to: &output)
        key("reason")
        appendString(details.reason.rawValue, to: &output)
        if let index = details.ruleIndex {
            key("ruleIndex")
            output.append(contentsOf: String(index).utf8)
        }
        if let name = details.ruleName {
            key("ruleName")
            appendString(name, to: &output)
        }
        if let value = details.value {
            key("value")
            switch value {
            case .boolean(let flag): output.append(contentsOf: (flag ? "true" : "false").utf8)
            case .string(let string): appendString(string, to: &output)
            case .integer(let integer): output.append(contentsOf: String(integer).utf8)
            case .number, .object: output.append(contentsOf: writer.bytes(value.jsonValue))
            }
        }
        if let variant = details.variant {
            key("variant")
            appendString(variant, to: &output)
        }
        output.append(UInt8(ascii: "}"))
    }

    /// Appends `text` as `JSONWriter` writes a string: quoted; `"`, `\` and control characters escaped (`\b \f \n \r \t`
    /// short, others as `\u00xx` in lowercase hex); everything else raw UTF-8.
    static func appendString(_ text: String, to output: inout [UInt8]) {
        var text = text
        output.append(UInt8(ascii: "\""))
        text.withUTF8 { bytes in
            guard bytes.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) else {
                output.append(contentsOf: bytes)
                return
            }
            for byte in bytes {
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                    output.append(UInt8(ascii: "\\"))
                    output.append(byte)
                case 0x08: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
                case 0x0C: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
                case 0x0A: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
                case 0x0D: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
                case 0x09: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
                case 0..<0x20:
                    let hex = Array("0123456789abcdef".utf8)
                    output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]])
                default:
                    output.append(byte)
                }
            }
        }
        output.append(UInt8(ascii: "\""))
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
