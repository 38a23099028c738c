/// `duplicate-segment`: segment names are global, so each segment is defined once across all files.
enum DuplicateSegment: ProjectRule {
    static let description = RuleDescription(
        id: .duplicateSegment, summary: "Each segment is defined once across all files.",
        checkedIn: ["Validation/Rules/DuplicateSegment.swift"],
        triggering: ["flags/a.yaml": "segments:\n  staff:\n    when: { groups: [staff] }\n", "flags/b.yaml": "segments:\n  staff:\n    when: { groups: [employees] }\n"],
        nonTriggering: ["flags/a.yaml": .text(flag("default: false\nrules:\n  - when: { segments: [staff, employees] }\n    serve: true") + "segments:\n  staff:\n    when: { groups: [staff] }\n"), "flags/b.yaml": "segments:\n  employees:\n    when: { groups: [employees] }\n"]
    )

    /// The project's segment table, the first definition of each name; every later definition is reported.
    static func table(of files: [SourceFile], into diagnostics: inout DiagnosticCollector) -> [String: SourceSegment] {
        var segments: [String: SourceSegment] = [:]
        for file in files {
            for segment in file.segments {
                if let first = segments[segment.name.value] {
                    diagnostics.add(Diagnostic(
                        .duplicateSegment, file: segment.file, at: segment.name.location,
                        "segment '\(segment.name.value)' is already defined in \(first.file):\(first.name.location.line); segment names are global across files, so rename or remove one",
                        related: [Diagnostic.Related(file: first.file, location: first.name.location, message: "first defined here")]
                    ))
                } else {
                    segments[segment.name.value] = segment
                }
            }
        }
        return segments
    }
}
