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

    @Test func integersAtTheLimits() {
        let values: [Int64] = [0, 7, -7, 10, -10, 1_767_225_600, .max, .min]
        #expect(JSONWriter(style: .compact).string(.array(values.map { .integer($0) })) == "[" + values.map(String.init).joined(separator: ",") + "]")
    }
}
