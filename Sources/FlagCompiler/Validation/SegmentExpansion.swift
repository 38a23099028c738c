import FlagRuntime

/// How deeply each segment nests and how large it becomes once inlined, computed per segment and memoized
/// (linear in the input): what rules `segment-depth` and `snapshot-size` measure before anything is lowered.
///
/// Lowering inlines segments, so a segment referenced twice is written twice. Use it only when the segments
/// have no cycle (`segment-cycle` is reported first).
struct SegmentExpansion {
    /// The project's segment table (the validator's; this builds none of its own).
    let segments: [String: SourceSegment]
    private var sizes: [String: Int] = [:]
    private var depths: [String: Int] = [:]

    init(segments: [String: SourceSegment]) {
        self.segments = segments
    }

    /// The segment references among `conditions`.
    static func references(in conditions: [SourceCondition]) -> [Located<String>] {
        conditions.flatMap { condition -> [Located<String>] in
            if case .segments(let names) = condition { return names }
            return []
        }
    }

    /// 1 for a segment without segment references, else one more than its deepest reference.
    mutating func depth(of name: String) -> Int {
        measure(name)
        return depths[name] ?? 0
    }

    /// The estimated JSON bytes of a segment's conditions once inlined.
    mutating func size(ofSegment name: String) -> Int {
        measure(name)
        return sizes[name] ?? 0
    }

    /// Fills `depths` and `sizes` for `name` and everything it references, in post-order with an explicit stack
    /// (a chain of 100,000 segments must not overflow the thread's stack). The segments have no cycle.
    private mutating func measure(_ name: String) {
        guard depths[name] == nil, segments[name] != nil else { return }
        var stack: [(name: String, references: [Located<String>], next: Int)] = [(name, Self.references(in: segments[name]!.conditions), 0)]
        while let top = stack.last {
            if top.next < top.references.count {
                stack[stack.count - 1].next += 1
                let child = top.references[top.next].value
                if depths[child] == nil, let segment = segments[child] {
                    stack.append((child, Self.references(in: segment.conditions), 0))
                }
                continue
            }
            stack.removeLast()
            // Every reference is measured now, so these are lookups.
            let deepest = top.references.reduce(0) { max($0, depths[$1.value] ?? 0) }
            depths[top.name] = deepest + 1
            sizes[top.name] = size(of: segments[top.name]!.conditions)
        }
    }

    /// The estimated JSON bytes of `conditions` once segments are inlined (saturating, so a diamond of any
    /// depth cannot overflow).
    mutating func size(of conditions: [SourceCondition]) -> Int {
        var total = 0
        for condition in conditions {
            let conditionSize: Int
            switch condition {
            case .attribute(let condition):
                conditionSize = Self.size(of: condition)
            case .environments(let names):
                conditionSize = 32 + names.reduce(0) { $0 + $1.value.utf8.count + 3 }
            case .segments(let names):
                var sum = 32
                for name in names { sum = Self.adding(sum, Self.adding(32 + name.value.utf8.count, sizes[name.value] ?? size(ofSegment: name.value))) }
                conditionSize = sum
            }
            total = Self.adding(total, conditionSize)
        }
        return total
    }

    private static func size(of condition: Condition) -> Int {
        guard case .attribute(let name, _, let operand) = condition else { return 32 }
        let operandSize: Int
        switch operand {
        case .string(let text): operandSize = text.utf8.count + 2
        case .number, .boolean, .timestamp: operandSize = 24
        case .strings(let texts): operandSize = texts.reduce(2) { $0 + $1.utf8.count + 3 }
        case .numbers(let numbers): operandSize = 2 + numbers.count * 24
        }
        return 48 + name.utf8.count + operandSize
    }

    private static func adding(_ lhs: Int, _ rhs: Int) -> Int {
        let (sum, overflow) = lhs.addingReportingOverflow(rhs)
        return overflow ? Int.max : sum
    }
}
