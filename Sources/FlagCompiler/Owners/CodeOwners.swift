/// A parsed CODEOWNERS file: its rules in file order, and the owner of a path by GitHub's rule that the last
/// matching line wins.
///
/// Each line is a pattern and zero or more owners (`@user`, `@org/team` or an email), separated by spaces.
/// `#` starts a comment (a whole line, or the rest of a line after an unescaped `#`); blank lines are skipped;
/// `\ ` and `\#` put a space or a `#` in a pattern. A pattern with no owners un-owns what it matches. Lines
/// GitHub would reject (an owner of another form, `!` negation, `[ ]` ranges, `***`) are reported as
/// `codeowners-invalid` and skipped, as GitHub skips them.
///
/// ```swift
/// let (owners, problems) = CodeOwners.parse(Array("*.js @acme/web\n".utf8), path: "CODEOWNERS")
/// owners.rule(for: "app/main.js")?.owners   // ["@acme/web"]
/// ```
package struct CodeOwners: Sendable {
    /// One valid line: a pattern and its owners.
    package struct Rule: Sendable {
        /// The pattern.
        package var pattern: CodeOwnersPattern
        /// The owners as written; empty when the line un-owns what it matches.
        package var owners: [String]
        /// Where the pattern starts.
        package var location: SourceLocation
    }

    /// The GitHub locations of CODEOWNERS, relative to the repository root, in the order GitHub looks: the
    /// first that exists is used.
    package static let githubLocations = [".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"]

    /// The file's path, as diagnostics name it.
    package var path: String
    /// The valid rules, in file order.
    package var rules: [Rule] = []

    /// The rule that decides who owns `path` (relative to the repository root): the last one matching it;
    /// nil when none matches.
    package func rule(for path: String) -> Rule? {
        rules.last { $0.pattern.matches(path) }
    }

    /// Every owner written in the file, each once, in the order first written.
    package var owners: [String] {
        var seen = Set<String>()
        return rules.flatMap(\.owners).filter { seen.insert($0).inserted }
    }

    /// Parses a CODEOWNERS file, reporting each line GitHub would reject (`codeowners-invalid`).
    package static func parse(_ bytes: [UInt8], path: String) -> (CodeOwners, DiagnosticCollector) {
        var diagnostics = FileDiagnostics(file: path)
        var file = CodeOwners(path: path)
        let text = String(decoding: bytes, as: UTF8.self)
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = line.hasSuffix("\r") ? line.dropLast() : line
            if let rule = parseLine(Array(line.unicodeScalars), number: index + 1, into: &diagnostics) {
                file.rules.append(rule)
            }
        }
        return (file, diagnostics.collector)
    }

    /// One line's words (unescaped whitespace separates them, an unescaped `#` ends the line), each with its
    /// 1-based column; escapes are kept for the pattern.
    private static func words(_ line: [Unicode.Scalar]) -> [(text: String, column: Int)] {
        var words: [(text: String, column: Int)] = []
        var current = String.UnicodeScalarView()
        var start = 0
        var escaped = false
        for (index, scalar) in line.enumerated() {
            if !escaped, scalar == "#" { break }
            if !escaped, scalar == " " || scalar == "\t" {
                if !current.isEmpty { words.append((String(current), start + 1)) }
                current = String.UnicodeScalarView()
                continue
            }
            if current.isEmpty { start = index }
            current.append(scalar)
            escaped = !escaped && scalar == "\\"
        }
        if !current.isEmpty { words.append((String(current), start + 1)) }
        return words
    }

    private static func parseLine(_ line: [Unicode.Scalar], number: Int, into diagnostics: inout FileDiagnostics) -> Rule? {
        let words = words(line)
        guard let first = words.first else { return nil }
        let location = SourceLocation(line: number, column: first.column)
        let pattern = first.text
        if pattern.hasPrefix("!") {
            diagnostics.report(.codeownersInvalid, at: location, "'\(pattern)': CODEOWNERS has no '!' negation, so GitHub skips this line; to un-own paths, write the pattern with no owners after it")
            return nil
        }
        if let bracket = pattern.unicodeScalars.firstIndex(where: { $0 == "[" || $0 == "]" }),
           pattern.unicodeScalars[..<bracket].last != "\\" {
            diagnostics.report(.codeownersInvalid, at: location, "'\(pattern)': CODEOWNERS has no '[ ]' character ranges, so GitHub skips this line; write one line per name, or escape the bracket (\\[)")
            return nil
        }
        guard let compiled = CodeOwnersPattern(pattern) else {
            diagnostics.report(.codeownersInvalid, at: location, "'\(pattern)' is not a valid pattern (three '*' in a row), so GitHub skips this line; use '**' for any number of folders")
            return nil
        }
        var owners: [String] = []
        for word in words.dropFirst() {
            guard OwnerHandle(word.text) != nil else {
                diagnostics.report(.codeownersInvalid, at: SourceLocation(line: number, column: word.column), "'\(word.text)' is not an owner GitHub knows, so GitHub skips this line; write @user, @org/team or an email address\(OwnerHandle.hint(for: word.text))")
                return nil
            }
            owners.append(word.text)
        }
        return Rule(pattern: compiled, owners: owners, location: location)
    }
}

