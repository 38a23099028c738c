/// `segment-depth`: segments nest at most `maximumDepth` levels deep once inlined.
enum SegmentDepth: ProjectRule {
    /// The deepest nesting of segments inside segments accepted (a rule referencing a segment is level 1).
    /// Both snapshot forms load far deeper trees (the JSON parser's depth limit allows about 30 levels, the
    /// binary format 64); nobody writes more than a few levels on purpose.
    static let maximumDepth = 16

    static let description = RuleDescription(
        id: .segmentDepth, summary: "Segments nest at most \(maximumDepth) levels deep.",
        checkedIn: ["Validation/Rules/SegmentDepth.swift"],
        triggering: one(chainedSegments(maximumDepth + 1)),
        nonTriggering: one(chainedSegments(maximumDepth))
    )

    /// Segments `s1` … `sN`, each referencing the next, and a flag referencing `s1`: N levels of nesting.
    static func chainedSegments(_ count: Int) -> String {
        var yaml = flag("default: false\nrules:\n  - when: { segments: [s1] }\n    serve: true") + "segments:\n"
        for level in 1..<count { yaml += "  s\(level):\n    when: { segments: [s\(level + 1)] }\n" }
        return yaml + "  s\(count):\n    when: { groups: [staff] }\n"
    }

    /// Each segment reference that nests too deeply, at the reference; the segments have no cycle.
    static func check(_ expansion: inout SegmentExpansion) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        for name in expansion.segments.keys.sorted() {
            guard let segment = expansion.segments[name] else { continue }
            for reference in SegmentExpansion.references(in: segment.conditions) where expansion.depth(of: reference.value) == maximumDepth {
                diagnostics.append(Diagnostic(
                    .segmentDepth, file: segment.file, at: reference.location,
                    "segment '\(name)' nests segments \(expansion.depth(of: reference.value) + 1) levels deep through '\(reference.value)', more than the limit of \(maximumDepth); reference the inner segments' conditions directly"
                ))
            }
        }
        return diagnostics
    }
}
