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
    /// The files the change being checked touched, when known (`validate --base`).
    private let changedFiles: Set<String>?

    /// Room for `count` flags, so that 100,000 of them do not rehash the table as it grows.
    init(reservingCapacity count: Int, changedFiles: Set<String>? = nil) {
        firstDefinitions.reserveCapacity(count)
        self.changedFiles = changedFiles
    }

    /// Reports `flag` when its key was defined before; otherwise remembers where it is defined. The error goes
    /// on the later definition, unless only the first one's file was touched by the change being checked: then
    /// on that one, where the pull request can fix it.
    mutating func check(_ flag: SourceFlag, into diagnostics: inout DiagnosticCollector) {
        if let first = firstDefinitions[flag.key.value] {
            if let changedFiles, changedFiles.contains(first.file), !changedFiles.contains(flag.file) {
                diagnostics.add(Diagnostic(
                    .duplicateFlag, file: first.file, at: first.location,
                    "flag '\(flag.key.value)' is also defined in \(flag.file):\(flag.key.location.line), which this change did not touch; rename this one or remove one of them",
                    related: [Diagnostic.Related(file: flag.file, location: flag.key.location, message: "the other definition")]
                ))
                return
            }
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
