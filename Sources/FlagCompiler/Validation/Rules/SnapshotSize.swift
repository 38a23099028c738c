import FlagRuntime

/// `snapshot-size`: with segments inlined, the snapshot stays small enough for the runtime to load. A segment
/// referenced twice is written twice, so segments that reference each other in a diamond grow the snapshot
/// exponentially (2.5 KB of YAML can ask for gigabytes); this refuses such a tree before anything is lowered.
enum SnapshotSize: ProjectRule {
    /// The largest estimated size of the lowered conditions of all flags together, in bytes of JSON: half the
    /// largest snapshot file the runtime loads (`SnapshotLoader.maximumFileSize`), leaving room for the rest.
    static let maximumLoweredBytes = SnapshotLoader.maximumFileSize / 2

    static let description = RuleDescription(
        id: .snapshotSize, summary: "With segments inlined, the snapshot stays within half of the 256 MiB the runtime loads.",
        checkedIn: ["Validation/Rules/SnapshotSize.swift"],
        triggering: one(segmentLattice(width: 8, levels: 10)),
        nonTriggering: one(segmentLattice(width: 2, levels: 4))
    )

    /// `levels` levels of `width` segments, each referencing every segment of the level below (and a group of its
    /// own, so no two are alike), and a flag referencing the top: inlined, it holds width^levels copies of the
    /// bottom segments.
    static func segmentLattice(width: Int, levels: Int) -> String {
        let top = (0..<width).map { "l\(levels)_\($0)" }.joined(separator: ", ")
        var yaml = flag("default: false\nrules:\n  - when: { segments: [\(top)] }\n    serve: true") + "segments:\n"
        for index in 0..<width { yaml += "  l0_\(index):\n    when: { groups: [g\(index)] }\n" }
        for level in 1...levels {
            let below = (0..<width).map { "l\(level - 1)_\($0)" }.joined(separator: ", ")
            for index in 0..<width { yaml += "  l\(level)_\(index):\n    when: { segments: [\(below)], groups: [g\(level)_\(index)] }\n" }
        }
        return yaml
    }

    /// When the whole lowered tree of `files` is too large, one error at the largest segment reference of the
    /// flag that lowers largest; the segments have no cycle.
    static func check(_ files: [SourceFile], _ expansion: inout SegmentExpansion) -> [Diagnostic] {
        var total = 0
        var largest: (flag: SourceFlag, size: Int)?
        for file in files {
            for flag in file.flags {
                let size = flag.rules.reduce(0) { $0 + expansion.size(of: $1.conditions) }
                total += size
                if size > largest?.size ?? -1 { largest = (flag, size) }
            }
        }
        guard total > maximumLoweredBytes, let (flag, flagSize) = largest else { return [] }
        let biggest = flag.rules.flatMap { SegmentExpansion.references(in: $0.conditions) }.max { expansion.size(ofSegment: $0.value) < expansion.size(ofSegment: $1.value) }
        let cause = biggest.map { " (segment '\($0.value)' alone inlines to about \(megabytes(expansion.size(ofSegment: $0.value))))" } ?? ""
        return [Diagnostic(
            .snapshotSize, file: flag.file, at: biggest?.location ?? flag.key.location,
            "the snapshot would hold about \(megabytes(total)) of conditions once segments are inlined, more than the limit of \(megabytes(maximumLoweredBytes)); flag '\(flag.key.value)' alone needs \(megabytes(flagSize))\(cause). Segments are copied into every rule that references them: reference fewer segments, or segments that do not reference each other"
        )]
    }

    /// `1.2 GB`, `340 MB`, `12 KB`, for messages.
    static func megabytes(_ bytes: Int) -> String {
        if bytes == Int.max || bytes >= 1 << 60 { return "more than an exabyte" }
        if bytes >= 1_000_000_000 { return "\(bytes / 100_000_000 / 10).\(bytes / 100_000_000 % 10) GB" }
        if bytes >= 1_000_000 { return "\(bytes / 1_000_000) MB" }
        return "\(max(1, bytes / 1000)) KB"
    }
}