/// An owner as CODEOWNERS writes it: `@user`, `@org/team` or an email address, and how a flag's `owner` names it.
///
/// A flag's owner names a handle when it is equal to it as written, or to its short form: the team's name after
/// `@org/` (`team-billing` for `@acme/team-billing`), or the user's name without `@` (`alice` for `@alice`).
/// Comparisons ignore case: GitHub's user and team names and email addresses are case-insensitive.
package struct OwnerHandle: Sendable, Hashable {
    /// The handle as written.
    package var text: String
    /// The name a flag may use instead: the team or user name, or the email address itself.
    package var shortForm: String

    /// Classifies `text`; nil when it is none of `@user`, `@org/team` and an email address.
    package init?(_ text: String) {
        let scalars = Array(text.unicodeScalars)
        func isName(_ part: ArraySlice<Unicode.Scalar>, extra: String) -> Bool {
            !part.isEmpty && part.allSatisfy { ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) || extra.unicodeScalars.contains($0) }
        }
        if scalars.first == "@" {
            let rest = scalars.dropFirst()
            if let slash = rest.firstIndex(of: "/") {
                guard isName(rest[..<slash], extra: "-"), isName(rest[(slash + 1)...], extra: "-_.") else { return nil }
                shortForm = String(String.UnicodeScalarView(rest[(slash + 1)...]))
            } else {
                guard isName(rest, extra: "-_") else { return nil }
                shortForm = String(String.UnicodeScalarView(rest))
            }
        } else {
            let parts = text.split(separator: "@", omittingEmptySubsequences: false)
            guard parts.count == 2, isName(ArraySlice(parts[0].unicodeScalars), extra: "._%+-"),
                  isName(ArraySlice(parts[1].unicodeScalars), extra: ".-"), parts[1].contains("."),
                  !parts[1].hasPrefix("."), !parts[1].hasSuffix(".") else { return nil }
            shortForm = text
        }
        self.text = text
    }

    /// Whether a flag's `owner` names this handle.
    package func isNamed(by owner: String) -> Bool {
        owner.lowercased() == text.lowercased() || owner.lowercased() == shortForm.lowercased()
    }

    /// Whether `owner` is written as GitHub writes owners (`@…` or an email) rather than as a short name.
    package static func isWrittenAsHandle(_ owner: String) -> Bool {
        owner.hasPrefix("@") || owner.contains("@")
    }

    /// A hint for a bare name that would be a handle with an `@` (`team-billing`), else nothing.
    static func hint(for word: String) -> String {
        OwnerHandle("@" + word) != nil ? " (for example '@\(word)', or '@org/\(word)' for a team)" : ""
    }
}
