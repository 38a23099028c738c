/// An error found while parsing JSON text, with the 1-based line and column and the byte offset where it was found.
///
/// Lines are separated by `\n`. The column counts Unicode scalars (UTF-8 lead bytes) from the
/// start of the line, so a multi-byte character or a tab counts as one column.
package struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong, for example `expected ',' or '}' after an object member`.
    package var message: String
    /// The 0-based byte offset in the input where the problem was found.
    package var offset: Int
    /// The 1-based line of `offset`.
    package var line: Int
    /// The 1-based column of `offset` within its line.
    package var column: Int

    /// Creates an error with an explicit position.
    package init(message: String, offset: Int, line: Int, column: Int) {
        self.message = message
        self.offset = offset
        self.line = line
        self.column = column
    }

    /// The position and message, for example `line 3, column 7: expected ',' or '}' after an object member`.
    package var description: String {
        "line \(line), column \(column): \(message)"
    }
}

extension JSONValue {
    /// Parses one JSON document; `maximumDepth` bounds nesting (default 128).
    ///
    /// The parser is strict (RFC 8259): it rejects trailing content other than whitespace,
    /// duplicate object keys, leading zeros, `+` signs, control characters in strings, invalid
    /// escapes, invalid UTF-8, unpaired UTF-16 surrogate escapes, numbers too large for a
    /// `Double`, and more than `maximumDepth` nested arrays and objects. Numbers without a
    /// fraction or exponent that fit `Int64` become `.integer`; all others become `.double`.
    /// Parsing is iterative, so deep nesting produces an error rather than a stack overflow (but
    /// comparing, hashing, writing and destroying a value recurse, so keep `maximumDepth` modest).
    /// Keys are compared as Swift strings, so two canonically equivalent spellings of a key (such
    /// as `"é"` and `"e\u0301"`) count as duplicates.
    package init(parsing bytes: some Collection<UInt8>, maximumDepth: Int = 128) throws(JSONParseError) {
        let result: Result<JSONValue, JSONParseError>? = bytes.withContiguousStorageIfAvailable { buffer in
            JSONValue.parse(buffer, maximumDepth: maximumDepth)
        }
        if let result {
            self = try result.get()
        } else {
            let array = Array(bytes)
            self = try array.withUnsafeBufferPointer { JSONValue.parse($0, maximumDepth: maximumDepth) }.get()
        }
    }

    /// Parses one JSON document from the UTF-8 of `string`; `maximumDepth` bounds nesting (default 128).
    package init(parsing string: String, maximumDepth: Int = 128) throws(JSONParseError) {
        var string = string
        self = try string.withUTF8 { JSONValue.parse($0, maximumDepth: maximumDepth) }.get()
    }

    private static func parse(_ buffer: UnsafeBufferPointer<UInt8>, maximumDepth: Int) -> Result<JSONValue, JSONParseError> {
        var parser = JSONParser(input: buffer, maximumDepth: maximumDepth)
        do throws(JSONParseError) {
            return .success(try parser.parseDocument())
        } catch {
            return .failure(error)
        }
    }
}

// MARK: - Parser

private let quote = UInt8(ascii: "\"")
private let backslash = UInt8(ascii: "\\")
private let comma = UInt8(ascii: ",")
private let colon = UInt8(ascii: ":")
private let openBracket = UInt8(ascii: "[")
private let closeBracket = UInt8(ascii: "]")
private let openBrace = UInt8(ascii: "{")
private let closeBrace = UInt8(ascii: "}")
private let minus = UInt8(ascii: "-")
private let plus = UInt8(ascii: "+")
private let zero = UInt8(ascii: "0")
private let nine = UInt8(ascii: "9")
private let dot = UInt8(ascii: ".")

/// Exactly representable powers of ten for the fast number path.
private let exactPowersOfTen: [Double] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
]

