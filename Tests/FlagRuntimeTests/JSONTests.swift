import Testing
@testable import FlagRuntime

// MARK: - Helpers

/// A small seeded generator (SplitMix64) so random tests are reproducible.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

private let compact = JSONWriter(style: .compact)
private let pretty = JSONWriter(style: .pretty)

private func parse(_ text: String, maximumDepth: Int = 128) throws(JSONParseError) -> JSONValue {
    try JSONValue(parsing: text, maximumDepth: maximumDepth)
}

/// The error thrown for `bytes`, or nil if they parse.
private func parseError(_ bytes: [UInt8], maximumDepth: Int = 128) -> JSONParseError? {
    do {
        _ = try JSONValue(parsing: bytes, maximumDepth: maximumDepth)
        return nil
    } catch {
        return error
    }
}

private enum RandomJSON {
    static let scalarPool: [Unicode.Scalar] = [
        "a", "b", "z", "A", "Z", "0", "9", " ", "\"", "\\", "/", "\n", "\t", "\r", "\u{00}", "\u{01}",
        "\u{1F}", "\u{7F}", "\u{80}", "é", "ß", "ü", "\u{0301}", "日", "本", "\u{FFFD}", "\u{FEFF}",
        "\u{FFFF}", "😀", "𝄞", "\u{10FFFF}", "\u{2028}", "\u{2029}",
    ]

    static func string(_ rng: inout SplitMix64) -> String {
        let length = Int.random(in: 0...8, using: &rng)
        var scalars = String.UnicodeScalarView()
        for _ in 0..<length {
            if Bool.random(using: &rng) {
                scalars.append(scalarPool.randomElement(using: &rng)!)
            } else {
                // Any scalar value that is not a surrogate.
                var value = UInt32.random(in: 0...0x10FFFF, using: &rng)
                if (0xD800...0xDFFF).contains(value) { value = 0x41 }
                scalars.append(Unicode.Scalar(value)!)
            }
        }
        return String(scalars)
    }

    static func double(_ rng: inout SplitMix64) -> Double {
        switch Int.random(in: 0..<4, using: &rng) {
        case 0:
            // Arbitrary finite bit patterns, including subnormals.
            while true {
                let value = Double(bitPattern: rng.next())
                if value.isFinite { return value }
            }
        case 1:
            return Double(Int.random(in: -1_000_000...1_000_000, using: &rng)) / 1000
        case 2:
            return Double.random(in: -1e10...1e10, using: &rng)
        default:
            return [0.0, -0.0, 0.1, 1e-7, 1.5e300, 1e16, .leastNonzeroMagnitude, .greatestFiniteMagnitude,
                    -.greatestFiniteMagnitude, .leastNormalMagnitude, 2.0, 0.5].randomElement(using: &rng)!
        }
    }

    static func value(_ rng: inout SplitMix64, depth: Int = 0) -> JSONValue {
        let kinds = depth >= 4 ? 6 : 8
        switch Int.random(in: 0..<kinds, using: &rng) {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &rng))
        case 2:
            switch Int.random(in: 0..<3, using: &rng) {
            case 0: return .integer(Int64(bitPattern: rng.next()))
            case 1: return .integer(Int64.random(in: -1000...1000, using: &rng))
            default: return .integer([Int64.min, Int64.max, 0, -1].randomElement(using: &rng)!)
            }
        case 3: return .double(double(&rng))
        case 4, 5: return .string(string(&rng))
        case 6:
            let count = Int.random(in: 0...4, using: &rng)
            return .array((0..<count).map { _ in value(&rng, depth: depth + 1) })
        default:
            let count = Int.random(in: 0...4, using: &rng)
            var members: [String: JSONValue] = [:]
            for _ in 0..<count { members[string(&rng)] = value(&rng, depth: depth + 1) }
            return .object(members)
        }
    }
}

