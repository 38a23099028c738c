/// `duplicate-flag`: each flag key is defined once across all files.
struct DuplicateFlag: ProjectRule {
    static let description = RuleDescription(
        id: .duplicateFlag, summary: "Each flag is defined once across all files.",
        checkedIn: ["Validation/Rules/DuplicateFlag.swift"],
        triggering: ["flags/a.yaml": .text(flag("default: false")), "flags/b.yaml": .text(flag("default: true"))],
        nonTriggering: ["flags/a.yaml": .text(flag("default: false")), "flags/b.yaml": .text(flag("default: true", key: "demo.other"))]
    )

    /// Only where each key was first defined: storing whole flags copied every one of them.
    private var firstDefinitions: [String: (file: String, location: SourceLocation)] = [:]

    /// Room for `count` flags, so that 100,000 of them do not rehash the table as it grows.
    init(reservingCapacity count: Int) {
        firstDefinitions.reserveCapacity(count)
    }

    /// Reports `flag` when its key was defined before; otherwise remembers where it is defined.
    mutating func check(_ flag: SourceFlag, into diagnostics: inout DiagnosticCollector) {
        if let first = firstDefinitions[flag.key.value] {
            diagnostics.add(Diagnostic(
                .duplicateFlag, file: flag.file, at: flag.key.location,
                "flag '\(flag.key.value)' is already defined in \(first.file):\(first.location.line); remove or rename one",
                related: [Diagnostic.Related(file: first.file, location: first.location, message: "first defined here")]
            ))
        } else {
            firstDefinitions[flag.key.value] = (flag.file, flag.key.location)
        }
    }
}
