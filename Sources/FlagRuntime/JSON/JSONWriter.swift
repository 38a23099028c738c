/// Writes JSON values canonically: object keys sorted by their UTF-8 bytes, no insignificant whitespace (compact) or 2-space indentation (pretty), a final newline only in pretty mode.
///
/// Strings escape only `"`, `\`, and control characters below U+0020 (`\b \f \n \r \t` in their
/// short forms, the rest as `\u00xx` with lowercase hex); everything else, including `/` and
/// non-ASCII characters, is written as raw UTF-8. Integers are written as decimal digits and
/// doubles with Swift's shortest round-trip `description` (for example `3.0`, `0.1`, `1e-07`,
/// `1.5e+300`), which is valid JSON for every finite value. JSON cannot represent infinities or
/// NaN, so a non-finite `.double` is written as `null`.
package struct JSONWriter: Sendable {
    /// How much whitespace: compact (none), pretty (every container over indented lines), or pretty down to a
    /// depth and compact below it (the flagd export keeps each rule on one line).
    package struct Style: Sendable, Equatable {
        /// Containers at this depth or shallower (the root is depth 0) are written over 2-space indented lines;
        /// deeper ones on one line. Negative: compact throughout.
        package var indentedDepth: Int

        /// No insignificant whitespace and no final newline.
        package static let compact = Style(indentedDepth: -1)
        /// Every container indented, and a final newline.
        package static let pretty = Style(indentedDepth: .max)

        /// Containers down to `depth` indented, compact below, and a final newline.
        package static func pretty(indentingTo depth: Int) -> Style { Style(indentedDepth: depth) }

        /// Whether containers at `depth` are indented.
        func indents(atDepth depth: Int) -> Bool { depth <= indentedDepth }
    }

    /// The layout this writer produces.
    package var style: Style

    /// Creates a writer with the given layout.
    package init(style: Style = .pretty) {
        self.style = style
    }

    /// The canonical UTF-8 encoding of `value`.
    package func bytes(_ value: JSONValue) -> [UInt8] {
        var output = JSONOutput(capacity: 256)
        JSONWriter.write(value, into: &output, style: style, indent: 0)
        if style.indents(atDepth: 0) { output.append(UInt8(ascii: "\n")) }
        return output.bytes()
    }

    /// The canonical encoding of `value` as a string.
    package func string(_ value: JSONValue) -> String {
        String(decoding: bytes(value), as: UTF8.self)
    }
}

extension JSONWriter {
    static func write(_ value: JSONValue, into output: inout JSONOutput, style: Style, indent: Int) {
        let pretty = style.indents(atDepth: indent)
        switch value {
        case .null:
            appendASCII("null", to: &output)
        case .bool(let flag):
            appendASCII(flag ? "true" : "false", to: &output)
        case .integer(let number):
            appendInteger(number, to: &output)
        case .double(let number):
            appendDouble(number, to: &output)
        case .string(let text):
            appendString(text, to: &output)
        case .array(let elements):
            if elements.isEmpty {
                output.append(UInt8(ascii: "["))
                output.append(UInt8(ascii: "]"))
                return
            }
            output.append(UInt8(ascii: "["))
            var first = true
            for element in elements {
                if !first { output.append(UInt8(ascii: ",")) }
                first = false
                if pretty { newline(indent: indent + 1, to: &output) }
                write(element, into: &output, style: style, indent: indent + 1)
            }
            if pretty { newline(indent: indent, to: &output) }
            output.append(UInt8(ascii: "]"))
        case .object(let members):
            if members.isEmpty {
                output.append(UInt8(ascii: "{"))
                output.append(UInt8(ascii: "}"))
                return
            }
            output.append(UInt8(ascii: "{"))
            func writeMember(_ key: String, _ member: JSONValue, first: Bool, into output: inout JSONOutput) {
                if !first { output.append(UInt8(ascii: ",")) }
                if pretty { newline(indent: indent + 1, to: &output) }
                appendString(key, to: &output)
                output.append(UInt8(ascii: ":"))
                if pretty { output.append(UInt8(ascii: " ")) }
                write(member, into: &output, style: style, indent: indent + 1)
            }
            if members.count == 1, let (key, member) = members.first {
                // Most metadata objects have one member: no array of sorted members to build.
                writeMember(key, member, first: true, into: &output)
            } else {
                let sorted = members.sorted { precedesByUTF8($0.key, $1.key) }
                for index in sorted.indices {
                    writeMember(sorted[index].key, sorted[index].value, first: index == 0, into: &output)
                }
            }
            if pretty { newline(indent: indent, to: &output) }
            output.append(UInt8(ascii: "}"))
        }
    }

