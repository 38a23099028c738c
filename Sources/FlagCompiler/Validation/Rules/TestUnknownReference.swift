import FlagRuntime

/// `test-unknown-reference`: a test case names only flags, variants, rules (by a name only one rule has) and
/// environments that exist, expects only values of the flag's type, and uses only `${name}` placeholders its
/// matrix defines. A case that expects `error: FLAG_NOT_FOUND` may name a flag
/// that does not exist: that is what it checks.
enum TestUnknownReference: ProjectRule {
    static let description = RuleDescription(
        id: .testUnknownReference, summary: "Test cases name existing flags, variants, rule names and environments, and placeholders their matrix defines.",
        checkedIn: ["Validation/Rules/TestUnknownReference.swift"],
        triggering: [
            "flags/demo.yaml": .text(flag("default: false\nrules:\n  - name: pilot\n    when: { tenants: [acme] }\n    serve: true")),
            "flags/demo.test.yaml": "tests:\n  - name: the pilot tenant gets it\n    flag: demo.feature\n    context: { tenant: acme }\n    expect: { rule: pilots }\n",
        ],
        nonTriggering: [
            "flags/demo.yaml": .text(flag("default: false\nrules:\n  - name: pilot\n    when: { tenants: [acme] }\n    serve: true")),
            "flags/demo.test.yaml": "tests:\n  - name: the pilot tenant gets it\n    flag: demo.feature\n    context: { tenant: acme }\n    expect: { rule: pilot, value: true }\n",
        ]
    )

    /// A `${name}` that the entry's matrix does not define (reported while decoding the test file).
    static func unknownPlaceholder(_ name: String, in file: String, at location: SourceLocation, matrix names: [String]) -> Diagnostic {
        let defined = names.isEmpty ? "the test has no 'matrix'" : "the matrix defines \(names.joined(separator: ", "))"
        return Diagnostic(.testUnknownReference, file: file, at: location, "'${\(name)}' names no matrix entry\(Suggestions.didYouMean(name, in: names)); \(defined)")
    }

    /// What is wrong with an expected `value` for a flag of `type` (`a string`), or nil when the flag can serve it.
    static func valueProblem(_ value: JSONValue, for type: FlagValueType) -> String? {
        switch (type, value) {
        case (_, .null), (.boolean, .bool), (.string, .string), (.integer, .integer), (.number, .integer), (.number, .double), (.object, .object):
            return nil
        case (.integer, .double(let number)) where number == number.rounded():
            return nil
        default:
            return "\(ContextJSON.kind(of: value))"
        }
    }

    /// Reports every case of `tests` that names a flag, variant, rule or environment the project does not have.
    static func check(_ tests: [FlagTestFile], flags: [SourceFlag], config: ProjectConfig, into diagnostics: inout DiagnosticCollector) {
        var byKey: [String: SourceFlag] = [:]
        for flag in flags where byKey[flag.key.value] == nil { byKey[flag.key.value] = flag }
        for file in tests {
            for testCase in file.cases {
                func report(_ location: SourceLocation, _ message: String) {
                    diagnostics.add(Diagnostic(.testUnknownReference, file: file.path, at: location, message))
                }
                if let environment = testCase.environment, !config.environments.isEmpty, !config.environments.contains(environment.value) {
                    report(environment.location, "environment '\(environment.value)' is not declared in flagc.yaml\(Suggestions.didYouMean(environment.value, in: config.environments)); the environments are \(config.environments.joined(separator: ", "))")
                }
                guard let flag = byKey[testCase.flag.value] else {
                    // A case may pin that a removed flag is not found (services then get their default).
                    if testCase.expectation?.error?.value == .flagNotFound { continue }
                    report(testCase.flag.location, "no flag '\(testCase.flag.value)'\(Suggestions.didYouMean(testCase.flag.value, in: byKey.keys.sorted())); name a flag defined in the flag files")
                    continue
                }
                let variants = flag.variants.map(\.name)
                func checkVariant(_ name: Located<String>) {
                    guard !variants.contains(name.value) else { return }
                    report(name.location, "flag '\(flag.key.value)' has no variant '\(name.value)'\(Suggestions.didYouMean(name.value, in: variants)); its variants are \(variants.joined(separator: ", "))")
                }
                if let variant = testCase.expectation?.variant { checkVariant(variant) }
                if let value = testCase.expectation?.value, let problem = valueProblem(value.value, for: flag.type) {
                    report(value.location, "flag '\(flag.key.value)' is \(flag.type == .integer ? "an" : "a") \(flag.type.rawValue) flag, so it never serves \(problem); expect a \(flag.type.rawValue) value (or null for the caller's default)")
                }
                for share in testCase.distribution?.shares ?? [] { checkVariant(share.variant) }
                guard let rule = testCase.expectation?.rule else { continue }
                switch rule.value {
                case .name(let name):
                    let names = flag.rules.compactMap(\.name)
                    if names.filter({ $0 == name }).count > 1 {
                        report(rule.location, "flag '\(flag.key.value)' has several rules named '\(name)'; write the rule's position from 1 instead")
                    } else if !names.contains(name) {
                        let known = names.isEmpty ? "its rules have no names; give the rule a 'name' or write its position from 1" : "its named rules are \(names.map { "'\($0)'" }.joined(separator: ", "))"
                        report(rule.location, "flag '\(flag.key.value)' has no rule named '\(name)'\(Suggestions.didYouMean(name, in: names)); \(known)")
                    }
                case .position(let position):
                    if position > flag.rules.count {
                        report(rule.location, "flag '\(flag.key.value)' has \(flag.rules.count) rule\(flag.rules.count == 1 ? "" : "s"), so it has no rule \(position); positions count from 1")
                    }
                }
            }
        }
    }
}
