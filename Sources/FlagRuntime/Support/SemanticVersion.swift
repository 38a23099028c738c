/// A semantic version (semver 2.0.0): `MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD]`, compared by semver precedence.
///
/// ```swift
/// SemanticVersion("2.4.0-beta.1")! < SemanticVersion("2.4.0")!   // true: a pre-release sorts below its release
/// ```
package struct SemanticVersion: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The major version.
    package var major: UInt64
    /// The minor version.
    package var minor: UInt64
    /// The patch version.
    package var patch: UInt64
    /// Dot-separated pre-release identifiers; empty for a release.
    package var prerelease: [String]
    /// Build metadata, ignored by comparison.
    package var build: [String]

    /// Parses a version; a leading `v` is accepted. Returns nil when the text is not semver 2.0.0.
    package init?(_ text: String) {
        // Most versions are plain `MAJOR.MINOR.PATCH`: read without splitting the text (the split below allocates
        // and cost 10,000 instructions a version when a 10,000-flag snapshot was compiled).
        if let (major, minor, patch) = SemanticVersion.simpleCore(text) {
            self.major = major
            self.minor = minor
            self.patch = patch
            prerelease = []
            build = []
            return
        }
        var rest = Substring(text)
        if rest.hasPrefix("v") { rest = rest.dropFirst() }
        var build: [String] = []
        if let plus = rest.firstIndex(of: "+") {
            build = rest[rest.index(after: plus)...].split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            guard build.allSatisfy(SemanticVersion.isIdentifier) else { return nil }
            rest = rest[..<plus]
        }
        var prerelease: [String] = []
        if let dash = rest.firstIndex(of: "-") {
            prerelease = rest[rest.index(after: dash)...].split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            guard prerelease.allSatisfy({ SemanticVersion.isIdentifier($0) && !SemanticVersion.hasLeadingZero($0) }) else { return nil }
            rest = rest[..<dash]
        }
        let core = rest.split(separator: ".", omittingEmptySubsequences: false)
        guard core.count == 3 else { return nil }
        var numbers: [UInt64] = []
        for part in core {
            guard !part.isEmpty, part.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), !SemanticVersion.hasLeadingZero(part), let number = UInt64(part) else {
                return nil
            }
            numbers.append(number)
        }
        self.major = numbers[0]
        self.minor = numbers[1]
        self.patch = numbers[2]
        self.prerelease = prerelease
        self.build = build
    }

    private static func isIdentifier(_ part: some StringProtocol) -> Bool {
        !part.isEmpty && part.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || $0 == 45 }
    }

    private static func hasLeadingZero(_ part: some StringProtocol) -> Bool {
        part.utf8.count > 1 && part.utf8.first == 48 && part.utf8.allSatisfy { $0 >= 48 && $0 <= 57 }
    }

    /// Semver precedence: build metadata is ignored, a pre-release sorts below its release.
    package static func < (lhs: SemanticVersion, rhs: SemanticVersion) -> Bool {
        if lhs.major != rhs.major { return lhs.major < rhs.major }
        if lhs.minor != rhs.minor { return lhs.minor < rhs.minor }
        if lhs.patch != rhs.patch { return lhs.patch < rhs.patch }
        switch (lhs.prerelease.isEmpty, rhs.prerelease.isEmpty) {
        case (true, true), (true, false): return false
        case (false, true): return true
        case (false, false): break
        }
        for (left, right) in zip(lhs.prerelease, rhs.prerelease) where left != right {
            switch (UInt64(left), UInt64(right)) {
            case let (l?, r?): return l < r
            case (_?, nil): return true
            case (nil, _?): return false
            case (nil, nil): return left < right
            }
        }
        return lhs.prerelease.count < rhs.prerelease.count
    }

    /// Equal by precedence (build metadata ignored).
    package static func == (lhs: SemanticVersion, rhs: SemanticVersion) -> Bool {
        lhs.major == rhs.major && lhs.minor == rhs.minor && lhs.patch == rhs.patch && lhs.prerelease == rhs.prerelease
    }

    /// Hashes what precedence compares.
    package func hash(into hasher: inout Hasher) {
        hasher.combine(major)
        hasher.combine(minor)
        hasher.combine(patch)
        hasher.combine(prerelease)
    }

    /// The version as text.
    package var description: String {
        var text = "\(major).\(minor).\(patch)"
        if !prerelease.isEmpty { text += "-" + prerelease.joined(separator: ".") }
        if !build.isEmpty { text += "+" + build.joined(separator: ".") }
        return text
    }

    /// A release's numbers: major, minor, patch.
    typealias Core = (UInt64, UInt64, UInt64)

    /// Compares a version written as text with a parsed one: -1, 0 or 1 by precedence, nil when the text is not
    /// a semantic version. Plain `MAJOR.MINOR.PATCH` text is compared without allocating.
    static func compare(_ text: String, _ other: SemanticVersion) -> Int? {
        if let core = simpleCore(text) {
            return compare(core: core, with: (other.major, other.minor, other.patch), otherIsRelease: other.prerelease.isEmpty)
        }
        guard let version = SemanticVersion(text) else { return nil }
        return version < other ? -1 : (other < version ? 1 : 0)
    }

    /// Compares a release `core` with a version given by its core and whether it is a release (not a pre-release).
    @inline(__always)
    static func compare(core: Core, with other: Core, otherIsRelease: Bool) -> Int {
        if core != other { return core < other ? -1 : 1 }
        // Equal cores: a release sorts above any pre-release of it.
        return otherIsRelease ? 0 : 1
    }

    /// The numbers of a plain `MAJOR.MINOR.PATCH` (optionally `v`-prefixed) text, read without allocating; nil when
    /// the text has a pre-release, build metadata, or is not a version (the caller then parses it fully).
    @inline(__always)
    static func simpleCore(_ text: String) -> Core? {
        withUTF8Bytes(text) { bytes -> Core? in
            var numbers: Core = (0, 0, 0)
            var part = 0
            var digits = 0
            var value: UInt64 = 0
            var leadingZero = false
            var offset = bytes.first == UInt8(ascii: "v") ? 1 : 0
            while offset < bytes.count {
                let byte = bytes[offset]
                offset += 1
                if byte >= 48 && byte <= 57 {
                    if digits == 1 && value == 0 { leadingZero = true }
                    let (product, overflow) = value.multipliedReportingOverflow(by: 10)
                    let (sum, carry) = product.addingReportingOverflow(UInt64(byte - 48))
                    guard !overflow, !carry else { return nil }
                    value = sum
                    digits += 1
                } else if byte == UInt8(ascii: "."), part < 2, digits > 0, !leadingZero {
                    if part == 0 { numbers.0 = value } else { numbers.1 = value }
                    part += 1
                    digits = 0
                    value = 0
                } else {
                    return nil
                }
            }
            guard part == 2, digits > 0, !leadingZero else { return nil }
            numbers.2 = value
            return numbers
        }
    }
}