/// Structural equality that compares strings and keys by their UTF-8 bytes and doubles by bit pattern
/// (stricter than `==`, which uses canonical equivalence and treats 0.0 == -0.0).
private func identical(_ a: JSONValue, _ b: JSONValue) -> Bool {
    switch (a, b) {
    case (.null, .null): return true
    case let (.bool(x), .bool(y)): return x == y
    case let (.integer(x), .integer(y)): return x == y
    case let (.double(x), .double(y)): return x.bitPattern == y.bitPattern
    case let (.string(x), .string(y)): return x.utf8.elementsEqual(y.utf8)
    case let (.array(x), .array(y)):
        return x.count == y.count && zip(x, y).allSatisfy { identical($0, $1) }
    case let (.object(x), .object(y)):
        guard x.count == y.count else { return false }
        for (key, value) in x {
            guard let index = y.index(forKey: key), y.keys[index].utf8.elementsEqual(key.utf8),
                  identical(value, y.values[index]) else { return false }
        }
        return true
    default: return false
    }
}

// MARK: - Writer

struct JSONWriterTests {
    @Test func compactAndPrettyLayout() {
        let value: JSONValue = .object(["b": .array([.integer(1), .integer(2)]), "a": .integer(1)])
        #expect(compact.string(value) == #"{"a":1,"b":[1,2]}"#)
        #expect(pretty.string(value) == "{\n  \"a\": 1,\n  \"b\": [\n    1,\n    2\n  ]\n}\n")
        #expect(JSONWriter().string(value) == pretty.string(value))
    }

    @Test func nestedAndEmptyContainers() {
        let value: JSONValue = .object([
            "list": .array([.object(["x": .null]), .array([]), .object([:])]),
            "empty": .object([:]),
            "none": .array([]),
        ])
        #expect(compact.string(value) == #"{"empty":{},"list":[{"x":null},[],{}],"none":[]}"#)
        #expect(pretty.string(value) == """
            {
              "empty": {},
              "list": [
                {
                  "x": null
                },
                [],
                {}
              ],
              "none": []
            }

            """)
        #expect(compact.string(.array([])) == "[]")
        #expect(pretty.string(.object([:])) == "{}\n")
    }

    @Test func scalars() {
        #expect(compact.string(.null) == "null")
        #expect(pretty.string(.null) == "null\n")
        #expect(compact.string(.bool(true)) == "true")
        #expect(compact.string(.bool(false)) == "false")
        #expect(compact.string(.string("")) == #""""#)
        #expect(compact.bytes(.integer(42)) == Array("42".utf8))
    }

    @Test(arguments: [
        (Int64(0), "0"), (1, "1"), (-1, "-1"), (10, "10"), (1234567890, "1234567890"),
        (Int64.max, "9223372036854775807"), (Int64.min, "-9223372036854775808"),
    ])
    func integers(value: Int64, expected: String) {
        #expect(compact.string(.integer(value)) == expected)
    }

    @Test(arguments: [
        (3.0, "3.0"), (0.1, "0.1"), (1e-7, "1e-07"), (1.5e300, "1.5e+300"), (-0.0, "-0.0"),
        (0.0, "0.0"), (100.0, "100.0"), (1e15, "1000000000000000.0"), (1e16, "1e+16"),
        (-2.5e-5, "-2.5e-05"), (Double.leastNonzeroMagnitude, "5e-324"), (1.7976931348623157e308, "1.7976931348623157e+308"),
        (123456789012345678.0, "1.2345678901234568e+17"), (12345.678, "12345.678"),
        (Double.infinity, "null"), (-Double.infinity, "null"), (Double.nan, "null"),
    ])
    func doubles(value: Double, expected: String) {
        #expect(compact.string(.double(value)) == expected)
    }

    @Test func keysAreSortedByUTF8Bytes() {
        // UTF-8 byte order equals scalar order: U+FFFF sorts before U+1F600 (UTF-16 order would not).
        let keys = ["😀", "\u{FFFF}", "日", "é", "ä", "z", "a", "Z", "ab", "", "A", "e\u{0301}x"]
        var members: [String: JSONValue] = [:]
        for (index, key) in keys.enumerated() { members[key] = .integer(Int64(index)) }
        let expected = #"{"":9,"A":10,"Z":7,"a":6,"ab":8,"e"# + "\u{0301}" + #"x":11,"z":5,"ä":4,"é":3,"日":2,""# +
            "\u{FFFF}" + #"":1,"😀":0}"#
        #expect(compact.string(.object(members)) == expected)
    }

