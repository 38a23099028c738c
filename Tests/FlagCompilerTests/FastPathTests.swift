@testable import FlagCompiler
import Foundation
import Testing

/// The shortcuts taken for speed give the same answers as the general code they stand in for.
@Suite struct FastPathTests {
    /// Keys built from the characters that matter to the default naming pattern, plus a few that do not.
    static let keys: [String] = {
        let alphabet = ["a", "z", "m", "0", "9", "_", ".", "A", "-", " ", "é", "\n"]
        var keys = ["", ".", "a", "a.", ".a", "a.b", "a..b", "a.b.c", "a.b.c.d", "a_1.b_2", "a.1b", "1a.b", "a.b\n", "a.b\r\n",
                    "a\u{301}.b", "a.b\u{301}", "\u{212A}.b", "\u{FF41}.b", "billing.invoice_auto_generate"]
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        for _ in 0..<5_000 {
            var key = ""
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            for _ in 0..<Int(state >> 60) {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                // Mostly lowercase letters and dots, so that many keys come close to matching.
                let pick = Int(state >> 59)
                key += pick < 20 ? alphabet[pick % 3] : pick < 26 ? "." : alphabet[Int(state >> 32) % alphabet.count]
            }
            keys.append(key)
        }
        return keys
    }()

    @Test func defaultNamingPatternAgreesWithTheRegex() throws {
        let regex = try Regex(ProjectConfig.defaultNamingPattern)
        let pattern = try #require(KeyPattern(ProjectConfig.defaultNamingPattern))
        var matched = 0
        for key in FastPathTests.keys {
            let expected = (try? regex.wholeMatch(in: key)) != nil
            #expect(pattern.matches(key) == expected, "\(key.debugDescription)")
            if key.utf8.allSatisfy({ $0 < 0x80 }) {
                #expect(KeyPattern.matchesDefaultPattern(ascii: key.utf8) == expected, "\(key.debugDescription)")
            }
            if expected { matched += 1 }
        }
        #expect(matched > 100, "the generated keys should include many that match")
    }

    /// Large mappings find duplicate keys through an index, small ones by searching: both report the first definition.
    @Test(arguments: [3, 16, 17, 40])
    func duplicateKeyReportsTheFirstDefinition(keyCount: Int) throws {
        var text = ""
        for index in 0..<keyCount { text += "key\(index): \(index)\n" }
        text += "key1: again\n"
        text += "key\(keyCount - 1): again\n"
        let (node, diagnostics) = YAMLParserTests.parse(text)
        let pairs = try #require(node?.mapping)
        #expect(pairs.map(\.name) == (0..<keyCount).map { "key\($0)" })
        #expect(pairs[1].value.scalar?.value == "1")
        #expect(diagnostics.map(\.rule) == [.yamlDuplicateKey, .yamlDuplicateKey])
        #expect(diagnostics.map(\.location?.line) == [keyCount + 1, keyCount + 2])
        #expect(diagnostics.map { $0.related.first?.location.line } == [2, keyCount])
    }

    @Test func unchangedSnapshotIsDetectedByContent() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("flagc-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("snapshot.json").path
        #expect(try SnapshotFile.writeAtomically(Array("{\"a\":1}".utf8), to: path) == .written)
        #expect(try SnapshotFile.writeAtomically(Array("{\"a\":1}".utf8), to: path) == .unchanged)
        #expect(try SnapshotFile.writeAtomically(Array("{\"a\":2}".utf8), to: path) == .written)
        #expect(try SnapshotFile.writeAtomically(Array("{\"a\":22}".utf8), to: path) == .written)
        #expect(try SnapshotFile.writeAtomically([], to: path) == .written)
        #expect(try SnapshotFile.writeAtomically([], to: path) == .unchanged)
        #expect(FileManager.default.contents(atPath: path) == Data())
    }
}
