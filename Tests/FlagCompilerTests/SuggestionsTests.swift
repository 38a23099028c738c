@testable import FlagCompiler
import Testing

/// The did-you-mean distance: the banded, early-stopping version agrees with a full Levenshtein table.
@Suite struct SuggestionsTests {
    /// The textbook table, as the reference.
    static func fullDistance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int {
        var previous = Array(0...b.count)
        for i in 1...max(1, a.count) where !a.isEmpty {
            var current = [i] + [Int](repeating: 0, count: b.count)
            for j in stride(from: 1, through: b.count, by: 1) {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }

    @Test func bandedDistanceAgreesWithTheFullTable() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("ab._".unicodeScalars)
        for _ in 0..<3_000 {
            let a = (0..<Int.random(in: 0...9, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }
            let b = (0..<Int.random(in: 0...9, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }
            let full = Self.fullDistance(a, b)
            for limit in 0...4 {
                let banded = Suggestions.editDistance(a, b, atMost: limit)
                #expect(banded == (full <= limit ? full : nil), "\(String(String.UnicodeScalarView(a))) / \(String(String.UnicodeScalarView(b))) limit \(limit)")
            }
        }
    }

    @Test func closestPrefersTheNearestThenTheFirstInOrder() {
        let index = Suggestions.Index(["billing.retry_limit", "billing.invoice_auto_generate", "billing.invoice_auto_generated"])
        #expect(index.closest(to: "billing.invoice_auto_generat") == "billing.invoice_auto_generate")
        #expect(index.closest(to: "BILLING.RETRY_LIMT") == "billing.retry_limit")
        #expect(index.closest(to: "ui.dark_mode") == nil)
        #expect(Suggestions.closest(to: "ab", in: ["ac", "aa"]) == "aa")
    }
}