/// A byte-level, iterative RFC 8259 parser over a contiguous buffer.
///
/// Internal (not private) so that `ContextJSON.plainRequestContext` reads strings and numbers with exactly this
/// code; nothing outside this file and that one uses it.
struct JSONParser {
    let input: UnsafeBufferPointer<UInt8>
    let maximumDepth: Int
    var position = 0
    /// Reused buffer for strings that contain escapes.
    var scratch: [UInt8] = []

    init(input: UnsafeBufferPointer<UInt8>, maximumDepth: Int) {
        self.input = input
        self.maximumDepth = maximumDepth
    }

    // MARK: Errors

    func error(_ message: String, at offset: Int) -> JSONParseError {
        var line = 1
        var lineStart = 0
        var index = 0
        while index < offset {
            if input[index] == UInt8(ascii: "\n") {
                line += 1
                lineStart = index + 1
            }
            index += 1
        }
        var column = 1
        index = lineStart
        while index < offset {
            if input[index] & 0xC0 != 0x80 { column += 1 }
            index += 1
        }
        return JSONParseError(message: message, offset: offset, line: line, column: column)
    }

    func endOfInput() -> JSONParseError {
        error("unexpected end of input", at: input.count)
    }

    /// A short description of the byte at `offset` for messages.
    func describeByte(at offset: Int) -> String {
        let byte = input[offset]
        if byte >= 0x20 && byte < 0x7F {
            return "'\(Character(Unicode.Scalar(byte)))'"
        }
        return "byte 0x\(hex(byte, digits: 2))"
    }

    // MARK: Whitespace

    @inline(__always)
    mutating func skipWhitespace() {
        while position < input.count {
            switch input[position] {
            case 0x20, 0x0A, 0x0D, 0x09: position &+= 1
            default: return
            }
        }
    }

    // MARK: Document

    /// An open array or object: where its elements start in the shared value and key stacks.
    struct Frame {
        var isObject: Bool
        var valueStart: Int
        var keyStart: Int
    }