    @Test func stringEscaping() {
        let text = "\"\\/\u{08}\u{0C}\n\r\t\u{00}\u{01}\u{1F}\u{7F} é😀\u{2028}"
        let expected = #""\"\\/\b\f\n\r\t\u0000\u0001\u001f"# + "\u{7F} é😀\u{2028}\""
        #expect(compact.string(.string(text)) == expected)
        #expect(compact.string(.object([text: .null])) == "{" + expected + ":null}")
        #expect(compact.string(.string("\u{1B}[0m\u{0B}")) == #""\u001b[0m\u000b""#)
    }

    @Test func outputIsDeterministic() {
        var rng = SplitMix64(seed: 7)
        for _ in 0..<200 {
            let value = RandomJSON.value(&rng)
            #expect(compact.bytes(value) == compact.bytes(value))
            // Rebuilding objects (different hash seeds / insertion order) does not change the output.
            if case .object(let members) = value {
                var rebuilt: [String: JSONValue] = [:]
                for key in members.keys.reversed() { rebuilt[key] = members[key] }
                #expect(pretty.bytes(.object(rebuilt)) == pretty.bytes(value))
            }
        }
    }
}

// MARK: - Parser

struct JSONParserTests {
    @Test(arguments: [
        ("0", JSONValue.integer(0)),
        ("-0", .integer(0)),
        ("42", .integer(42)),
        ("-17", .integer(-17)),
        ("9223372036854775807", .integer(.max)),
        ("-9223372036854775808", .integer(.min)),
        ("9223372036854775808", .double(9223372036854775808.0)),
        ("-9223372036854775809", .double(-9223372036854775809.0)),
        ("123456789012345678901234567890", .double(1.2345678901234568e+29)),
        ("1.0", .double(1.0)),
        ("-0.0", .double(-0.0)),
        ("0.1", .double(0.1)),
        ("1e2", .double(100)),
        ("1E2", .double(100)),
        ("1e+2", .double(100)),
        ("1e-2", .double(0.01)),
        ("2.5E-3", .double(0.0025)),
        ("1e-400", .double(0)),
        ("1.7976931348623157e308", .double(.greatestFiniteMagnitude)),
        ("5e-324", .double(.leastNonzeroMagnitude)),
        ("0.30000000000000004", .double(0.30000000000000004)),
        ("123456789.123456789e-5", .double(1234.56789123456789)),
    ])
    func numbers(text: String, expected: JSONValue) throws {
        let value = try parse(text)
        #expect(identical(value, expected), "\(text) parsed as \(value)")
    }

