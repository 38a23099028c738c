/// `segment-cycle`: segments do not reference each other in a cycle (lowering inlines them, so a cycle never ends).
enum SegmentCycle: ProjectRule {
    static let description = RuleDescription(
        id: .segmentCycle, summary: "Segments do not reference each other in a cycle.",
        checkedIn: ["Validation/Rules/SegmentCycle.swift"],
        triggering: one("segments:\n  a:\n    when: { segments: [b] }\n  b:\n    when: { segments: [a] }\n"),
        nonTriggering: one(flag("default: false\nrules:\n  - when: { segments: [a] }\n    serve: true") + "segments:\n  a:\n    when: { segments: [b] }\n  b:\n    when: { groups: [staff] }\n")
    )

    /// Reports each cycle of segments referencing segments once, at the segment that closes it.
    ///
    /// An explicit stack, not recursion: a chain of 100,000 segments must not overflow the thread's stack, and
    /// the path is the stack itself, not a copy per level.
    static func check(_ segments: [String: SourceSegment]) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        var state: [String: Bool] = [:]  // false: on the current path; true: done
        func references(_ name: String) -> [Located<String>] {
            segments[name]?.conditions.flatMap { condition -> [Located<String>] in
                if case .segments(let names) = condition { return names }
                return []
            } ?? []
        }
        for root in segments.keys.sorted() where state[root] == nil {
            var stack: [(name: String, references: [Located<String>], next: Int)] = [(root, references(root), 0)]
            state[root] = false
            while let top = stack.last {
                guard top.next < top.references.count else {
                    state[top.name] = true
                    stack.removeLast()
                    continue
                }
                stack[stack.count - 1].next += 1
                let reference = top.references[top.next]
                switch state[reference.value] {
                case false?:
                    let onPath = stack.map(\.name)
                    let cycle = (onPath.drop { $0 != reference.value } + [reference.value]).joined(separator: " → ")
                    if let segment = segments[top.name] {
                        diagnostics.append(Diagnostic(
                            .segmentCycle, file: segment.file, at: reference.location,
                            "segments reference each other in a cycle (\(cycle)); remove one of the references"
                        ))
                    }
                case nil where segments[reference.value] != nil:
                    state[reference.value] = false
                    stack.append((reference.value, references(reference.value), 0))
                case nil, true?:
                    break
                }
            }
        }
        return diagnostics
    }
}
