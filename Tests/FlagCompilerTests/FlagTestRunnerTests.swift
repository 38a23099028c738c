@testable import FlagCompiler
import FlagRuntime
import Testing

/// Test files: decoding (matrices, placeholders, structure), references checked by `validate`, and the runner's
/// results for every `expect` field, distributions, time windows and environments.
@Suite struct FlagTestRunnerTests {
    static let config = "environments: [staging, production]\n"

    static let flags = """
        flags:
          demo.invoice:
            description: Automatic invoices
            owner: team-demo
            default: false
            rules:
              - name: pilot tenants
                when: { tenants: [acme] }
                until: 2026-12-31T23:59:59Z
                serve: true
              - when: { environments: [staging] }
                serve: true
              - rollout: 10
          demo.colour:
            description: Button colour experiment
            owner: team-demo
            variants: { blue: "#00f", green: "#0f0", red: "#f00" }
            default: blue
            rules:
              - name: staff
                when: { groups: [staff] }
                serve: green
              - name: experiment
                when: { attributes: { plan: [pro] } }
                split: { blue: 50, green: 25, red: 25 }
              - name: per tenant
                when: { attributes: { plan: [team] } }
                split: { blue: 50, red: 50 }
                bucket_by: tenant
          demo.limit:
            description: Request limit
            owner: team-demo
            variants: { low: 10, high: 1000 }
            default: low
          demo.off:
            description: Switched off
            owner: team-demo
            enabled: false
            default: false

        """

    /// Compiles `flags` with `tests` as `flags/demo.test.yaml` and runs every case.
    static func run(_ tests: String, now: String = "2026-06-01T00:00:00Z", environment: String? = nil, filter: String? = nil) throws -> (FlagCompiler.Result, FlagTestReport?) {
        let project = try TemporaryProject(["flags/flagc.yaml": config, "flags/demo.yaml": flags, "flags/demo.test.yaml": tests])
        let result = try project.compile(now: now)
        guard let snapshot = result.snapshot else { return (result, nil) }
        let runner = FlagTestRunner(snapshot: snapshot, environments: result.config.environments, now: Timestamp.parseDateTime(now), filter: filter, environment: environment)
        return (result, try runner.run(result.tests))
    }

    /// One case: its body (indented under `- `), and the mismatching fields of every result (empty: it passes).
    struct Case: CustomTestStringConvertible, Sendable {
        var label: String
        var body: String
        var failing: Set<String>
        var testDescription: String { label }
    }

    static let expectCases: [Case] = [
        Case(label: "value passes", body: "flag: demo.invoice\nenv: production\nat: 2026-12-01T00:00:00Z\ncontext: { targetingKey: u-1, tenant: acme }\nexpect: { value: true }", failing: []),
        Case(label: "value fails", body: "flag: demo.invoice\nenv: production\nat: 2026-12-01T00:00:00Z\ncontext: { targetingKey: u-1, tenant: acme }\nexpect: { value: false }", failing: ["value"]),
        Case(label: "integer value passes", body: "flag: demo.limit\nenv: production\nexpect: { value: 10 }", failing: []),
        Case(label: "variant passes", body: "flag: demo.colour\nenv: production\ncontext: { targetingKey: u-1, groups: [staff] }\nexpect: { variant: green }", failing: []),
        Case(label: "variant fails", body: "flag: demo.colour\nenv: production\ncontext: { targetingKey: u-1, groups: [staff] }\nexpect: { variant: red }", failing: ["variant"]),
        Case(label: "reason passes", body: "flag: demo.colour\nenv: production\ncontext: { targetingKey: u-1 }\nexpect: { reason: DEFAULT }", failing: []),
        Case(label: "reason fails", body: "flag: demo.colour\nenv: production\ncontext: { targetingKey: u-1 }\nexpect: { reason: TARGETING_MATCH }", failing: ["reason"]),
        Case(label: "rule by name passes", body: "flag: demo.colour\nenv: production\ncontext: { groups: [staff] }\nexpect: { rule: staff }", failing: []),
        Case(label: "rule by name fails", body: "flag: demo.colour\nenv: production\ncontext: { targetingKey: u-1, plan: pro }\nexpect: { rule: staff }", failing: ["rule"]),
        Case(label: "rule by position passes", body: "flag: demo.colour\nenv: production\ncontext: { targetingKey: u-1, plan: pro }\nexpect: { rule: 2 }", failing: []),
        Case(label: "rule by position fails", body: "flag: demo.colour\nenv: production\ncontext: { targetingKey: u-1 }\nexpect: { rule: 1 }", failing: ["rule"]),
        Case(label: "error passes", body: "flag: demo.removed\nenv: production\nexpect: { error: FLAG_NOT_FOUND, reason: ERROR }", failing: []),
        Case(label: "error fails", body: "flag: demo.invoice\nenv: production\nexpect: { error: FLAG_NOT_FOUND }", failing: ["error"]),
        Case(label: "disabled flag", body: "flag: demo.off\nenv: production\nexpect: { reason: DISABLED, value: null }", failing: []),
        Case(label: "several fields fail together", body: "flag: demo.colour\nenv: production\ncontext: { targetingKey: u-1 }\nexpect: { variant: green, reason: TARGETING_MATCH, rule: staff, value: \"#0f0\" }", failing: ["variant", "reason", "rule", "value"]),
    ]

