@testable import FlagCompiler
import Foundation
import Testing

/// The YAML front-end on bad input: truncated, corrupted and oversized files never crash and always point somewhere.
@Suite struct YAMLParserTests {
    static let sample = RuleCatalog.flag("""
        variants: { blue: "#00f", green: "#0f0" }
        default: blue
        rules:
          - name: staff
            when:
              segments: [staff]
              attributes: { app_version: { semver_gte: 2.4.0 }, plan: [pro] }
            until: 2027-01-01T00:00:00Z
            serve: green
          - split: { blue: 50, green: 50 }
        """) + "segments:\n  staff:\n    when: { groups: [staff] }\n"

    static func parse(_ text: String, limits: InputLimits = InputLimits()) -> (YAMLNode?, [Diagnostic]) {
        var diagnostics = FileDiagnostics(file: "f.yaml")
        let node = YAMLParser(limits: limits).parse(Array(text.utf8), diagnostics: &diagnostics)
        return (node, diagnostics.collector.diagnostics)
    }

    @Test func sampleIsClean() throws {
        let result = try TemporaryProject(["flags/demo.yaml": YAMLParserTests.sample]).compile()
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
    }

    /// Every prefix of a valid file either compiles or yields located diagnostics; none crashes.
    @Test func truncatedAtEveryByte() {
        let bytes = Array(YAMLParserTests.sample.utf8)
        for length in 0..<bytes.count {
            let text = String(decoding: bytes[..<length], as: UTF8.self)
            var decoder = FileDecoder(file: "f.yaml")
            let root = YAMLParser(limits: InputLimits()).parse(Array(text.utf8), diagnostics: &decoder.diagnostics)
            if root != nil || !decoder.diagnostics.collector.hasErrors { _ = decoder.decode(root) }
            for diagnostic in decoder.diagnostics.collector.diagnostics {
                #expect(diagnostic.location != nil, "prefix of \(length) bytes: \(diagnostic)")
            }
        }
    }

    /// Replacing any byte with a YAML-significant character never crashes the front-end.
    @Test(arguments: [":", "-", "[", "{", "\"", "'", "&", "*", "!", "\t", "#", "|", ">", "\u{0}"])
    func corruptedAtEveryByte(replacement: String) {
        let bytes = Array(YAMLParserTests.sample.utf8)
        let byte = Array(replacement.utf8)[0]
        for index in bytes.indices {
            var corrupted = bytes
            corrupted[index] = byte
            var decoder = FileDecoder(file: "f.yaml")
            let root = YAMLParser(limits: InputLimits()).parse(corrupted, diagnostics: &decoder.diagnostics)
            if root != nil || !decoder.diagnostics.collector.hasErrors { _ = decoder.decode(root) }
        }
    }

    @Test func fileLargerThanTheLimitIsRefusedBeforeParsing() {
        let (node, diagnostics) = YAMLParserTests.parse(YAMLParserTests.sample, limits: InputLimits(maximumFileSize: 100))
        #expect(node == nil)
        #expect(diagnostics.map(\.rule) == [.inputLimit])
        #expect(diagnostics.first?.message.contains("limit of 100 bytes") == true)
    }

    @Test func deepNestingStopsAtTheLimit() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        let (node, diagnostics) = YAMLParserTests.parse("flags: " + deep)
        #expect(node == nil)
        #expect(diagnostics.map(\.rule) == [.inputLimit])
    }

    @Test func longListsStopAtTheLimit() {
        let list = "[" + (0..<200).map { "u\($0)" }.joined(separator: ", ") + "]"
        let (_, diagnostics) = YAMLParserTests.parse("users: \(list)\n", limits: InputLimits(maximumCollectionCount: 100))
        #expect(diagnostics.map(\.rule) == [.inputLimit])
        #expect(diagnostics.first?.location?.line == 1)
    }

    /// A "billion laughs" document: refused at the first anchor, never expanded.
    @Test func aliasBombIsRefused() {
        var text = "a: &a [x, x, x, x, x, x, x, x, x]\n"
        for level in 1...9 {
            text += "l\(level): &l\(level) [" + Array(repeating: "*\(level == 1 ? "a" : "l\(level - 1)")", count: 9).joined(separator: ", ") + "]\n"
        }
        let (node, diagnostics) = YAMLParserTests.parse(text)
        #expect(node == nil)
        #expect(diagnostics.allSatisfy { $0.rule == .yamlAnchor })
        #expect(diagnostics.count > 9)
    }

    @Test func tabInsideABlockScalarIsContent() throws {
        let yaml = RuleCatalog.flag("default: false").replacingOccurrences(of: "description: Demo flag", with: "description: |\n      Steps:\n      \tindented with a tab")
        let result = try TemporaryProject(["flags/demo.yaml": yaml]).compile()
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
    }

    @Test(arguments: [
        ("true", ResolvedScalar.bool(true)), ("FALSE", .bool(false)), ("~", .null), ("", .null), ("12", .integer(12)),
        ("-7", .integer(-7)), ("+3", .integer(3)), ("1.5", .float(1.5)), (".5", .float(0.5)), ("1e3", .float(1000)),
        ("2026-12-31", .string("2026-12-31")), ("0x1F", .string("0x1F")), (".inf", .string(".inf")), ("1_000", .string("1_000")),
        ("yes", .string("yes")), ("1.2.3", .string("1.2.3")), ("99999999999999999999", .float(1e20)),
    ])
    func plainScalarsResolveByTheCoreSchema(text: String, expected: ResolvedScalar) {
        #expect(ResolvedScalar(plain: text) == expected)
    }
}
