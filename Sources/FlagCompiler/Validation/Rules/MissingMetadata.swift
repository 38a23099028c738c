/// `missing-metadata`: every flag has the fields that flagc.yaml's `require` lists (description and owner by default).
enum MissingMetadata: ProjectRule {
    static let description = RuleDescription(
        id: .missingMetadata, summary: "Every flag has the fields flagc.yaml's require lists.",
        checkedIn: ["Validation/Rules/MissingMetadata.swift"],
        triggering: one("flags:\n  demo.feature:\n    default: false\n"),
        nonTriggering: ["flags/flagc.yaml": "require: []\n", "flags/demo.yaml": "flags:\n  demo.feature:\n    default: false\n"]
    )

    /// Reports each required field that `flag` lacks.
    static func check(_ flag: SourceFlag, config: ProjectConfig, into diagnostics: inout DiagnosticCollector) {
        for field in config.required where !flag.hasField(field) {
            let source = config.path.map { " (required by \($0))" } ?? " (required by default; set 'require' in flagc.yaml to change)"
            diagnostics.add(Diagnostic(.missingMetadata, file: flag.file, at: flag.key.location, "flag '\(flag.key.value)' has no '\(field)'; add it\(source)"))
        }
    }
}
