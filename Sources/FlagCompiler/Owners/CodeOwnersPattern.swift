/// A CODEOWNERS path pattern, matched the way GitHub matches it against a path from the repository root.
///
/// GitHub's rules (gitignore-like, with GitHub's differences):
///
/// - A pattern with no `/`, or only a trailing one (`*.js`, `apps/`), matches at any depth; a leading or middle
///   `/` (`/docs/`, `build/logs`) anchors it to the root.
/// - `*` matches any run of characters except `/`, `?` one character except `/`; `\x` is the character `x`.
/// - `**` as a whole segment matches zero or more folders (`**/logs`, `a/**/b`); at the end (or as the trailing
///   `/`) it matches everything below.
/// - A pattern that matches a folder owns everything below it, except that a last segment of a lone `*`
///   (`docs/*`) matches only the direct children.
/// - Paths are case-sensitive. `!` negation and `[ ]` ranges are not supported (`CodeOwners` reports them).
///
/// ```swift
/// let pattern = CodeOwnersPattern("/build/logs/")!
/// pattern.matches("build/logs/today.txt")   // true
/// ```
package struct CodeOwnersPattern: Sendable, Hashable {
    /// One `/`-separated segment of a pattern.
    enum Segment: Sendable, Hashable {
        /// `**`: zero or more folders.
        case anyDepth
        /// A glob for one path segment.
        case glob([Piece])
    }

    /// A part of a segment's glob.
    enum Piece: Sendable, Hashable {
        case literal(Unicode.Scalar)
        /// `*`: any run of characters in the segment.
        case anyRun
        /// `?`: one character.
        case anyOne
    }

    /// The pattern as written (escapes kept).
    package let text: String
    let segments: [Segment]
    /// Whether paths below a full match are matched too (false after a lone trailing `*` or `**`, which decide
    /// themselves).
    let ownsDescendants: Bool

    /// Compiles `text`; nil for an empty pattern or one with `***` (GitHub rejects both). The callers report `!`
    /// and `[` first.
    package init?(_ text: String) {
        guard !text.isEmpty, !text.contains("***") else { return nil }
        self.text = text
        var parts = CodeOwnersPattern.splitSegments(text)
        let anchored: Bool
        if parts.first == [] {
            // A leading slash: relative to the root.
            parts.removeFirst()
            anchored = true
        } else {
            // Only a single segment (with or without a trailing slash) floats to any depth.
            anchored = parts.count > 2 || (parts.count == 2 && parts[1] != [])
        }
        if parts.count > 1, parts.last == [] {
            // A trailing slash: everything below.
            parts[parts.count - 1] = Array("**".unicodeScalars)
        }
        var segments = parts.map { CodeOwnersPattern.segment($0) }
        if !anchored, segments.first != .anyDepth { segments.insert(.anyDepth, at: 0) }
        self.segments = segments
        switch segments.last {
        case .anyDepth, .glob([.anyRun]): ownsDescendants = false
        default: ownsDescendants = true
        }
    }

    /// Whether the pattern matches `path` (relative to the repository root, `/`-separated, no leading `/`).
    package func matches(_ path: String) -> Bool {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).map { Array($0.unicodeScalars) }
        guard !parts.isEmpty, !segments.isEmpty else { return false }
        return match(segment: 0, part: 0, parts)
    }

    private func match(segment: Int, part: Int, _ parts: [[Unicode.Scalar]]) -> Bool {
        guard segment < segments.count else {
            return part == parts.count || (ownsDescendants && part < parts.count)
        }
        switch segments[segment] {
        case .anyDepth:
            // At the end, `**` needs something below; elsewhere it may match no folder at all.
            if segment == segments.count - 1 { return part < parts.count }
            for next in part...parts.count where match(segment: segment + 1, part: next, parts) { return true }
            return false
        case .glob(let pieces):
            guard part < parts.count, CodeOwnersPattern.glob(pieces[...], matches: parts[part][...]) else { return false }
            return match(segment: segment + 1, part: part + 1, parts)
        }
    }

    /// Splits at unescaped `/`, keeping empty segments (a leading or trailing slash) and escapes.
    private static func splitSegments(_ text: String) -> [[Unicode.Scalar]] {
        var segments: [[Unicode.Scalar]] = [[]]
        var escaped = false
        for scalar in text.unicodeScalars {
            if !escaped, scalar == "/" {
                segments.append([])
                continue
            }
            escaped = !escaped && scalar == "\\"
            segments[segments.count - 1].append(scalar)
        }
        return segments
    }

    private static func segment(_ scalars: [Unicode.Scalar]) -> Segment {
        if scalars == Array("**".unicodeScalars) { return .anyDepth }
        var pieces: [Piece] = []
        var escaped = false
        for scalar in scalars {
            if escaped {
                pieces.append(.literal(scalar))
                escaped = false
            } else if scalar == "\\" {
                escaped = true
            } else if scalar == "*" {
                // `**` inside a segment (`a**b`) is two stars: any run.
                if pieces.last != .anyRun { pieces.append(.anyRun) }
            } else if scalar == "?" {
                pieces.append(.anyOne)
            } else {
                pieces.append(.literal(scalar))
            }
        }
        if escaped { pieces.append(.literal("\\")) }
        return .glob(pieces)
    }

    /// Glob matching within one segment (`*` backtracks; segments are short).
    private static func glob(_ pieces: ArraySlice<Piece>, matches name: ArraySlice<Unicode.Scalar>) -> Bool {
        guard let first = pieces.first else { return name.isEmpty }
        switch first {
        case .literal(let scalar):
            return name.first == scalar && glob(pieces.dropFirst(), matches: name.dropFirst())
        case .anyOne:
            return !name.isEmpty && glob(pieces.dropFirst(), matches: name.dropFirst())
        case .anyRun:
            var rest = name
            while true {
                if glob(pieces.dropFirst(), matches: rest) { return true }
                guard !rest.isEmpty else { return false }
                rest = rest.dropFirst()
            }
        }
    }
}
