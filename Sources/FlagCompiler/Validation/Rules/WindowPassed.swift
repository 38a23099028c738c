import FlagRuntime

/// `window-passed` (warning): a rule whose `until` has passed can never match again.
enum WindowPassed: ProjectRule {
    static let description = RuleDescription(
        id: .windowPassed, summary: "A rule whose window has entirely passed is dead (warning).",
        checkedIn: ["Validation/Rules/WindowPassed.swift"],
        triggering: one(flag("default: false\nrules:\n  - until: 2026-01-01T00:00:00Z\n    serve: true")),
        nonTriggering: one(flag("default: false\nrules:\n  - until: 2027-01-01T00:00:00Z\n    serve: true"))
    )

    /// Reports `rule` of `flag` when its `until` is at or before `now` (Unix seconds).
    static func check(_ rule: SourceRule, of flag: SourceFlag, now: Int64, into diagnostics: inout DiagnosticCollector) {
        guard let until = rule.until, until.value <= now else { return }
        diagnostics.add(Diagnostic(
            .windowPassed, file: flag.file, at: until.location,
            "rule \(rule.index + 1) of '\(flag.key.value)' ended at \(Timestamp.format(until.value)) and can never match again; remove the rule"
        ))
    }
}
