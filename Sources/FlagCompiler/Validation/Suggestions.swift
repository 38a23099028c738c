/// "Did you mean" suggestions for misspelt names.
enum Suggestions {
    /// The candidate closest to `name` within an edit distance that scales with its length, if any.
    static func closest(to name: String, in candidates: some Sequence<String>) -> String? {
        Index(candidates).closest(to: name)
    }

    /// " (did you mean 'x'?)" or "".
    static func didYouMean(_ name: String, in candidates: some Sequence<String>) -> String {
        closest(to: name, in: candidates).map { "; did you mean '\($0)'?" } ?? ""
    }

    /// Candidates prepared once for many look-ups (`flagc refs` asks for every quoted string in a source tree):
    /// lowercased and split into scalars up front, compared with a banded, early-stopping distance.
    struct Index: Sendable {
        private let candidates: [(name: String, scalars: [Unicode.Scalar])]

        init(_ candidates: some Sequence<String>) {
            self.candidates = candidates.map { ($0, Array($0.lowercased().unicodeScalars)) }
        }

        /// The candidate closest to `name` within an edit distance of `max(1, min(3, name.count / 3))`; among
        /// equally close ones, the first in sorted order.
        func closest(to name: String) -> String? {
            let limit = max(1, min(3, name.count / 3))
            let scalars = Array(name.lowercased().unicodeScalars)
            var best: (String, Int)?
            for candidate in candidates {
                guard let distance = Suggestions.editDistance(scalars, candidate.scalars, atMost: best.map { min($0.1, limit) } ?? limit) else { continue }
                if best == nil || distance < best!.1 || (distance == best!.1 && candidate.name < best!.0) {
                    best = (candidate.name, distance)
                }
            }
            return best?.0
        }
    }

    /// The Levenshtein distance when it is at most `limit`, else nil. Only cells within `limit` of the diagonal
    /// can stay within it, and the scan stops once a whole row exceeds it.
    static func editDistance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar], atMost limit: Int) -> Int? {
        if abs(a.count - b.count) > limit { return nil }
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        let beyond = limit + 1
        var previous = (0...b.count).map { $0 <= limit ? $0 : beyond }
        var current = [Int](repeating: beyond, count: b.count + 1)
        for i in 1...a.count {
            let low = max(1, i - limit), high = min(b.count, i + limit)
            current[0] = i <= limit ? i : beyond
            if low > 1 { current[low - 1] = beyond }
            var rowMinimum = current[0]
            for j in low...high {
                let value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
                current[j] = min(value, beyond)
                rowMinimum = min(rowMinimum, current[j])
            }
            if high < b.count { current[high + 1] = beyond }
            if rowMinimum > limit { return nil }
            swap(&previous, &current)
        }
        return previous[b.count] <= limit ? previous[b.count] : nil
    }
}
