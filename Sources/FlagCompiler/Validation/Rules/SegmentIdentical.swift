import FlagRuntime

/// `segment-identical` (warning): a segment with the same conditions as an earlier one is a second name for one
/// audience; the two drift apart as soon as one is edited.
enum SegmentIdentical: ProjectRule {
    static let description = RuleDescription(
        id: .segmentIdentical, summary: "A segment with the same conditions as another is a second name for one audience (warning).",
        checkedIn: ["Validation/Rules/SegmentIdentical.swift"],
        triggering: one(flag(uses: "staff, employees") + "segments:\n  staff:\n    when: { groups: [staff, admins] }\n  employees:\n    when: { groups: [admins, staff] }\n"),
        nonTriggering: one(flag(uses: "staff, employees") + "segments:\n  staff:\n    when: { groups: [staff, admins] }\n  employees:\n    when: { groups: [staff] }\n")
    )

    /// A flag that uses the segments named (so the examples trigger no `segment-unused`).
    private static func flag(uses names: String) -> String {
        flag("default: false\nrules:\n  - when: { segments: [\(names)] }\n    serve: true")
    }

    /// Each segment whose conditions equal those of an earlier segment (in file order), with that earlier one.
    /// Conditions are compared as a set, and the values of list conditions as sets: `groups: [a, b]` and
    /// `groups: [b, a]` are the same audience.
    static func identical(in files: [SourceFile]) -> [(segment: SourceSegment, original: SourceSegment)] {
        var first: [[CanonicalCondition: Int]: SourceSegment] = [:]
        var seen = Set<String>()
        var pairs: [(SourceSegment, SourceSegment)] = []
        for segment in files.flatMap(\.segments) where seen.insert(segment.name.value).inserted {
            let key = canonical(segment.conditions)
            if let original = first[key] {
                pairs.append((segment, original))
            } else {
                first[key] = segment
            }
        }
        return pairs
    }

    /// Reports each segment identical to an earlier one, pointing at the earlier one.
    static func check(_ files: [SourceFile], into diagnostics: inout DiagnosticCollector) {
        for (segment, original) in identical(in: files) {
            diagnostics.add(Diagnostic(
                .segmentIdentical, file: segment.file, at: segment.name.location,
                "segment '\(segment.name.value)' has the same conditions as '\(original.name.value)'; use '\(original.name.value)' in its place and remove '\(segment.name.value)', or make them differ",
                related: [Diagnostic.Related(file: original.file, location: original.name.location, message: "'\(original.name.value)' defined here")]
            ))
        }
    }

    /// A condition with its lists sorted, so that equal audiences compare equal.
    private enum CanonicalCondition: Hashable {
        case attribute(Condition)
        case environments([String])
        case segments([String])
    }

    private static func canonical(_ conditions: [SourceCondition]) -> [CanonicalCondition: Int] {
        var counts: [CanonicalCondition: Int] = [:]
        for condition in conditions {
            let key: CanonicalCondition =
                switch condition {
                case .attribute(let condition): .attribute(sortingLists(condition))
                case .environments(let names): .environments(Set(names.map(\.value)).sorted())
                case .segments(let names): .segments(Set(names.map(\.value)).sorted())
                }
            counts[key, default: 0] += 1
        }
        return counts
    }

    private static func sortingLists(_ condition: Condition) -> Condition {
        guard case .attribute(let name, let op, let operand) = condition else { return condition }
        switch operand {
        case .strings(let values): return .attribute(name: name, op: op, operand: .strings(Set(values).sorted()))
        case .numbers(let values): return .attribute(name: name, op: op, operand: .numbers(Set(values).sorted()))
        default: return condition
        }
    }
}
