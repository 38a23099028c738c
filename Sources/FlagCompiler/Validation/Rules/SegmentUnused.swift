import FlagRuntime

/// `segment-unused` (warning): a segment that no flag uses, directly or through the segments its rules use, is dead
/// weight that readers still have to understand.
enum SegmentUnused: ProjectRule {
    static let description = RuleDescription(
        id: .segmentUnused, summary: "A segment no flag uses, directly or through another segment, is dead weight (warning).",
        checkedIn: ["Validation/Rules/SegmentUnused.swift"],
        triggering: one(flag("default: false") + "segments:\n  staff:\n    when: { groups: [staff] }\n"),
        nonTriggering: one(flag("default: false\nrules:\n  - when: { segments: [staff] }\n    serve: true") + "segments:\n  staff:\n    when: { groups: [staff] }\n")
    )

    /// The segments of `segments` that no flag reaches, in the order their files define them.
    static func unused(in files: [SourceFile], segments: [String: SourceSegment]) -> [SourceSegment] {
        var reached = Set<String>()
        var pending: [String] = []
        func visit(_ conditions: [SourceCondition]) {
            for case .segments(let names) in conditions {
                for name in names where segments[name.value] != nil && reached.insert(name.value).inserted {
                    pending.append(name.value)
                }
            }
        }
        for file in files {
            for flag in file.flags {
                for rule in flag.rules { visit(rule.conditions) }
            }
        }
        while let name = pending.popLast() {
            if let segment = segments[name] { visit(segment.conditions) }
        }
        return files.flatMap(\.segments).filter { segment in
            !reached.contains(segment.name.value) && segments[segment.name.value]?.name.location == segment.name.location && segments[segment.name.value]?.file == segment.file
        }
    }

    /// Reports each segment no flag uses.
    static func check(_ files: [SourceFile], segments: [String: SourceSegment], into diagnostics: inout DiagnosticCollector) {
        for segment in unused(in: files, segments: segments) {
            diagnostics.add(Diagnostic(
                .segmentUnused, file: segment.file, at: segment.name.location,
                "segment '\(segment.name.value)' is used by no flag; remove it, or use it in a rule ('when: { segments: [\(segment.name.value)] }')"
            ))
        }
    }
}
