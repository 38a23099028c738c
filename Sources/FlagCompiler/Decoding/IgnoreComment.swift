import FlagRuntime
import Foundation

/// A `# flagc:ignore RULE-ID reason` comment: the rules it silences on the flag, rule or segment that starts on
/// the next line, with the reason the team gave.
struct IgnoreComment: Sendable, Hashable {
    /// Where the comment is.
    var location: SourceLocation
    /// The rules it silences.
    var rules: [RuleID]
    /// Why (required).
    var reason: String
    /// The lines of the flag, rule or segment it applies to: the line after the comment, and every line below
    /// indented more deeply.
    var lines: ClosedRange<Int>

    /// The ignore comments of a file's bytes, and the malformed ones reported (`ignore-invalid`).
    static func scan(_ bytes: [UInt8], into diagnostics: inout FileDiagnostics) -> [IgnoreComment] {
        let marker = Array("flagc:ignore".utf8)
        guard bytes.count >= marker.count, contains(bytes, marker) else { return [] }
        // Each line's indentation (nil for a blank line or a comment) and its text.
        var lines: [(indent: Int?, text: Substring)] = []
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false) {
            let body = line.hasSuffix("\r") ? line.dropLast() : line
            let indent = body.prefix { $0 == " " }.count
            let rest = body.dropFirst(indent)
            lines.append((rest.isEmpty || rest.hasPrefix("#") ? nil : indent, body))
        }
        var comments: [IgnoreComment] = []
        for (index, line) in lines.enumerated() {
            let text = line.text.drop { $0 == " " }
            guard text.hasPrefix("#") else { continue }
            let words = text.dropFirst().drop { $0 == " " }
            guard words.hasPrefix("flagc:ignore") else { continue }
            let location = SourceLocation(line: index + 1, column: line.text.count - text.count + 1)
            let parts = words.dropFirst("flagc:ignore".count).split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
            guard let list = parts.first else {
                diagnostics.report(.ignoreInvalid, at: location, "'# flagc:ignore' names no rule; write '# flagc:ignore RULE-ID reason', for example '# flagc:ignore window-passed the pilot is extended next week'")
                continue
            }
            var rules: [RuleID] = []
            var valid = true
            for name in list.split(separator: ",").map(String.init) {
                guard let rule = RuleID(rawValue: name) else {
                    diagnostics.report(.ignoreInvalid, at: location, "'# flagc:ignore' names no rule '\(name)'\(Suggestions.didYouMean(name, in: RuleID.allCases.map(\.rawValue))); flagc rules lists them")
                    valid = false
                    continue
                }
                guard rule.isAdjustable else {
                    diagnostics.report(.ignoreInvalid, at: location, "'\(name)' cannot be ignored: it makes the snapshot wrong; fix the problem instead")
                    valid = false
                    continue
                }
                rules.append(rule)
            }
            let reason = parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : ""
            if reason.isEmpty {
                diagnostics.report(.ignoreInvalid, at: location, "'# flagc:ignore \(list)' gives no reason; add one after the rule, for example '# flagc:ignore \(list) removed with the Q3 release'")
                valid = false
            }
            // The flag, rule or segment it applies to starts on the next line that is not blank or a comment.
            guard let start = lines[(index + 1)...].firstIndex(where: { $0.indent != nil }), let indent = lines[start].indent else {
                diagnostics.report(.ignoreInvalid, at: location, "'# flagc:ignore' is not followed by a flag, rule or segment; put it on the line before the one it is about")
                continue
            }
            guard valid else { continue }
            var end = start
            while end + 1 < lines.count, lines[end + 1].indent.map({ $0 > indent }) ?? true { end += 1 }
            comments.append(IgnoreComment(location: location, rules: rules, reason: reason, lines: (start + 1)...(end + 1)))
        }
        return comments
    }

    private static func contains(_ bytes: [UInt8], _ marker: [UInt8]) -> Bool {
        guard let first = marker.first else { return true }
        var index = 0
        while index + marker.count <= bytes.count {
            if bytes[index] == first, bytes[index..<(index + marker.count)].elementsEqual(marker) { return true }
            index += 1
        }
        return false
    }
}

/// A diagnostic that a `# flagc:ignore` comment silenced, with the reason given.
public struct IgnoredDiagnostic: Sendable, Hashable {
    /// The diagnostic that would have been reported.
    public var diagnostic: Diagnostic
    /// The reason the comment gives.
    public var reason: String
    /// Where the comment is.
    public var comment: SourceLocation
}
