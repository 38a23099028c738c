import FlagRuntime

/// Rules `segment-depth` and `snapshot-size`: lowering inlines segments, so a segment referenced twice is
/// written twice, and segments that reference each other in a diamond grow the snapshot exponentially
/// (2.5 KB of YAML can ask for gigabytes). Before anything is lowered, this check computes, per segment and
/// memoized (linear in the input), how deeply it nests and how large it becomes once inlined, and refuses a
/// tree whose snapshot would be too deep or too large for the runtime to load.
///
/// Runs only when the segments have no cycle (`segment-cycle` is reported first).
struct SegmentExpansion {
    /// The deepest nesting of segments inside segments accepted (a rule referencing a segment is level 1).
    /// Both snapshot forms load far deeper trees (the JSON parser's depth limit allows about 30 levels, the
    /// binary format 64); nobody writes more than a few levels on purpose.
    static let maximumDepth = 16
    /// The largest estimated size of the lowered conditions of all flags together, in bytes of JSON: half the
    /// largest snapshot file the runtime loads (`SnapshotLoader.maximumFileSize`), leaving room for the rest.
    static let maximumLoweredBytes = SnapshotLoader.maximumFileSize / 2

    let segments: [String: SourceSegment]
    private var sizes: [String: Int] = [:]
    private var depths: [String: Int] = [:]

    init(segments: [String: SourceSegment]) {
        self.segments = segments
    }

    /// The diagnostics for `files`: each segment reference that nests too deeply, and, when the whole lowered
    /// tree is too large, one error at the largest segment reference of the flag that lowers largest.
    mutating func check(_ files: [SourceFile]) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        for name in segments.keys.sorted() {
            guard let segment = segments[name] else { continue }
            for reference in references(in: segment.conditions) where depth(of: reference.value) == Self.maximumDepth {
                diagnostics.append(Diagnostic(
                    .segmentDepth, file: segment.file, at: reference.location,
                    "segment '\(name)' nests segments \(depth(of: reference.value) + 1) levels deep through '\(reference.value)', more than the limit of \(Self.maximumDepth); reference the inner segments' conditions directly"
                ))
            }
        }
        guard diagnostics.isEmpty else { return diagnostics }

        var total = 0
        var largest: (flag: SourceFlag, size: Int)?
        for file in files {
            for flag in file.flags {
                let size = flag.rules.reduce(0) { $0 + self.size(of: $1.conditions) }
                total += size
                if size > largest?.size ?? -1 { largest = (flag, size) }
            }
        }
        guard total > Self.maximumLoweredBytes, let (flag, flagSize) = largest else { return [] }
        let biggest = flag.rules.flatMap { references(in: $0.conditions) }.max { self.size(ofSegment: $0.value) < self.size(ofSegment: $1.value) }
        let cause = biggest.map { " (segment '\($0.value)' alone inlines to about \(Self.megabytes(size(ofSegment: $0.value))))" } ?? ""
        return [Diagnostic(
            .snapshotSize, file: flag.file, at: biggest?.location ?? flag.key.location,
            "the snapshot would hold about \(Self.megabytes(total)) of conditions once segments are inlined, more than the limit of \(Self.megabytes(Self.maximumLoweredBytes)); flag '\(flag.key.value)' alone needs \(Self.megabytes(flagSize))\(cause). Segments are copied into every rule that references them: reference fewer segments, or segments that do not reference each other"
        )]
    }

    /// The segment references among `conditions`.
    private func references(in conditions: [SourceCondition]) -> [Located<String>] {
        conditions.flatMap { condition -> [Located<String>] in
            if case .segments(let names) = condition { return names }
            return []
        }
    }

    /// 1 for a segment without segment references, else one more than its deepest reference.
    private mutating func depth(of name: String) -> Int {
        measure(name)
        return depths[name] ?? 0
    }

    /// The estimated JSON bytes of a segment's conditions once inlined.
    private mutating func size(ofSegment name: String) -> Int {
        measure(name)
        return sizes[name] ?? 0
    }

    /// Fills `depths` and `sizes` for `name` and everything it references, in post-order with an explicit stack
    /// (a chain of 100,000 segments must not overflow the thread's stack). The segments have no cycle.
    private mutating func measure(_ name: String) {
        guard depths[name] == nil, segments[name] != nil else { return }
        var stack: [(name: String, references: [Located<String>], next: Int)] = [(name, references(in: segments[name]!.conditions), 0)]
        while let top = stack.last {
            if top.next < top.references.count {
                stack[stack.count - 1].next += 1
                let child = top.references[top.next].value
                if depths[child] == nil, let segment = segments[child] {
                    stack.append((child, references(in: segment.conditions), 0))
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
    private mutating func size(of conditions: [SourceCondition]) -> Int {
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

    /// `1.2 GB`, `340 MB`, `12 KB`, for messages.
    static func megabytes(_ bytes: Int) -> String {
        if bytes == Int.max || bytes >= 1 << 60 { return "more than an exabyte" }
        if bytes >= 1_000_000_000 { return "\(bytes / 100_000_000 / 10).\(bytes / 100_000_000 % 10) GB" }
        if bytes >= 1_000_000 { return "\(bytes / 1_000_000) MB" }
        return "\(max(1, bytes / 1000)) KB"
    }
}