    mutating func parseDocument() throws(JSONParseError) -> JSONValue {
        skipWhitespace()
        if position == input.count {
            throw error("empty input", at: position)
        }

        // Open containers, innermost last. Finished elements and member keys of all open
        // containers live in shared stacks; a container is built in one go when it closes, so
        // objects are created with the right capacity and every key is hashed once.
        var frames: [Frame] = []
        var values: [JSONValue] = []
        var keys: [String] = []
        var keyOffsets: [Int] = []

        parseValue: while true {
            skipWhitespace()
            guard position < input.count else { throw endOfInput() }
            var value: JSONValue
            let byte = input[position]
            switch byte {
            case openBrace:
                guard frames.count < maximumDepth else {
                    throw error("nesting is deeper than the maximum depth of \(maximumDepth)", at: position)
                }
                position &+= 1
                skipWhitespace()
                guard position < input.count else { throw endOfInput() }
                if input[position] == closeBrace {
                    position &+= 1
                    value = .object([:])
                } else {
                    guard input[position] == quote else {
                        throw error("expected a string key or '}' after '{'", at: position)
                    }
                    frames.append(Frame(isObject: true, valueStart: values.count, keyStart: keys.count))
                    try parseKey(into: &keys, offsets: &keyOffsets)
                    continue parseValue
                }
            case openBracket:
                guard frames.count < maximumDepth else {
                    throw error("nesting is deeper than the maximum depth of \(maximumDepth)", at: position)
                }
                position &+= 1
                skipWhitespace()
                guard position < input.count else { throw endOfInput() }
                if input[position] == closeBracket {
                    position &+= 1
                    value = .array([])
                } else {
                    frames.append(Frame(isObject: false, valueStart: values.count, keyStart: keys.count))
                    continue parseValue
                }
            case quote:
                value = .string(try parseString())
            case UInt8(ascii: "t"):
                try parseLiteral("true")
                value = .bool(true)
            case UInt8(ascii: "f"):
                try parseLiteral("false")
                value = .bool(false)
            case UInt8(ascii: "n"):
                try parseLiteral("null")
                value = .null
            case minus, zero...nine:
                value = try parseNumber()
            case plus:
                throw error("a number must not start with '+'", at: position)
            case dot:
                throw error("a number must start with a digit", at: position)
            case closeBracket where frames.last?.isObject == false:
                throw error("trailing comma is not allowed in an array", at: previousComma(before: position))
            case 0xEF where position == 0 && input.count >= 3 && input[1] == 0xBB && input[2] == 0xBF:
                throw error("a byte order mark is not allowed", at: position)
            default:
                throw error("expected a value but found \(describeByte(at: position))", at: position)
            }

            // Add the finished value to its container; build containers as they close.
            while true {
                guard let frame = frames.last else {
                    skipWhitespace()
                    if position != input.count {
                        throw error("unexpected \(describeByte(at: position)) after the JSON value", at: position)
                    }
                    return value
                }
                values.append(value)
                skipWhitespace()
                guard position < input.count else { throw endOfInput() }
                let next = input[position]
                if next == comma {
                    let commaOffset = position
                    position &+= 1
                    if frame.isObject {
                        skipWhitespace()
                        guard position < input.count else { throw endOfInput() }
                        if input[position] == closeBrace {
                            throw error("trailing comma is not allowed in an object", at: commaOffset)
                        }
                        guard input[position] == quote else {
                            throw error("expected a string key after ','", at: position)
                        }
                        try parseKey(into: &keys, offsets: &keyOffsets)
                    }
                    continue parseValue
                }
                if frame.isObject {
                    guard next == closeBrace else {
                        throw error("expected ',' or '}' after an object member", at: position)
                    }
                    position &+= 1
                    var members: [String: JSONValue] = Dictionary(minimumCapacity: values.count - frame.valueStart)
                    var keyIndex = frame.keyStart
                    for valueIndex in frame.valueStart..<values.count {
                        if members.updateValue(values[valueIndex], forKey: keys[keyIndex]) != nil {
                            throw duplicateKey(keys[keyIndex], among: keys[frame.keyStart..<keyIndex], offset: keyOffsets[keyIndex])
                        }
                        keyIndex &+= 1
                    }
                    values.removeSubrange(frame.valueStart...)
                    keys.removeSubrange(frame.keyStart...)
                    keyOffsets.removeSubrange(frame.keyStart...)
                    value = .object(members)
                } else {
                    guard next == closeBracket else {
                        throw error("expected ',' or ']' after an array element", at: position)
                    }
                    position &+= 1
                    let elements = Array(values[frame.valueStart...])
                    values.removeSubrange(frame.valueStart...)
                    value = .array(elements)
                }
                frames.removeLast()
            }
        }
    }

    /// The offset of the `,` that precedes `offset`, skipping whitespace (used for trailing-comma errors).
    func previousComma(before offset: Int) -> Int {
        var index = offset - 1
        while index > 0 && input[index] != comma { index -= 1 }
        return index
    }

    /// Parses an object key at `position` (a `"`), pushes it and its offset, and consumes the following `:`.
    mutating func parseKey(into keys: inout [String], offsets: inout [Int]) throws(JSONParseError) {
        let keyOffset = position
        let key = try parseString()
        skipWhitespace()
        guard position < input.count else { throw endOfInput() }
        guard input[position] == colon else {
            throw error("expected ':' after an object key", at: position)
        }
        position &+= 1
        keys.append(key)
        offsets.append(keyOffset)
    }

    /// The error for `key`, which repeats one of `earlierKeys` (exactly or canonically equivalent).
    func duplicateKey(_ key: String, among earlierKeys: ArraySlice<String>, offset: Int) -> JSONParseError {
        let earlier = earlierKeys.first { $0 == key } ?? key
        if earlier.utf8.elementsEqual(key.utf8) {
            return error("duplicate key \(quoted(key)) in object", at: offset)
        }
        return error("duplicate key \(quoted(key)) in object (canonically equivalent to \(quoted(earlier)))", at: offset)
    }

