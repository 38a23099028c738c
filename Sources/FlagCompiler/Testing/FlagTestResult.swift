import FlagRuntime

/// What `flagc test` found: one result per evaluated case (per environment), and the coverage of the flags.
package struct FlagTestReport: Sendable {
    /// The results, in file order, then case order, then environment order.
    package var results: [FlagTestResult]
    /// Which rules the cases made decisive and which variants they produced, flag by flag.
    package var coverage: FlagTestCoverage
    /// The test files run, in path order.
    package var files: [String]

    /// The number of failed results.
    package var failureCount: Int { results.count { !$0.passed } }
}

/// One case evaluated in one environment.
package struct FlagTestResult: Sendable {
    /// The test file.
    package var file: String
    /// Where the case's entry starts.
    package var location: SourceLocation
    /// The case's name, with its matrix row substituted.
    package var name: String
    /// The flag evaluated.
    package var flag: String
    /// The environment evaluated in; nil when the project declares none.
    package var environment: String?
    /// The time evaluated at, in Unix seconds.
    package var at: Int64
    /// The matrix row's values; empty without a matrix.
    package var row: [FlagTestMatrixValue]
    /// What differed from the expectation; empty when the case passed.
    package var mismatches: [FlagTestMismatch]
    /// For a failure, why the flag evaluated as it did (`flagc eval --explain`'s lines, or a distribution's counts).
    package var explanation: [String]

    /// Whether the result met every expectation.
    package var passed: Bool { mismatches.isEmpty }

    /// The name with the environment and the row, as reports show it: `green everywhere [country=BR] (production)`.
    package var title: String {
        var title = name
        if !row.isEmpty { title += " [" + row.map { "\($0.name)=\($0.value)" }.joined(separator: ", ") + "]" }
        if let environment { title += " (\(environment))" }
        return title
    }

    /// One line describing the failure: `variant: expected green, got blue; rule: expected 1, got none`.
    package var failureMessage: String {
        mismatches.map { "\($0.field): expected \($0.expected), got \($0.actual)" }.joined(separator: "; ")
    }
}

/// One expectation a result did not meet.
package struct FlagTestMismatch: Sendable, Hashable {
    /// `value`, `variant`, `reason`, `rule`, `error`, or `share of 'blue'` for a distribution.
    package var field: String
    /// What the case expected, as text.
    package var expected: String
    /// What came out, as text.
    package var actual: String
}

/// Which rules no case made decisive and which variants no case produced.
package struct FlagTestCoverage: Sendable {
    /// Every flag of the snapshot, in key order.
    package var flags: [Flag]

    /// One flag's coverage.
    package struct Flag: Sendable {
        /// The flag key.
        package var key: String
        /// The flag's rules, as `1` or `1 (pilot tenants)`, with whether a case made each decisive.
        package var rules: [(label: String, covered: Bool)]
        /// The flag's variants, with whether a case produced each.
        package var variants: [(name: String, covered: Bool)]
        /// Whether any case evaluated the flag.
        package var tested: Bool
        /// Whether the flag's kill switch is off: no rule can decide and no variant be served, so its rules are
        /// not counted.
        package var disabled: Bool
    }

    /// The number of rules of every enabled flag.
    package var ruleCount: Int { flags.reduce(0) { $0 + ($1.disabled ? 0 : $1.rules.count) } }
    /// The number of rules of enabled flags that some case made decisive.
    package var coveredRuleCount: Int { flags.reduce(0) { $0 + ($1.disabled ? 0 : $1.rules.count(where: \.covered)) } }
    /// The share of rules covered, in percent (100 when no flag has a rule).
    package var ruleShare: Double { ruleCount == 0 ? 100 : Double(coveredRuleCount) * 100 / Double(ruleCount) }
}