    static func newline(indent: Int, to output: inout JSONOutput) {
        output.append(UInt8(ascii: "\n"))
        output.append(repeating: UInt8(ascii: " "), count: 2 * indent)
    }

    static func appendASCII(_ text: StaticString, to output: inout JSONOutput) {
        text.withUTF8Buffer { output.append($0) }
    }

    static func appendInteger(_ number: Int64, to output: inout JSONOutput) {
        if number == 0 {
            output.append(UInt8(ascii: "0"))
            return
        }
        // Work with the magnitude so that Int64.min needs no special case.
        var magnitude = number.magnitude
        if number < 0 { output.append(UInt8(ascii: "-")) }
        // Digits come out last first, so they fill a scratch buffer from its end.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var start = digits.count
            while magnitude > 0 {
                let (quotient, remainder) = magnitude.quotientAndRemainder(dividingBy: 10)
                start -= 1
                digits[start] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: remainder)
                magnitude = quotient
            }
            output.append(UnsafeBufferPointer(rebasing: digits[start...]))
        }
    }

    static func appendDouble(_ number: Double, to output: inout JSONOutput) {
        guard number.isFinite else {
            appendASCII("null", to: &output)
            return
        }
        // Swift's `description` is the shortest representation that round-trips. For finite
        // values it is always JSON-compatible: an optional `-`, digits, and either a fraction
        // with at least one digit (`3.0`, `0.0001`) or an exponent with a sign (`1e-07`, `1e+16`).
        var text = number.description
        text.withUTF8 { output.append($0) }
    }

    /// Hex digits used by `\u00xx` escapes.
    private static let hexDigits: StaticString = "0123456789abcdef"

    /// Appends `text` as a quoted, escaped JSON string.
    static func appendString(_ text: String, to output: inout JSONOutput) {
        var text = text
        text.withUTF8 { appendString(utf8: $0, to: &output) }
    }

    /// Appends the UTF-8 bytes `utf8` (valid UTF-8) as a quoted, escaped JSON string, as `appendString(_:to:)`
    /// writes a string with these bytes.
    @inline(__always)
    static func appendString(utf8: UnsafeBufferPointer<UInt8>, to output: inout JSONOutput) {
        output.append(UInt8(ascii: "\""))
        var runStart = 0
        let count = utf8.count
        // Most strings need no escape: skip them eight bytes at a time, then append the run in one copy.
        var index = unescapedPrefixLength(utf8)
        while index < count {
            let byte = utf8[index]
            if byte >= 0x20 && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\") {
                index &+= 1
                continue
            }
            if runStart < index {
                output.append(UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
            }
            output.append(UInt8(ascii: "\\"))
            switch byte {
            case UInt8(ascii: "\""): output.append(UInt8(ascii: "\""))
            case UInt8(ascii: "\\"): output.append(UInt8(ascii: "\\"))
            case 0x08: output.append(UInt8(ascii: "b"))
            case 0x0C: output.append(UInt8(ascii: "f"))
            case 0x0A: output.append(UInt8(ascii: "n"))
            case 0x0D: output.append(UInt8(ascii: "r"))
            case 0x09: output.append(UInt8(ascii: "t"))
            default:
                output.append(UInt8(ascii: "u"))
                output.append(UInt8(ascii: "0"))
                output.append(UInt8(ascii: "0"))
                hexDigits.withUTF8Buffer { digits in
                    output.append(digits[Int(byte >> 4)])
                    output.append(digits[Int(byte & 0x0F)])
                }
            }
            index &+= 1
            runStart = index
        }
        if runStart < count {
            output.append(UnsafeBufferPointer(rebasing: utf8[runStart..<count]))
        }
        output.append(UInt8(ascii: "\""))
    }

    /// How many leading bytes of `utf8`, counted in whole 8-byte words, need no escape (no `"`, `\\` or byte below
    /// 0x20). Each test is exact for whether any byte of the word matches (the classic "has zero byte" and "has
    /// byte less than" bit tricks, which can only misreport bytes above a real match), so a word is skipped only
    /// when none of its bytes needs escaping; the caller checks what is left byte by byte.
    @inline(__always)
    static func unescapedPrefixLength(_ utf8: UnsafeBufferPointer<UInt8>) -> Int {
        guard let base = utf8.baseAddress else { return 0 }
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highBits: UInt64 = 0x8080_8080_8080_8080
        var index = 0
        while index &+ 8 <= utf8.count {
            let word = UInt64(littleEndian: UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self))
            let control = (word &- ones &* 0x20) & ~word
            let quote = word ^ (ones &* UInt64(UInt8(ascii: "\"")))
            let backslash = word ^ (ones &* UInt64(UInt8(ascii: "\\")))
            let matches = control | ((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash)
            if matches & highBits != 0 { break }
            index &+= 8
        }
        return index
    }
}
