extension ContextJSON {
    /// The context of a request body `{"context": {…}}` read straight from its bytes, without building a
    /// `JSONValue` tree first; nil when the body is not of the plain shape read here, and then the general path
    /// (`JSONValue(parsing:maximumDepth:)` and `apply(_:to:)`) must answer it, with its errors.
    ///
    /// The plain shape: an object whose only member is `member` (an object, or null for the empty context), or
    /// the empty object; the context's member names are ASCII without escapes and none repeats; `targetingKey`
    /// and `environment` are strings, every other member a string, a number, a boolean or an array of strings.
    /// For every body of that shape the general path accepts, the context is the one it builds: strings and
    /// numbers are read by the same parser code, and a name that is ASCII compares as its bytes. Everything else
    /// (errors, `null` members, other top-level members, names that need Unicode comparison, nesting that needs
    /// more than `maximumDepth`) is nil, so no message or rule of the general path is repeated here.
    ///
    /// `flagc serve` reads every OFREP request this way: building the tree and copying it into the context cost
    /// about 30,000 instructions per request, most of what reading the context costs.
    package static func plainRequestContext(_ bytes: some Collection<UInt8>, member: StaticString = "context",
                                            maximumDepth: Int) -> EvaluationContext? {
        // The request object, the context object and an array of strings: three levels.
        guard maximumDepth >= 3 else { return nil }
        let context: EvaluationContext?? = bytes.withContiguousStorageIfAvailable { buffer in
            var reader = PlainContextReader(parser: JSONParser(input: buffer, maximumDepth: maximumDepth))
            return reader.request(member: member)
        }
        return context ?? nil
    }
}

/// Reads the plain request shape of `ContextJSON.plainRequestContext` with `JSONParser`'s string and number
/// code; every method returns nil as soon as the input leaves that shape.
private struct PlainContextReader {
    var parser: JSONParser
    private var input: UnsafeBufferPointer<UInt8> { parser.input }

    /// The byte at the parser's position, or nil at the end of the input.
    private var current: UInt8? {
        parser.position < input.count ? input[parser.position] : nil
    }

    /// Skips `byte` and the white space after it, if the current byte is `byte`.
    private mutating func consume(_ byte: UInt8) -> Bool {
        guard current == byte else { return false }
        parser.position &+= 1
        parser.skipWhitespace()
        return true
    }

    /// `{}`, or `{"MEMBER": CONTEXT}` with `CONTEXT` an object or `null`, and nothing but white space after it.
    mutating func request(member: StaticString) -> EvaluationContext? {
        parser.skipWhitespace()
        guard consume(UInt8(ascii: "{")) else { return nil }
        let context: EvaluationContext
        if consume(UInt8(ascii: "}")) {
            context = EvaluationContext()
        } else {
            guard let name = key(), equals(name, member) else { return nil }
            switch current {
            case UInt8(ascii: "{")?:
                guard let attributes = contextObject() else { return nil }
                context = attributes
            case UInt8(ascii: "n")?:
                guard (try? parser.parseLiteral("null")) != nil else { return nil }
                context = EvaluationContext()
            default:
                return nil
            }
            parser.skipWhitespace()
            guard consume(UInt8(ascii: "}")) else { return nil }
        }
        return parser.position == input.count ? context : nil
    }

    /// The context object at the current `{`, and the white space after it. The attributes go straight into the
    /// context (`EvaluationContext(decoding:)`), with no dictionary in between.
    private mutating func contextObject() -> EvaluationContext? {
        guard consume(UInt8(ascii: "{")) else { return nil }
        if consume(UInt8(ascii: "}")) { return EvaluationContext() }
        return EvaluationContext { attributes, targetingKey, environment in
            while true {
                guard let name = key() else { return false }
                if equals(name, "targetingKey") {
                    guard targetingKey == nil, let value = string() else { return false }
                    targetingKey = value
                } else if equals(name, "environment") {
                    guard environment == nil, let value = string() else { return false }
                    environment = value
                } else {
                    let attributeName = String(decoding: name, as: UTF8.self)
                    guard attributes[attributeName] == nil, let value = attribute() else { return false }
                    attributes[attributeName] = value
                }
                parser.skipWhitespace()
                if consume(UInt8(ascii: ",")) { continue }
                return consume(UInt8(ascii: "}"))
            }
        }
    }

    /// The bytes of the object key at the current `"` when they are ASCII without escapes or control
    /// characters; moves past the `:` after it and the white space after that.
    private mutating func key() -> UnsafeBufferPointer<UInt8>? {
        guard current == UInt8(ascii: "\"") else { return nil }
        let start = parser.position &+ 1
        var end = start
        while end < input.count {
            let byte = input[end]
            if byte == UInt8(ascii: "\"") { break }
            guard byte >= 0x20, byte < 0x80, byte != UInt8(ascii: "\\") else { return nil }
            end &+= 1
        }
        guard end < input.count else { return nil }
        parser.position = end &+ 1
        parser.skipWhitespace()
        guard consume(UInt8(ascii: ":")) else { return nil }
        return UnsafeBufferPointer(rebasing: input[start..<end])
    }

    /// The string at the current position (which must be a `"`).
    private mutating func string() -> String? {
        guard current == UInt8(ascii: "\"") else { return nil }
        return try? parser.parseString()
    }

    /// A string, a number, a boolean or an array of strings, as `ContextJSON.attribute(_:)` turns it into a value.
    private mutating func attribute() -> ContextValue? {
        switch current {
        case UInt8(ascii: "\"")?:
            return string().map(ContextValue.string)
        case UInt8(ascii: "t")?:
            return (try? parser.parseLiteral("true")).map { .boolean(true) }
        case UInt8(ascii: "f")?:
            return (try? parser.parseLiteral("false")).map { .boolean(false) }
        case UInt8(ascii: "-")?, (UInt8(ascii: "0")...UInt8(ascii: "9"))?:
            return (try? parser.parseNumber()).flatMap(ContextJSON.attribute)
        case UInt8(ascii: "[")?:
            parser.position &+= 1
            parser.skipWhitespace()
            if consume(UInt8(ascii: "]")) { return .strings([]) }
            var strings: [String] = []
            while true {
                guard let element = string() else { return nil }
                strings.append(element)
                parser.skipWhitespace()
                if consume(UInt8(ascii: ",")) { continue }
                guard current == UInt8(ascii: "]") else { return nil }
                parser.position &+= 1
                return .strings(strings)
            }
        default:
            return nil
        }
    }

    /// Whether `bytes` are those of `name`.
    private func equals(_ bytes: UnsafeBufferPointer<UInt8>, _ name: StaticString) -> Bool {
        bytes.count == name.utf8CodeUnitCount && (bytes.isEmpty || ByteString.equal(bytes.baseAddress!, name.utf8Start, count: bytes.count))
    }
}
