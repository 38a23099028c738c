/// A compiled naming pattern (a regular expression matched against the whole key).
struct KeyPattern: @unchecked Sendable {
    // `Regex` is not Sendable; it is immutable after creation and only read (matched), never mutated,
    // so sharing it across tasks is safe. No lock is involved.
    private let regex: Regex<AnyRegexOutput>
    /// Whether this is `ProjectConfig.defaultNamingPattern`, which ASCII keys are matched against by
    /// `matchesDefaultPattern` instead: the regex engine takes about 2 µs a key, a third of the checks
    /// across 10,000 flags.
    private let isDefault: Bool

    init?(_ pattern: String) {
        guard let regex = try? Regex(pattern) else { return nil }
        self.regex = regex
        self.isDefault = pattern == ProjectConfig.defaultNamingPattern
    }

    func matches(_ key: String) -> Bool {
        if isDefault, key.utf8.allSatisfy({ $0 < 0x80 }) {
            return KeyPattern.matchesDefaultPattern(ascii: key.utf8)
        }
        return (try? regex.wholeMatch(in: key)) != nil
    }

    /// `^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*){1,2}$` for ASCII text: two or three segments separated by dots,
    /// each a lowercase letter followed by lowercase letters, digits and underscores.
    static func matchesDefaultPattern(ascii utf8: String.UTF8View) -> Bool {
        var segments = 0
        var atSegmentStart = true
        for byte in utf8 {
            let isLowercase = byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")
            if atSegmentStart {
                guard isLowercase else { return false }
                segments += 1
                atSegmentStart = false
            } else if byte == UInt8(ascii: ".") {
                atSegmentStart = true
            } else if !(isLowercase || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "_")) {
                return false
            }
        }
        return !atSegmentStart && (2...3).contains(segments)
    }
}