    func quoted(_ key: String) -> String {
        var output = JSONOutput()
        JSONWriter.appendString(key, to: &output)
        return String(decoding: output.bytes(), as: UTF8.self)
    }

    // MARK: Literals

    mutating func parseLiteral(_ literal: StaticString) throws(JSONParseError) {
        let start = position
        let count = literal.utf8CodeUnitCount
        let expected = literal.utf8Start
        for index in 0..<count {
            guard start + index < input.count else { throw endOfInput() }
            if input[start + index] != expected[index] {
                throw error("invalid literal; expected '\(literal)'", at: start)
            }
        }
        position = start + count
    }

    // MARK: Numbers

    mutating func parseNumber() throws(JSONParseError) -> JSONValue {
        let start = position
        var negative = false
        if input[position] == minus {
            negative = true
            position &+= 1
            guard position < input.count else { throw endOfInput() }
        }

        // Integer part. `mantissa` collects up to 19 significant digits for the fast paths.
        var mantissa: UInt64 = 0
        var significantDigits = 0
        var droppedDigits = 0          // significant digits past the 19 kept in `mantissa`
        var integerOverflow = false
        var integerValue: Int64 = 0    // accumulated as a negative number so Int64.min fits

        let firstDigit = input[position]
        if firstDigit == zero {
            position &+= 1
            if position < input.count, isDigit(input[position]) {
                throw error("leading zeros are not allowed in numbers", at: position - 1)
            }
        } else if isDigit(firstDigit) {
            while position < input.count, isDigit(input[position]) {
                let digit = input[position] &- zero
                if significantDigits < 19 {
                    mantissa = mantissa &* 10 &+ UInt64(digit)
                    significantDigits &+= 1
                } else {
                    droppedDigits &+= 1
                }
                if !integerOverflow {
                    let (times10, overflow1) = integerValue.multipliedReportingOverflow(by: 10)
                    let (next, overflow2) = times10.subtractingReportingOverflow(Int64(digit))
                    if overflow1 || overflow2 { integerOverflow = true } else { integerValue = next }
                }
                position &+= 1
            }
        } else {
            throw error("expected a digit after '-'", at: position)
        }

        var isInteger = true
        var fractionDigits = 0         // significant digits kept from the fraction

        if position < input.count, input[position] == dot {
            isInteger = false
            position &+= 1
            guard position < input.count else { throw endOfInput() }
            guard isDigit(input[position]) else {
                throw error("expected a digit after the decimal point", at: position)
            }
            while position < input.count, isDigit(input[position]) {
                let digit = input[position] &- zero
                if significantDigits < 19 {
                    if significantDigits > 0 || digit != 0 {
                        mantissa = mantissa &* 10 &+ UInt64(digit)
                        significantDigits &+= 1
                    }
                    fractionDigits &+= 1
                }
                position &+= 1
            }
        }

        var exponent = 0
        if position < input.count, input[position] == UInt8(ascii: "e") || input[position] == UInt8(ascii: "E") {
            isInteger = false
            position &+= 1
            guard position < input.count else { throw endOfInput() }
            var exponentNegative = false
            if input[position] == minus || input[position] == plus {
                exponentNegative = input[position] == minus
                position &+= 1
                guard position < input.count else { throw endOfInput() }
            }
            guard isDigit(input[position]) else {
                throw error("expected a digit in the exponent", at: position)
            }
            while position < input.count, isDigit(input[position]) {
                if exponent < 100_000 { exponent = exponent &* 10 &+ Int(input[position] &- zero) }
                position &+= 1
            }
            if exponentNegative { exponent = -exponent }
        }

        if isInteger && !integerOverflow {
            if negative { return .integer(integerValue) }
            if integerValue != .min { return .integer(-integerValue) }
        }

        // Fast path (Clinger): an exactly representable mantissa scaled by an exact power of ten
        // is correctly rounded by a single IEEE multiplication or division.
        let decimalExponent = exponent + droppedDigits - fractionDigits
        if droppedDigits == 0 && mantissa <= (1 << 53) && decimalExponent >= -22 && decimalExponent <= 22 {
            var result = Double(mantissa)
            if decimalExponent < 0 {
                result /= exactPowersOfTen[-decimalExponent]
            } else {
                result *= exactPowersOfTen[decimalExponent]
            }
            return .double(negative ? -result : result)
        }

        // Slow path: the standard library's correctly rounded conversion.
        let text = String(decoding: UnsafeBufferPointer(rebasing: input[start..<position]), as: UTF8.self)
        guard let result = Double(text), result.isFinite else {
            throw error("number is too large to represent", at: start)
        }
        return .double(result)
    }

