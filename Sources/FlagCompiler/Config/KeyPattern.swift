/// A compiled naming pattern (a regular expression matched against the whole key).
struct KeyPattern: @unchecked Sendable {
    // `Regex` is not Sendable; it is immutable after creation and only read (matched), never mutated,
    // so sharing it across tasks is safe. No lock is involved.
    private let regex: Regex<AnyRegexOutput>

    init?(_ pattern: String) {
        guard let regex = try? Regex(pattern) else { return nil }
        self.regex = regex
    }

    func matches(_ key: String) -> Bool {
        (try? regex.wholeMatch(in: key)) != nil
    }
}
