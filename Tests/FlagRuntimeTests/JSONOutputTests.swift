@testable import FlagRuntime
import Testing

/// Documents larger than `JSONOutput`'s buffer come out whole and in order, checked against text built
/// independently of the writer.
@Suite struct JSONOutputTests {
    @Test func longStringsWithAndWithoutEscapes() {
        let escaped = String(repeating: "ab\"\n", count: 3_000)
        #expect(JSONWriter(style: .compact).string(.string(escaped)) == "\"" + String(repeating: "ab\\\"\\n", count: 3_000) + "\"")
        let plain = String(repeating: "z", count: 9_000)
        #expect(JSONWriter(style: .compact).string(.array([.string("a"), .string(plain)])) == "[\"a\",\"" + plain + "\"]")
    }

    @Test func manySmallValues() {
        let numbers = (0..<3_000).map { Int64($0) * 7_919 - 1_000_000 }
        #expect(JSONWriter(style: .compact).string(.array(numbers.map { .integer($0) })) == "[" + numbers.map(String.init).joined(separator: ",") + "]")
        let names = (0..<2_000).map { "x\($0)" }
        let expected = "[\n" + names.map { "  \"\($0)\"" }.joined(separator: ",\n") + "\n]\n"
        #expect(JSONWriter(style: .pretty).string(.array(names.map { .string($0) })) == expected)
    }

    /// Indentation wider than the buffer.
    @Test func deepNesting() {
        let depth = 2_100
        var value = JSONValue.integer(1)
        for _ in 0..<depth { value = .array([value]) }
        var expected = ""
        for level in 0..<depth { expected += "[\n" + String(repeating: " ", count: 2 * (level + 1)) }
        expected += "1"
        for level in (0..<depth).reversed() { expected += "\n" + String(repeating: " ", count: 2 * level) + "]" }
        #expect(JSONWriter(style: .pretty).string(value) == expected + "\n")
    }

    /// Strings are skipped a word (8 bytes) at a time while nothing needs escaping: each byte that needs it (and
    /// the bytes next to those values, which must not be escaped), at every position of strings up to three words
    /// and a tail long, with ASCII and multi-byte neighbours, is written as an escape built independently here.
    @Test(arguments: [UInt8(ascii: "\""), UInt8(ascii: "\\"), 0x00, 0x01, 0x08, 0x09, 0x0A, 0x0C, 0x0D, 0x1F, 0x20, 0x21, 0x23, 0x5B, 0x5D, 0x7F])
    func escapesFoundAtEveryPosition(special: UInt8) {
        func reference(_ bytes: [UInt8]) -> String {
            var text = "\""
            for byte in String(decoding: bytes, as: UTF8.self).unicodeScalars {
                switch byte {
                case "\"": text += "\\\""
                case "\\": text += "\\\\"
                case "\u{08}": text += "\\b"
                case "\u{0C}": text += "\\f"
                case "\n": text += "\\n"
                case "\r": text += "\\r"
                case "\t": text += "\\t"
                case let scalar where scalar.value < 0x20:
                    text += "\\u00" + (scalar.value < 0x10 ? "0" : "") + String(scalar.value, radix: 16)
                default: text.unicodeScalars.append(byte)
                }
            }
            return text + "\""
        }
        for filler in [Array("abcdefgh".utf8), Array("é€".utf8)] {
            for length in 1...27 {
                for position in 0..<length {
                    var bytes = (0..<length).map { filler[$0 % filler.count] }
                    bytes[position] = special
                    let text = String(decoding: bytes, as: UTF8.self)
                    #expect(JSONWriter(style: .compact).string(.string(text)) == reference(Array(text.utf8)), "length \(length), byte \(special) at \(position)")
                }
            }
        }
    }

    @Test func integersAtTheLimits() {
        let values: [Int64] = [0, 7, -7, 10, -10, 1_767_225_600, .max, .min]
        #expect(JSONWriter(style: .compact).string(.array(values.map { .integer($0) })) == "[" + values.map(String.init).joined(separator: ",") + "]")
    }
}
