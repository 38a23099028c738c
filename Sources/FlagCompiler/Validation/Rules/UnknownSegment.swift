/// `unknown-segment`: every segment a condition references is defined in some flag file.
enum UnknownSegment: ProjectRule {
    static let description = RuleDescription(
        id: .unknownSegment, summary: "Referenced segments exist.",
        checkedIn: ["Validation/Rules/UnknownSegment.swift"],
        triggering: one(flag("default: false\nrules:\n  - when: { segments: [staff] }\n    serve: true")),
        nonTriggering: one(flag("default: false\nrules:\n  - when: { segments: [staff] }\n    serve: true") + "segments:\n  staff:\n    when: { groups: [staff] }\n")
    )

    /// Reports each of `names` (a `segments` condition in `file`) that is not in the segment table.
    static func check(_ names: [Located<String>], file: String, segments: [String: SourceSegment], into diagnostics: inout DiagnosticCollector) {
        for name in names where segments[name.value] == nil {
            let hint = Suggestions.closest(to: name.value, in: segments.keys).map { "did you mean '\($0)'?" } ?? "define it under 'segments:' in any flag file"
            diagnostics.add(Diagnostic(.unknownSegment, file: file, at: name.location, "segment '\(name.value)' is not defined; \(hint)"))
        }
    }
}