    @inline(__always)
    func isDigit(_ byte: UInt8) -> Bool {
        byte &- zero < 10
    }

    // MARK: Strings

    /// Parses a string at `position` (a `"`) and returns its contents.
    mutating func parseString() throws(JSONParseError) -> String {
        position &+= 1
        let start = position
        // Fast path: no escapes, so the contents are the (validated) bytes themselves.
        while position < input.count {
            let byte = input[position]
            if byte == quote {
                let result = String(decoding: UnsafeBufferPointer(rebasing: input[start..<position]), as: UTF8.self)
                position &+= 1
                return result
            }
            if byte == backslash { break }
            if byte < 0x20 { throw controlCharacter(byte) }
            if byte < 0x80 {
                position &+= 1
            } else {
                try skipUTF8Sequence()
            }
        }
        guard position < input.count else { throw endOfInput() }

        // Slow path: copy runs and decoded escapes into the scratch buffer.
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: UnsafeBufferPointer(rebasing: input[start..<position]))
        while position < input.count {
            let byte = input[position]
            if byte == quote {
                position &+= 1
                return String(decoding: scratch, as: UTF8.self)
            }
            if byte == backslash {
                try parseEscape()
            } else if byte < 0x20 {
                throw controlCharacter(byte)
            } else if byte < 0x80 {
                scratch.append(byte)
                position &+= 1
            } else {
                let sequenceStart = position
                try skipUTF8Sequence()
                scratch.append(contentsOf: UnsafeBufferPointer(rebasing: input[sequenceStart..<position]))
            }
        }
        throw endOfInput()
    }

    func controlCharacter(_ byte: UInt8) -> JSONParseError {
        error("control character U+\(hex(byte, digits: 4)) must be escaped in a string", at: position)
    }

    /// Validates one multi-byte UTF-8 sequence at `position` (Unicode Table 3-7) and skips it.
    @inline(__always)
    mutating func skipUTF8Sequence() throws(JSONParseError) {
        let lead = input[position]
        let length: Int
        var secondLow: UInt8 = 0x80
        var secondHigh: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; secondLow = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; secondHigh = 0x9F
        case 0xF0: length = 4; secondLow = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; secondHigh = 0x8F
        default:
            throw error("invalid UTF-8 byte 0x\(hex(lead, digits: 2)) in a string", at: position)
        }
        for index in 1..<length {
            guard position + index < input.count else { throw endOfInput() }
            let byte = input[position + index]
            let low: UInt8 = index == 1 ? secondLow : 0x80
            let high: UInt8 = index == 1 ? secondHigh : 0xBF
            if byte < low || byte > high {
                throw error("invalid UTF-8 sequence in a string", at: position)
            }
        }
        position &+= length
    }

    /// Decodes the escape at `position` (a `\`) into `scratch`.
    mutating func parseEscape() throws(JSONParseError) {
        let escapeStart = position
        guard position + 1 < input.count else { throw endOfInput() }
        let kind = input[position + 1]
        position &+= 2
        switch kind {
        case quote: scratch.append(quote)
        case backslash: scratch.append(backslash)
        case UInt8(ascii: "/"): scratch.append(UInt8(ascii: "/"))
        case UInt8(ascii: "b"): scratch.append(0x08)
        case UInt8(ascii: "f"): scratch.append(0x0C)
        case UInt8(ascii: "n"): scratch.append(0x0A)
        case UInt8(ascii: "r"): scratch.append(0x0D)
        case UInt8(ascii: "t"): scratch.append(0x09)
        case UInt8(ascii: "u"):
            let unit = try parseHex4(escapeStart: escapeStart)
            var scalarValue = UInt32(unit)
            if unit >= 0xDC00 && unit <= 0xDFFF {
                throw error("unpaired UTF-16 low surrogate \\u\(hex(unit, digits: 4))", at: escapeStart)
            }
            if unit >= 0xD800 && unit <= 0xDBFF {
                let lowStart = position
                guard position < input.count else { throw endOfInput() }
                guard input[position] == backslash else {
                    throw error("unpaired UTF-16 high surrogate \\u\(hex(unit, digits: 4))", at: escapeStart)
                }
                guard position + 1 < input.count else { throw endOfInput() }
                guard input[position + 1] == UInt8(ascii: "u") else {
                    throw error("unpaired UTF-16 high surrogate \\u\(hex(unit, digits: 4))", at: escapeStart)
                }
                position &+= 2
                let low = try parseHex4(escapeStart: lowStart)
                guard low >= 0xDC00 && low <= 0xDFFF else {
                    throw error("unpaired UTF-16 high surrogate \\u\(hex(unit, digits: 4))", at: escapeStart)
                }
                scalarValue = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
            }
            appendUTF8(scalarValue)
        default:
            let shown = kind >= 0x20 && kind < 0x7F ? "\\\(Character(Unicode.Scalar(kind)))" : "\\ followed by byte 0x\(hex(kind, digits: 2))"
            throw error("invalid escape sequence '\(shown)' in a string", at: escapeStart)
        }
    }

    /// Reads four hex digits at `position` (after `\u`).
    mutating func parseHex4(escapeStart: Int) throws(JSONParseError) -> UInt16 {
        var value: UInt16 = 0
        for _ in 0..<4 {
            guard position < input.count else { throw endOfInput() }
            let byte = input[position]
            let digit: UInt8
            switch byte {
            case zero...nine: digit = byte &- zero
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte &- UInt8(ascii: "a") &+ 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte &- UInt8(ascii: "A") &+ 10
            default:
                throw error("invalid \\u escape; expected four hexadecimal digits", at: escapeStart)
            }
            value = value << 4 | UInt16(digit)
            position &+= 1
        }
        return value
    }

    mutating func appendUTF8(_ scalar: UInt32) {
        switch scalar {
        case ..<0x80:
            scratch.append(UInt8(truncatingIfNeeded: scalar))
        case ..<0x800:
            scratch.append(0xC0 | UInt8(truncatingIfNeeded: scalar >> 6))
            scratch.append(0x80 | UInt8(truncatingIfNeeded: scalar & 0x3F))
        case ..<0x10000:
            scratch.append(0xE0 | UInt8(truncatingIfNeeded: scalar >> 12))
            scratch.append(0x80 | UInt8(truncatingIfNeeded: (scalar >> 6) & 0x3F))
            scratch.append(0x80 | UInt8(truncatingIfNeeded: scalar & 0x3F))
        default:
            scratch.append(0xF0 | UInt8(truncatingIfNeeded: scalar >> 18))
            scratch.append(0x80 | UInt8(truncatingIfNeeded: (scalar >> 12) & 0x3F))
            scratch.append(0x80 | UInt8(truncatingIfNeeded: (scalar >> 6) & 0x3F))
            scratch.append(0x80 | UInt8(truncatingIfNeeded: scalar & 0x3F))
        }
    }
}

/// Zero-padded uppercase hexadecimal for error messages.
private func hex(_ value: some BinaryInteger, digits: Int) -> String {
    let text = String(value, radix: 16, uppercase: true)
    return String(repeating: "0", count: max(0, digits - text.count)) + text
}