    @Test(arguments: expectCases)
    func expectField(_ testCase: Case) throws {
        let body = testCase.body.split(separator: "\n").map { "    \($0)" }.joined(separator: "\n")
        let (result, compiled) = try Self.run("tests:\n  - name: \(testCase.label)\n\(body)\n")
        let report = try #require(compiled, "\(result.diagnostics)")
        try #require(report.results.count == 1)
        let outcome = report.results[0]
        #expect(Set(outcome.mismatches.map(\.field)) == testCase.failing)
        #expect(outcome.explanation.isEmpty == outcome.passed)
        #expect(outcome.location == SourceLocation(line: 2, column: 5))
    }

    @Test func failureShowsExpectedActualAndExplanation() throws {
        let (_, report) = try Self.run("""
            tests:
              - name: staff see green
                flag: demo.colour
                env: production
                context: { targetingKey: u-1, plan: free }
                expect: { variant: green, rule: staff }

            """)
        let outcome = try #require(report?.results.first)
        #expect(outcome.mismatches == [
            FlagTestMismatch(field: "variant", expected: "green", actual: "blue"),
            FlagTestMismatch(field: "rule", expected: "'staff'", actual: "none"),
        ])
        #expect(outcome.explanation.first?.hasPrefix("rule 1 (staff): no match") == true)
        #expect(outcome.explanation.count == 3)
    }

    // MARK: Matrices

    @Test func matrixExpandsToTheCartesianProductWithSubstitution() throws {
        let (_, report) = try Self.run("""
            tests:
              - name: ${plan} in ${country} gets ${colour}
                flag: demo.colour
                env: production
                matrix: { country: [BR, PT], plan: [free, enterprise], colour: [blue] }
                context: { targetingKey: u-7, country: "${country}", plan: "${plan}", seats: "${n}" }
                expect: { variant: "${colour}" }

            """)
        #expect(report == nil)
        let (passing, passingReport) = try Self.run("""
            tests:
              - name: ${plan} in ${country} gets ${colour}
                flag: demo.colour
                env: production
                matrix: { country: [BR, PT], plan: [free, enterprise], colour: [blue, green] }
                context: { targetingKey: u-7, country: "${country}", plan: "${plan}" }
                expect: { variant: "${colour}" }

            """)
        let results = try #require(passingReport, "\(passing.diagnostics)").results
        #expect(results.map(\.name) == [
            "free in BR gets blue", "free in BR gets green", "enterprise in BR gets blue", "enterprise in BR gets green",
            "free in PT gets blue", "free in PT gets green", "enterprise in PT gets blue", "enterprise in PT gets green",
        ])
        #expect(results[1].row == [FlagTestMatrixValue(name: "country", value: "BR"), FlagTestMatrixValue(name: "plan", value: "free"), FlagTestMatrixValue(name: "colour", value: "green")])
        #expect(results.map(\.passed) == [true, false, true, false, true, false, true, false])
    }

    @Test func aWholePlaceholderKeepsTheValueType() throws {
        let (result, report) = try Self.run("""
            tests:
              - name: limit ${limit}
                flag: demo.limit
                env: production
                matrix: { limit: [10] }
                expect: { value: "${limit}" }

            """)
        #expect(try #require(report, "\(result.diagnostics)").results.map(\.passed) == [true])
    }

    // MARK: Distributions

    @Test func distributionWithinTolerancePasses() throws {
        let (result, report) = try Self.run("""
            tests:
              - name: half blue
                flag: demo.colour
                env: production
                context: { plan: pro }
                distribution: { samples: 20000, expect: { blue: 50, green: 25, red: 25 }, tolerance: 1.5 }

            """)
        let outcome = try #require(report?.results.first, "\(result.diagnostics)")
        #expect(outcome.passed, "\(outcome.mismatches) \(outcome.explanation)")
    }

    @Test func distributionOutsideToleranceFailsWithTheCounts() throws {
        let (_, report) = try Self.run("""
            tests:
              - name: a third each
                flag: demo.colour
                env: production
                context: { plan: pro }
                distribution: { samples: 5000, expect: { blue: 33, green: 33, red: 34 }, tolerance: 1 }

            """)
        let outcome = try #require(report?.results.first)
        #expect(Set(outcome.mismatches.map(\.field)) == ["share of 'blue'", "share of 'green'", "share of 'red'"])
        #expect(outcome.explanation.count == 4)
        #expect(outcome.explanation.first == "5000 generated keys (sample-0 … sample-4999) in 'targetingKey'")
    }

    @Test func distributionByAnotherAttributeAndUnlistedVariants() throws {
        let (_, report) = try Self.run("""
            tests:
              - name: tenants split blue and red
                flag: demo.colour
                env: production
                context: { targetingKey: same-user, plan: team }
                distribution: { samples: 4000, expect: { blue: 50, red: 50 }, tolerance: 3, bucket_by: tenant, seed: tenant }
              - name: a constant key does not spread
                flag: demo.colour
                env: production
                context: { targetingKey: same-user, plan: team, tenant: acme }
                distribution: { samples: 100, expect: { blue: 50 }, tolerance: 3 }

            """)
        let results = try #require(report?.results)
        #expect(results[0].passed, "\(results[0].mismatches)")
        // One tenant: every sample lands in the same bucket.
        #expect(!results[1].passed)
    }

    // MARK: Time windows and environments

    @Test(arguments: [
        ("2026-12-31T23:59:58Z", "pilot tenants"),
        ("2026-12-31T23:59:59Z", "none"),
    ])
    func windowBoundaries(_ at: String, _ rule: String) throws {
        let (_, report) = try Self.run("""
            tests:
              - name: the pilot ends at its until
                flag: demo.invoice
                env: production
                at: \(at)
                context: { targetingKey: u-1, tenant: acme }
                expect: { rule: pilot tenants }

            """)
        let outcome = try #require(report?.results.first)
        #expect(outcome.passed == (rule == "pilot tenants"))
        #expect(outcome.at == Timestamp.parseDateTime(at))
    }

    @Test func caseWithoutAtUsesNow() throws {
        let body = "tests:\n  - name: pilot\n    flag: demo.invoice\n    env: production\n    context: { targetingKey: u-1, tenant: acme }\n    expect: { rule: 1 }\n"
        #expect(try Self.run(body, now: "2026-06-01T00:00:00Z").1?.results.map(\.passed) == [true])
        #expect(try Self.run(body, now: "2027-01-01T00:00:00Z").1?.results.map(\.passed) == [false])
    }

    @Test func caseWithoutEnvRunsInEveryEnvironment() throws {
        let tests = "tests:\n  - name: staging serves everyone\n    flag: demo.invoice\n    context: { targetingKey: nobody-in-the-rollout-0 }\n    expect: { rule: 2 }\n"
        let report = try #require(try Self.run(tests).1)
        #expect(report.results.map(\.environment) == ["staging", "production"])
        #expect(report.results.map(\.passed) == [true, false])
        let onlyStaging = try #require(try Self.run(tests, environment: "staging").1)
        #expect(onlyStaging.results.map(\.environment) == ["staging"])
    }

    @Test func withoutConfiguredEnvironmentsACaseRunsOnceWithoutOne() throws {
        let project = try TemporaryProject([
            "flags/demo.yaml": Self.flags,
            "flags/demo.test.yaml": "tests:\n  - name: limit\n    flag: demo.limit\n    expect: { value: 10, reason: STATIC }\n",
        ])
        let result = try project.compile()
        let snapshot = try #require(result.snapshot, "\(result.diagnostics)")
        let report = try FlagTestRunner(snapshot: snapshot, environments: result.config.environments).run(result.tests)
        #expect(report.results.map(\.environment) == [nil])
        #expect(report.results.map(\.passed) == [true])
    }

    @Test func filterKeepsCasesByNameOrFlag() throws {
        let tests = "tests:\n  - name: alpha\n    flag: demo.limit\n    env: production\n    expect: { value: 10 }\n  - name: beta\n    flag: demo.off\n    env: production\n    expect: { reason: DISABLED }\n"
        #expect(try Self.run(tests, filter: "alp").1?.results.map(\.name) == ["alpha"])
        #expect(try Self.run(tests, filter: "demo.off").1?.results.map(\.name) == ["beta"])
    }

    // MARK: Coverage

    @Test func coverageListsRulesNeverDecisiveAndVariantsNeverProduced() throws {
        let (_, report) = try Self.run("tests:\n  - name: staff\n    flag: demo.colour\n    env: production\n    context: { groups: [staff] }\n    expect: { variant: green }\n")
        let coverage = try #require(report?.coverage)
        let colour = try #require(coverage.flags.first { $0.key == "demo.colour" })
        #expect(colour.rules.map(\.covered) == [true, false, false])
        #expect(colour.variants.filter { !$0.covered }.map(\.name) == ["blue", "red"])
        #expect(coverage.ruleCount == 6)
        #expect(coverage.coveredRuleCount == 1)
        #expect(try #require(coverage.flags.first { $0.key == "demo.limit" }).tested == false)
    }

    // MARK: Diagnostics

    @Test(arguments: [
        ("flag: demo.colr\n    expect: { variant: blue }", 3, 11, "no flag 'demo.colr'; did you mean 'demo.colour'?"),
        ("flag: demo.colour\n    expect: { variant: purple }", 4, 24, "flag 'demo.colour' has no variant 'purple'"),
        ("flag: demo.colour\n    expect: { rule: stuff }", 4, 21, "flag 'demo.colour' has no rule named 'stuff'; did you mean 'staff'?"),
        ("flag: demo.colour\n    expect: { rule: 4 }", 4, 21, "flag 'demo.colour' has 3 rules, so it has no rule 4"),
        ("flag: demo.colour\n    env: prod\n    expect: { rule: 1 }", 4, 10, "environment 'prod' is not declared in flagc.yaml"),
        ("flag: demo.colour\n    distribution: { samples: 10, expect: { bleu: 100 } }", 4, 44, "flag 'demo.colour' has no variant 'bleu'"),
        ("flag: demo.colour\n    context: { plan: \"${plan}\" }\n    expect: { rule: 1 }", 4, 22, "'${plan}' names no matrix entry; the test has no 'matrix'"),
        ("flag: demo.invoice\n    expect: { value: \"false\" }", 4, 22, "flag 'demo.invoice' is a boolean flag, so it never serves a string"),
        ("flag: demo.limit\n    expect: { value: 1.5 }", 4, 22, "flag 'demo.limit' is an integer flag, so it never serves a number"),
    ])
    func unknownReferencesAreDiagnosticsAtTheirLine(_ body: String, _ line: Int, _ column: Int, _ message: String) throws {
        let (result, report) = try Self.run("tests:\n  - name: a case\n    \(body)\n")
        #expect(report == nil, "an error blocks the run")
        let diagnostic = try #require(result.diagnostics.first, "no diagnostic")
        #expect(result.diagnostics.count == 1, "\(result.diagnostics)")
        #expect(diagnostic.rule == .testUnknownReference)
        #expect(diagnostic.file == "flags/demo.test.yaml")
        #expect(diagnostic.location == SourceLocation(line: line, column: column), "\(diagnostic)")
        #expect(diagnostic.message.hasPrefix(message), "\(diagnostic.message)")
    }

    @Test(arguments: [
        ("tests:\n  - name: x\n    flag: demo.colour\n    expct: { rule: 1 }\n    expect: { rule: 1 }\n", RuleID.unknownField, 4, 5),
        ("tests:\n  - name: x\n    flag: demo.colour\n", RuleID.missingField, 2, 5),
        ("tests:\n  - flag: demo.colour\n    expect: { rule: 1 }\n", RuleID.missingField, 2, 5),
        ("tests:\n  - name: x\n    flag: demo.colour\n    expect: { reason: MATCHED }\n", RuleID.wrongType, 4, 23),
        ("tests:\n  - name: x\n    flag: demo.colour\n    expect: { rule: 0 }\n", RuleID.wrongType, 4, 21),
        ("tests:\n  - name: x\n    flag: demo.colour\n    expect: { error: MISSING }\n", RuleID.wrongType, 4, 22),
        ("tests:\n  - name: x\n    flag: demo.colour\n    at: 2026-12-01\n    expect: { rule: 1 }\n", RuleID.invalidTimestamp, 4, 9),
        ("tests:\n  - name: x\n    flag: demo.colour\n    context: { groups: { a: 1 } }\n    expect: { rule: 1 }\n", RuleID.wrongType, 4, 24),
        ("tests:\n  - name: x\n    flag: demo.colour\n    context: { environment: staging }\n    expect: { rule: 1 }\n", RuleID.wrongType, 4, 29),
        ("tests:\n  - name: x\n    flag: demo.colour\n    expect: { rule: 1 }\n    distribution: { samples: 10, expect: { blue: 100 } }\n", RuleID.wrongType, 5, 5),
        ("tests:\n  - name: x\n    flag: demo.colour\n    distribution: { samples: 0, expect: { blue: 100 } }\n", RuleID.wrongType, 4, 30),
        ("tests:\n  - name: x\n    flag: demo.colour\n    matrix: { plan: [] }\n    expect: { rule: 1 }\n", RuleID.emptyList, 4, 21),
        ("tests: { name: x }\n", RuleID.wrongType, 1, 8),
        ("tests:\n  - name: x\n    flag: demo.colour\n    distribution: { samples: 10, expect: { blue: 100 }, tolerance: -1 }\n", RuleID.wrongType, 4, 68),
        ("tests:\n  - name: x\n    flag: demo.colour\n    expect: {}\n", RuleID.missingField, 4, 13),
        ("tests: []\n", RuleID.emptyList, 1, 8),
        ("tests:\n  - name: x\n    flag: demo.colour\n    expect: { rule: 1 }\n  - name: [x\n", RuleID.yamlSyntax, 6, 1),
    ])
    func structuralProblemsReuseTheFlagFileRules(_ text: String, _ rule: RuleID, _ line: Int, _ column: Int) throws {
        let (result, report) = try Self.run(text)
        #expect(report == nil)
        let diagnostic = try #require(result.diagnostics.first { $0.rule == rule }, "\(result.diagnostics)")
        #expect(diagnostic.location == SourceLocation(line: line, column: column), "\(diagnostic)")
    }

    @Test func aMatrixBeyondTheLimitIsRefused() throws {
        let values = (0..<400).map { "v\($0)" }.joined(separator: ", ")
        let (result, report) = try Self.run("tests:\n  - name: x\n    flag: demo.colour\n    matrix: { a: [\(values)], b: [\(values)] }\n    expect: { rule: 1 }\n")
        #expect(report == nil)
        let diagnostic = try #require(result.diagnostics.first, "\(result.diagnostics)")
        #expect(diagnostic.rule == .inputLimit)
        #expect(diagnostic.location == SourceLocation(line: 4, column: 13))
        #expect(diagnostic.message == "the matrix expands to more than 100000 cases; split the tests over several files")
    }

    @Test func aRuleNameTwoRulesShareIsAmbiguous() throws {
        let project = try TemporaryProject([
            "flags/demo.yaml": "flags:\n  demo.vip:\n    description: V\n    owner: o\n    default: false\n    rules:\n      - name: vip\n        when: { tenants: [acme] }\n        serve: true\n      - name: vip\n        when: { tenants: [globex] }\n        serve: true\n",
            "flags/demo.test.yaml": "tests:\n  - name: x\n    flag: demo.vip\n    context: { tenant: globex }\n    expect: { rule: vip }\n",
        ])
        let result = try project.compile()
        #expect(result.diagnostics.contains { $0.rule == .testUnknownReference && $0.message.contains("several rules named 'vip'") }, "\(result.diagnostics)")
    }

    @Test func manyEntriesAndManySamplesAreBounded() throws {
        let values = (0..<100).map { "v\($0)" }.joined(separator: ", ")
        let entry = "  - name: x\n    flag: demo.colour\n    matrix: { a: [\(values)], b: [\(values)] }\n    expect: { rule: 1 }\n"
        let (many, _) = try Self.run("tests:\n" + String(repeating: entry, count: 11))
        #expect(many.diagnostics.first { $0.rule == .inputLimit }?.message.hasPrefix("with the tests before it, the file expands to more than 100000 cases") == true, "\(many.diagnostics)")
        let sampled = "tests:\n  - name: x\n    flag: demo.colour\n    matrix: { a: [\(values)] }\n    distribution: { samples: 1000000, expect: { blue: 100 } }\n"
        let (tooMany, _) = try Self.run(sampled)
        #expect(tooMany.diagnostics.first?.rule == .inputLimit, "\(tooMany.diagnostics)")
    }

    @Test func namesAndObjectValuesAfterSubstitution() throws {
        let (result, report) = try Self.run("tests:\n  - name: \"${n}\"\n    flag: demo.limit\n    matrix: { n: [1, 2] }\n    expect: { value: 10.0 }\n")
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
        #expect(Set(report?.results.map(\.name) ?? []) == ["1", "2"], "a placeholder standing for a number becomes its text: \(String(describing: report?.results.map(\.name)))")
        #expect(report?.failureCount == 0, "an integer flag's 10 equals 10.0")
        #expect(FlagTestRunner.sameValue(["ratio": 1, "k": [2]], ["ratio": 1.0, "k": [2.0]]))
        #expect(!FlagTestRunner.sameValue(["ratio": 1], ["ratio": 1.5]))
        #expect(!FlagTestRunner.sameValue(["a": 1], ["a": 1, "b": 2]))
    }

    @Test func testFilesAreNeverReadAsFlagFiles() throws {
        let (result, _) = try Self.run("tests:\n  - name: x\n    flag: demo.limit\n    env: production\n    expect: { value: 10 }\n")
        #expect(result.files.map { $0.hasSuffix("demo.test.yaml") } == [false])
        #expect(result.testFiles.count == 1)
        #expect(result.diagnostics.isEmpty)
        #expect(FileDiscovery.isTestFileName("a.test.yml") && !FileDiscovery.isFlagFileName("a.test.yml") && FileDiscovery.isFlagFileName("a.yml"))
    }
}
