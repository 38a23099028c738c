/// `unknown-environment`: when flagc.yaml lists `environments`, conditions name only those.
enum UnknownEnvironment: ProjectRule {
    static let description = RuleDescription(
        id: .unknownEnvironment, summary: "Environment names are among flagc.yaml's environments, when it lists them.",
        checkedIn: ["Validation/Rules/UnknownEnvironment.swift"],
        triggering: ["flags/flagc.yaml": "environments: [development, staging, production]\n", "flags/demo.yaml": .text(flag("default: false\nrules:\n  - when: { environments: [prod] }\n    serve: true"))],
        nonTriggering: ["flags/flagc.yaml": "environments: [development, staging, production]\n", "flags/demo.yaml": .text(flag("default: false\nrules:\n  - when: { environments: [production] }\n    serve: true"))]
    )

    /// Reports each of `names` (an `environments` condition in `file`) that the config does not declare.
    static func check(_ names: [Located<String>], file: String, config: ProjectConfig, into diagnostics: inout DiagnosticCollector) {
        guard !config.environments.isEmpty else { return }
        for name in names where !config.environments.contains(name.value) {
            diagnostics.add(Diagnostic(
                .unknownEnvironment, file: file, at: name.location,
                "environment '\(name.value)' is not declared in flagc.yaml\(Suggestions.didYouMean(name.value, in: config.environments)); the environments are \(config.environments.joined(separator: ", "))"
            ))
        }
    }
}
