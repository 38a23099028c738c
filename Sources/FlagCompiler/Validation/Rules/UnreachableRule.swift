/// `unreachable-rule` (warning): no rule follows one that always matches (no conditions, no window, serves a variant).
struct UnreachableRule: ProjectRule {
    static let description = RuleDescription(
        id: .unreachableRule, summary: "No rule follows one that always matches (warning).",
        checkedIn: ["Validation/Rules/UnreachableRule.swift"],
        triggering: one(flag("default: false\nrules:\n  - serve: true\n  - when: { users: [ada] }\n    serve: false")),
        nonTriggering: one(flag("default: false\nrules:\n  - when: { users: [ada] }\n    serve: false\n  - serve: true"))
    )

    /// The first rule of the flag that always matches, once one has been seen.
    private var catchAll: SourceRule?

    /// A check of one flag's rules: call `check(_:of:into:)` with each of them in order.
    init() {}

    /// Reports `rule` when an earlier rule of `flag` always matches; otherwise notes whether `rule` does.
    mutating func check(_ rule: SourceRule, of flag: SourceFlag, into diagnostics: inout DiagnosticCollector) {
        if let catchAll {
            diagnostics.add(Diagnostic(
                .unreachableRule, file: flag.file, at: rule.location,
                "rule \(rule.index + 1) of '\(flag.key.value)' can never match: the rule at line \(catchAll.location.line) has no conditions and always serves; move this rule above it or remove it",
                related: [Diagnostic.Related(file: flag.file, location: catchAll.location, message: "this rule always matches")]
            ))
        } else if rule.conditions.isEmpty, rule.from == nil, rule.until == nil, case .serve? = rule.outcome {
            catchAll = rule
        }
    }
}