    @Test func literalsStringsAndWhitespace() throws {
        #expect(try parse(" \t\r\n true \n") == .bool(true))
        #expect(try parse("false") == .bool(false))
        #expect(try parse("null") == .null)
        #expect(try parse(#""plain""#) == .string("plain"))
        #expect(try parse(#""\"\\\/\b\f\n\r\t\u0041\u00e9\u00E9\uD83D\uDE00\u0000""#)
                == .string("\"\\/\u{08}\u{0C}\n\r\t\u{41}éé😀\u{00}"))
        #expect(try parse("\"raw é 日 😀\"") == .string("raw é 日 😀"))
        #expect(try parse(#"{ "a" : [ 1 , { } , [ ] ] , "b" : "" }"#)
                == .object(["a": .array([.integer(1), .object([:]), .array([])]), "b": .string("")]))
    }

    @Test func acceptsAnyByteCollection() throws {
        let bytes = Array(#"{"k":[1,2.5,"x"]}"#.utf8)
        let expected: JSONValue = .object(["k": .array([.integer(1), .double(2.5), .string("x")])])
        #expect(try JSONValue(parsing: bytes) == expected)
        #expect(try JSONValue(parsing: bytes[...]) == expected)
        #expect(try JSONValue(parsing: bytes.lazy.map { $0 }) == expected)  // not contiguous
        #expect(try JSONValue(parsing: #"{"k":[1,2.5,"x"]}"#) == expected)
    }

    @Test func nestingUpToTheMaximumDepthIsAccepted() throws {
        let deep = String(repeating: "[", count: 128) + String(repeating: "]", count: 128)
        _ = try parse(deep)
        let objects = String(repeating: #"{"a":"#, count: 128) + "1" + String(repeating: "}", count: 128)
        _ = try parse(objects)
        #expect(try parse("[[]]", maximumDepth: 2) == .array([.array([])]))
        #expect(try parse("7", maximumDepth: 0) == .integer(7))
        // Deep nesting far beyond the limit is an error, never a stack overflow.
        let huge = String(repeating: "[", count: 1_000_000)
        #expect(throws: JSONParseError.self) { try parse(huge) }
        // A raised limit is honoured too (values this deep still recurse when compared or destroyed,
        // so keep the depth moderate).
        let raised = String(repeating: "[", count: 5_000) + String(repeating: "]", count: 5_000)
        #expect(parseError(Array(raised.utf8), maximumDepth: 5_000) == nil)
        #expect(parseError(Array(raised.utf8), maximumDepth: 4_999)?.column == 5_000)
        let unclosed = String(repeating: "[", count: 5_000) + String(repeating: "]", count: 4_999)
        #expect(parseError(Array(unclosed.utf8), maximumDepth: 10_000)?.message == "unexpected end of input")
    }

    @Test func conveniences() throws {
        let value = try parse(#"{"s":"x","b":true,"i":3,"d":2.5,"a":[null],"o":{"k":1}}"#)
        #expect(value["s"]?.stringValue == "x")
        #expect(value["b"]?.boolValue == true)
        #expect(value["i"]?.integerValue == 3)
        #expect(value["i"]?.doubleValue == 3.0)
        #expect(value["d"]?.doubleValue == 2.5)
        #expect(value["d"]?.integerValue == nil)
        #expect(value["a"]?.arrayValue == [.null])
        #expect(value["a"]?.arrayValue?.first?.isNull == true)
        #expect(value["o"]?.objectValue == ["k": .integer(1)])
        #expect(value["o"]?["k"] == .integer(1))
        #expect(value["missing"] == nil)
        #expect(value["a"]?["k"] == nil)
        #expect(JSONValue.null.isNull)
        #expect(value["s"]?.boolValue == nil)
    }

    @Test func errorDescription() {
        let text = "{\n  \"a\": 1,\n\"c\": 1x\n}"
        let error = parseError(Array(text.utf8))
        #expect(error?.description == "line 3, column 7: expected ',' or '}' after an object member")
        #expect(error?.offset == 18)
    }
}

/// One input that must be rejected, with where and why.
struct RejectionCase: Sendable, CustomTestStringConvertible {
    var bytes: [UInt8]
    var message: String
    var line: Int
    var column: Int
    var maximumDepth = 128

    init(_ text: String, _ message: String, line: Int = 1, column: Int, maximumDepth: Int = 128) {
        self.init(bytes: Array(text.utf8), message, line: line, column: column, maximumDepth: maximumDepth)
    }

    init(bytes: [UInt8], _ message: String, line: Int = 1, column: Int, maximumDepth: Int = 128) {
        self.bytes = bytes
        self.message = message
        self.line = line
        self.column = column
        self.maximumDepth = maximumDepth
    }

    var testDescription: String {
        String(decoding: bytes.prefix(40), as: UTF8.self).debugDescription
    }
}

struct JSONRejectionTests {
    static let cases: [RejectionCase] = [
        // Empty and truncated input.
        RejectionCase("", "empty input", column: 1),
        RejectionCase("  \n ", "empty input", line: 2, column: 2),
        RejectionCase("[1,", "unexpected end of input", column: 4),
        RejectionCase("{\"a\":", "unexpected end of input", column: 6),
        RejectionCase("\"abc", "unexpected end of input", column: 5),
        RejectionCase("tru", "unexpected end of input", column: 4),
        RejectionCase("-", "unexpected end of input", column: 2),
        RejectionCase("1.", "unexpected end of input", column: 3),
        RejectionCase("1e+", "unexpected end of input", column: 4),
        RejectionCase("\"\\u12", "unexpected end of input", column: 6),
        // Trailing commas and structure.
        RejectionCase("[1, 2,]", "trailing comma is not allowed in an array", column: 6),
        RejectionCase("{\n  \"a\": 1,\n}", "trailing comma is not allowed in an object", line: 2, column: 9),
        RejectionCase("[,]", "expected a value but found ','", column: 2),
        RejectionCase("[1 2]", "expected ',' or ']' after an array element", column: 4),
        RejectionCase("{\"a\" 1}", "expected ':' after an object key", column: 6),
        RejectionCase("{\"a\":1 \"b\":2}", "expected ',' or '}' after an object member", column: 8),
        RejectionCase("{,}", "expected a string key or '}' after '{'", column: 2),
        RejectionCase("{a:1}", "expected a string key or '}' after '{'", column: 2),
        RejectionCase("{\"a\":1,2}", "expected a string key after ','", column: 8),
        RejectionCase("{\"a\":}", "expected a value but found '}'", column: 6),
        RejectionCase("1 2", "unexpected '2' after the JSON value", column: 3),
        RejectionCase("{} x", "unexpected 'x' after the JSON value", column: 4),
        RejectionCase("[\"é\", x]", "expected a value but found 'x'", column: 7),
        RejectionCase("\u{FEFF}1", "a byte order mark is not allowed", column: 1),
        // Duplicate keys.
        RejectionCase("{\"a\": 1,\n \"a\": 2}", "duplicate key \"a\" in object", line: 2, column: 2),
        RejectionCase("{\"x\":{\"k\\n\":1,\"k\\u000a\":2}}", "duplicate key \"k\\n\" in object", column: 15),
        RejectionCase("{\"é\":1,\"e\u{0301}\":2}", "duplicate key \"e\u{0301}\" in object (canonically equivalent to \"é\")", column: 8),
        // Numbers.
        RejectionCase("[01]", "leading zeros are not allowed in numbers", column: 2),
        RejectionCase("-012", "leading zeros are not allowed in numbers", column: 2),
        RejectionCase("+1", "a number must not start with '+'", column: 1),
        RejectionCase(".5", "a number must start with a digit", column: 1),
        RejectionCase("-a", "expected a digit after '-'", column: 2),
        RejectionCase("1.e5", "expected a digit after the decimal point", column: 3),
        RejectionCase("1ex", "expected a digit in the exponent", column: 3),
        RejectionCase("[1e400]", "number is too large to represent", column: 2),
        RejectionCase("-1e400", "number is too large to represent", column: 1),
        RejectionCase("NaN", "expected a value but found 'N'", column: 1),
        RejectionCase("-Infinity", "expected a digit after '-'", column: 2),
        // Literals.
        RejectionCase("trUe", "invalid literal; expected 'true'", column: 1),
        RejectionCase("[nul]", "invalid literal; expected 'null'", column: 2),
        // Strings.
        RejectionCase("\"a\tb\"", "control character U+0009 must be escaped in a string", column: 3),
        RejectionCase("[\"a\nb\"]", "control character U+000A must be escaped in a string", column: 4),
        RejectionCase("\"a\\x\"", "invalid escape sequence '\\x' in a string", column: 3),
        RejectionCase("\"\\U0041\"", "invalid escape sequence '\\U' in a string", column: 2),
        RejectionCase("\"\\u12G4\"", "invalid \\u escape; expected four hexadecimal digits", column: 2),
        RejectionCase("\"\\uD800\"", "unpaired UTF-16 high surrogate \\uD800", column: 2),
        RejectionCase("\"ab\\uDBFFx\"", "unpaired UTF-16 high surrogate \\uDBFF", column: 4),
        RejectionCase("\"\\uD800\\u0041\"", "unpaired UTF-16 high surrogate \\uD800", column: 2),
        RejectionCase("\"\\uD800\\n\"", "unpaired UTF-16 high surrogate \\uD800", column: 2),
        RejectionCase("\"\\uD800\\uD800\"", "unpaired UTF-16 high surrogate \\uD800", column: 2),
        RejectionCase("\"\\uDC00\"", "unpaired UTF-16 low surrogate \\uDC00", column: 2),
        RejectionCase("\"\\uDE00\\uD83D\"", "unpaired UTF-16 low surrogate \\uDE00", column: 2),
        RejectionCase("{\n\"k\": \"x\\uDFFF\"}", "unpaired UTF-16 low surrogate \\uDFFF", line: 2, column: 8),
        // Invalid UTF-8.
        RejectionCase(bytes: [0x22, 0xFF, 0x22], "invalid UTF-8 byte 0xFF in a string", column: 2),
        RejectionCase(bytes: [0x22, 0x80, 0x22], "invalid UTF-8 byte 0x80 in a string", column: 2),
        RejectionCase(bytes: [0x22, 0xC0, 0xAF, 0x22], "invalid UTF-8 byte 0xC0 in a string", column: 2),
        RejectionCase(bytes: [0x22, 0x61, 0xE0, 0x80, 0xAF, 0x22], "invalid UTF-8 sequence in a string", column: 3),
        RejectionCase(bytes: [0x22, 0xED, 0xA0, 0x80, 0x22], "invalid UTF-8 sequence in a string", column: 2),
        RejectionCase(bytes: [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], "invalid UTF-8 sequence in a string", column: 2),
        RejectionCase(bytes: [0x22, 0xC3, 0x22], "invalid UTF-8 sequence in a string", column: 2),
        RejectionCase(bytes: [0x22, 0x5C, 0x6E, 0xF5, 0x22], "invalid UTF-8 byte 0xF5 in a string", column: 4),
        RejectionCase(bytes: [0x5B, 0xC3, 0xA9, 0x5D], "expected a value but found byte 0xC3", column: 2),
        RejectionCase(bytes: [0x22, 0xE6, 0x97], "unexpected end of input", column: 3),
        // Depth.
        RejectionCase(String(repeating: "[", count: 129) + String(repeating: "]", count: 129),
                      "nesting is deeper than the maximum depth of 128", column: 129),
        RejectionCase("{\"a\":[{\"b\":[]}]}", "nesting is deeper than the maximum depth of 3", column: 12, maximumDepth: 3),
        RejectionCase("[]", "nesting is deeper than the maximum depth of 0", column: 1, maximumDepth: 0),
    ]

    @Test(arguments: cases)
    func rejects(_ rejection: RejectionCase) {
        let error = parseError(rejection.bytes, maximumDepth: rejection.maximumDepth)
        #expect(error?.message == rejection.message)
        #expect(error?.line == rejection.line)
        #expect(error?.column == rejection.column)
        if let error {
            #expect(error.description == "line \(rejection.line), column \(rejection.column): \(rejection.message)")
        }
    }

    static let sample = """
        {
          "name": "checkout-v2",
          "enabled": true,
          "rollout": [0, -12, 3.25, 1e-7, -0.0, 9223372036854775807],
          "tags": ["a\\"b", "\\u00e9\\uD83D\\uDE00", "日本", null, false],
          "meta": {"owner": "pay/team", "nested": [[], {}, [{"x": "\\n\\t\\/"}]]}
        }
        """

    @Test func sampleParses() throws {
        let value = try parse(Self.sample)
        #expect(value["tags"]?.arrayValue?[1] == .string("é😀"))
        #expect(value["rollout"]?.arrayValue?.count == 6)
    }

    /// Every proper prefix of the sample is truncated input.
    @Test func truncatedAtEveryOffset() {
        let bytes = Array(Self.sample.utf8)
        for length in 0..<bytes.count {
            let error = parseError(Array(bytes[..<length]))
            #expect(error != nil, "prefix of \(length) bytes parsed")
            let expected = length == 0 ? "empty input" : "unexpected end of input"
            #expect(error?.message == expected, "prefix of \(length) bytes")
            #expect(error?.offset == length)
        }
    }

    /// Every single-byte substitution either parses (and then round-trips) or throws a located error.
    @Test func everySingleByteCorruption() throws {
        let original = Array(#"{"a":[1,-2.5e3,"x\u00e9\n"],"b":{"c":null,"d":true},"é":"日"}"#.utf8)
        #expect(parseError(original) == nil)
        var parsed = 0
        var rejected = 0
        for index in original.indices {
            for byte in UInt8.min...UInt8.max where byte != original[index] {
                var corrupted = original
                corrupted[index] = byte
                do {
                    let value = try JSONValue(parsing: corrupted)
                    parsed += 1
                    #expect(try JSONValue(parsing: compact.bytes(value)) == value)
                } catch {
                    rejected += 1
                    #expect(error.offset >= 0 && error.offset <= corrupted.count)
                    #expect(error.line >= 1 && error.column >= 1)
                }
            }
        }
        #expect(parsed > 0)
        #expect(rejected > parsed)
    }

    /// Random byte strings, and random splices of JSON punctuation, never crash the parser.
    @Test func randomGarbageNeverCrashes() {
        var rng = SplitMix64(seed: 0xBAD)
        let alphabet = Array(#"{}[]":,-+.0123456789eE \ntrufalsn\u"#.utf8) + [0x00, 0x1F, 0x80, 0xC3, 0xED, 0xF4, 0xFF]
        for _ in 0..<5000 {
            let length = Int.random(in: 0...24, using: &rng)
            let bytes = (0..<length).map { _ in alphabet.randomElement(using: &rng)! }
            if let error = parseError(bytes) {
                #expect(error.offset <= bytes.count)
            }
        }
    }
}

// MARK: - Round trips

struct JSONRoundTripTests {
    static let values: [JSONValue] = [
        .null, .bool(true), .bool(false), .integer(0), .integer(.min), .integer(.max),
        .double(0.1), .double(-0.0), .double(1e-7), .double(1.5e300), .double(.leastNonzeroMagnitude), .double(3.0),
        .double(.greatestFiniteMagnitude), .double(1e16), .double(9007199254740994),
        .string(""), .string("\u{00}\u{1F}\"\\/ é 😀 \u{2028}"), .string("e\u{0301}"),
        .array([]), .object([:]),
        .array([.null, .array([.array([])]), .object(["": .string("")])]),
        .object(["z": .integer(1), "a": .object(["nested": .array([.double(2.5), .bool(false)])]), "日": .null]),
    ]

    @Test(arguments: values)
    func roundTrip(_ value: JSONValue) throws {
        for writer in [compact, pretty] {
            let bytes = writer.bytes(value)
            let parsed = try JSONValue(parsing: bytes)
            #expect(identical(parsed, value))
            #expect(writer.bytes(parsed) == bytes)
        }
    }

    @Test func randomValuesRoundTrip() throws {
        var rng = SplitMix64(seed: 2024)
        for _ in 0..<3000 {
            let value = RandomJSON.value(&rng)
            for writer in [compact, pretty] {
                let bytes = writer.bytes(value)
                let parsed = try JSONValue(parsing: bytes)
                #expect(identical(parsed, value), "\(writer.string(value))")
                #expect(writer.bytes(parsed) == bytes)
            }
        }
    }

    /// Doubles survive writing and parsing bit for bit, across the fast and slow number paths.
    @Test func randomDoublesRoundTripExactly() throws {
        var rng = SplitMix64(seed: 99)
        for _ in 0..<20_000 {
            let value = RandomJSON.double(&rng)
            let parsed = try JSONValue(parsing: compact.bytes(.double(value)))
            guard case .double(let result) = parsed else {
                Issue.record("\(value) parsed as \(parsed)")
                continue
            }
            #expect(result.bitPattern == value.bitPattern, "\(value)")
        }
    }

    /// Random decimal literals convert exactly as the standard library does.
    @Test func decimalLiteralsMatchStandardLibrary() throws {
        var rng = SplitMix64(seed: 5)
        for _ in 0..<20_000 {
            let integerDigits = Int.random(in: 1...20, using: &rng)
            var text = Bool.random(using: &rng) ? "-" : ""
            text += String(Int.random(in: 1...9, using: &rng))
            for _ in 1..<integerDigits { text += String(Int.random(in: 0...9, using: &rng)) }
            if Bool.random(using: &rng) {
                text += "."
                for _ in 0..<Int.random(in: 1...20, using: &rng) { text += String(Int.random(in: 0...9, using: &rng)) }
            }
            if Bool.random(using: &rng) {
                text += ["e", "E", "e+", "e-", "E-"].randomElement(using: &rng)!
                text += String(Int.random(in: 0...330, using: &rng))
            }
            let expected = Double(text)!
            guard expected.isFinite else {
                #expect(throws: JSONParseError.self) { try JSONValue(parsing: text) }
                continue
            }
            switch try JSONValue(parsing: text) {
            case .double(let result):
                #expect(result.bitPattern == expected.bitPattern, "\(text)")
            case .integer(let result):
                #expect(!text.contains(".") && !text.lowercased().contains("e"))
                #expect(Int64(text) == result)
            default:
                Issue.record("\(text) did not parse as a number")
            }
        }
    }
}
