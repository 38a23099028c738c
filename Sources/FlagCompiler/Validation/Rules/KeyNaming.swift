/// `key-naming`: flag keys follow the project's naming convention (`naming` in flagc.yaml).
enum KeyNaming: ProjectRule {
    static let description = RuleDescription(
        id: .keyNaming, summary: "Flag keys follow the naming convention ({module}.{feature}[.{action}]).",
        checkedIn: ["Validation/Rules/KeyNaming.swift"],
        triggering: one(flag("default: false", key: "Demo-Feature")),
        nonTriggering: one(flag("default: false", key: "demo.feature.enabled"))
    )

    /// Reports `flag` when its key does not match the convention.
    static func check(_ flag: SourceFlag, config: ProjectConfig, into diagnostics: inout DiagnosticCollector) {
        let key = flag.key.value
        guard !config.keyFollowsConvention(key) else { return }
        diagnostics.add(Diagnostic(
            .keyNaming, file: flag.file, at: flag.key.location,
            "flag key '\(key)' does not follow the naming convention \(config.namingPattern); name it like '\(config.namingExample)'"
        ))
    }
}
