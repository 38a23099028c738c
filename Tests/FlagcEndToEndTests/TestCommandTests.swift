import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing

/// End-to-end tests of `flagc test`: test files beside flag files, every report format, coverage, diagnostics in
/// test files and usage errors, run through the built binary.
@Suite("flagc test")
struct TestCommandTests {
    static let flags = """
        flags:
          demo.colour:
            description: Button colour experiment
            owner: team-demo
            variants: { blue: "#00f", green: "#0f0", red: "#f00" }
            default: blue
            rules:
              - name: staff
                when: { groups: [staff] }
                serve: green
              - name: pilot
                when: { tenants: [acme] }
                until: 2026-12-31T23:59:59Z
                serve: red
              - split: { blue: 50, green: 50 }
          demo.debug:
            description: Debug tools
            owner: team-demo
            default: false
            rules:
              - when: { environments: [staging] }
                serve: true

        """

    static let passing = """
        tests:
          - name: staff see green
            flag: demo.colour
            env: production
            context: { targetingKey: u-1, groups: [staff] }
            expect: { variant: green, rule: staff }

          - name: the pilot still holds a second before its until
            flag: demo.colour
            env: production
            at: 2026-12-31T23:59:58Z
            context: { targetingKey: u-1, tenant: acme }
            expect: { variant: red, reason: TARGETING_MATCH, rule: 2 }

          - name: half and half
            flag: demo.colour
            env: production
            distribution: { samples: 10000, expect: { blue: 50, green: 50 }, tolerance: 2 }

          - name: debug tools only in staging
            flag: demo.debug
            env: staging
            expect: { value: true, rule: 1 }

        """

    static let failing = """
        tests:
          - name: red in ${country}
            flag: demo.colour
            env: production
            matrix: { country: [BR, PT] }
            context: { targetingKey: u-1, country: "${country}", groups: [customers] }
            expect: { variant: red }

          - name: a third each
            flag: demo.colour
            env: production
            distribution: { samples: 3000, expect: { blue: 33, green: 33, red: 34 }, tolerance: 1 }

        """

    /// A sandbox with the flags, `flags/flagc.yaml` and the given test file.
    static func sandbox(tests: String, _ body: (Sandbox) throws -> Void) throws {
        try withSandbox { sandbox in
            try sandbox.write([
                "flags/flagc.yaml": "environments: [staging, production]\n",
                "flags/demo.yaml": flags,
                "flags/demo.test.yaml": tests,
            ])
            try body(sandbox)
        }
    }

    @Test func passingTestsExitZeroWithASummary() throws {
        try Self.sandbox(tests: Self.passing) { sandbox in
            let run = try sandbox.flagc(["test", "flags"] + fixedNow)
            #expect(run.status == 0, "\(run)")
            #expect(run.stdoutLines == ["4 passed, 0 failed (4 results in 1 file)"])
            #expect(run.stderr.isEmpty)
        }
    }

    @Test func failuresShowWhereWhatAndWhy() throws {
        try Self.sandbox(tests: Self.failing) { sandbox in
            let run = try sandbox.flagc(["test", "flags"] + fixedNow)
            #expect(run.status == 1, "\(run)")
            let lines = run.stdoutLines
            #expect(lines.first == "flags/demo.test.yaml:2:5: fail: red in BR [country=BR] (production) (demo.colour at 2026-06-01T00:00:00Z)")
            #expect(lines.dropFirst().first == "  variant: expected red, got green")
            #expect(lines.contains("  why:"))
            #expect(lines.contains { $0.hasPrefix("    rule 1 (staff): no match") })
            #expect(lines.contains { $0.hasPrefix("flags/demo.test.yaml:9:5: fail: a third each (production)") })
            #expect(lines.contains("  share of 'red': expected 34% ± 1, got 0%"))
            #expect(lines.last?.hasSuffix("failed (3 results in 1 file)") == true)
        }
    }

    /// The whole report of a run with passing and failing cases, in every format.
    @Test(arguments: [("text", "report.txt"), ("json", "report.json"), ("github", "report.github.txt"), ("junit", "report.xml"), ("sarif", "report.sarif")])
    func everyFormatMatchesItsGoldenFile(_ format: String, _ fixture: String) throws {
        try Self.sandbox(tests: Self.failing + Self.passing.replacingOccurrences(of: "tests:\n", with: "")) { sandbox in
            let run = try sandbox.flagc(["test", "flags", "--format", format, "--coverage"] + fixedNow)
            #expect(run.status == 1)
            try expectGolden(run.stdout, fixture: "test/\(fixture)")
        }
    }

    @Test func filterSelectsCases() throws {
        try Self.sandbox(tests: Self.failing) { sandbox in
            let run = try sandbox.flagc(["test", "flags", "--filter", "in PT"] + fixedNow)
            #expect(run.stdoutLines.last?.hasSuffix("(1 result in 1 file)") == true, "\(run)")
            let none = try sandbox.flagc(["test", "flags", "--filter", "in Narnia"] + fixedNow)
            #expect(none.status == 1 && none.stderr.contains("matched no case"), "a filter with a typo must not pass: \(none)")
        }
    }

    @Test func githubAnnotationsAtTheFailingCases() throws {
        try Self.sandbox(tests: Self.failing) { sandbox in
            let run = try sandbox.flagc(["test", "flags", "--format", "github"] + fixedNow)
            #expect(run.status == 1)
            let errors = run.stdoutLines.filter { $0.hasPrefix("::error ") }
            #expect(errors.count >= 1)
            #expect(errors.contains { $0.hasPrefix("::error file=flags/demo.test.yaml,line=9,col=5,title=flagc test%3A a third each (production)::share of 'blue'") })
            #expect(run.stdoutLines.last?.hasPrefix("::notice title=flagc test::") == true)
        }
    }

    @Test func jsonIsOneStableDocument() throws {
        try Self.sandbox(tests: Self.failing) { sandbox in
            let run = try sandbox.flagc(["test", "flags", "--format", "json"] + fixedNow)
            #expect(run.status == 1)
            let again = try sandbox.flagc(["test", "flags", "--format", "json"] + fixedNow)
            #expect(run.stdout == again.stdout)
            let document = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
            #expect(document["version"] as? Int == 1)
            let results = try #require(document["results"] as? [[String: Any]])
            #expect(results.count == 3)
            #expect(results[0]["line"] as? Int == 2)
            #expect((results[0]["matrix"] as? [[String: String]]) == [["name": "country", "value": "BR"]])
            #expect(results[2]["passed"] as? Bool == false)
            #expect((results[2]["explanation"] as? [String])?.first == "3000 generated keys (sample-0 … sample-2999) in 'targetingKey'")
            let summary = try #require(document["summary"] as? [String: Any])
            #expect(summary["files"] as? [String] == ["flags/demo.test.yaml"])
        }
    }

    /// A name that XML must escape, in a failing case.
    static let awkwardName = """

          - name: "<b> & 'quotes' \\"too\\" \\u0007 bell"
            flag: demo.debug
            env: production
            expect: { value: true }

        """

    @Test func junitIsReadByAJUnitParser() throws {
        try Self.sandbox(tests: Self.failing + Self.passing.replacingOccurrences(of: "tests:\n", with: "") + Self.awkwardName) { sandbox in
            let run = try sandbox.flagc(["test", "flags", "--format", "junit"] + fixedNow)
            #expect(run.status == 1)
            let document = try XMLDocument(data: Data(run.stdout.utf8))
            let suites = try document.nodes(forXPath: "/testsuites/testsuite")
            #expect(suites.count == 1)
            let cases = try document.nodes(forXPath: "//testcase")
            #expect(cases.count == 8)
            let failures = try document.nodes(forXPath: "//testcase/failure")
            #expect(failures.count == 4)
            #expect((try document.nodes(forXPath: "/testsuites/@failures").first?.stringValue) == "4")
            let names = try document.nodes(forXPath: "//testcase/@name").compactMap(\.stringValue)
            #expect(names.contains("<b> & 'quotes' \"too\" \u{FFFD} bell (production)"), "\(names)")

            // junitparser (PyPI), as CI reporters read JUnit: .ci/run sets FLAGC_JUNIT_PYTHON to its virtual
            // environment, where the check is required; elsewhere it runs only when that Python is there.
            let python = ProcessInfo.processInfo.environment["FLAGC_JUNIT_PYTHON"] ?? ""
            guard !python.isEmpty else { return }
            try sandbox.write("report.xml", run.stdout)
            let parsed = try Self.runJUnitParser(python, on: sandbox.url("report.xml"))
            #expect(parsed.contains("suite flags/demo.test.yaml tests=8 failures=4"), "\(parsed)")
            #expect(parsed.contains("case 'red in BR [country=BR] (production)' demo.colour failure 'variant: expected red, got green'"), "\(parsed)")
            #expect(parsed.contains("case 'staff see green (production)' demo.colour passed"), "\(parsed)")
        }
    }

    /// Reads a JUnit file with junitparser and describes it line by line.
    static func runJUnitParser(_ python: String, on file: URL) throws -> [String] {
        let script = """
            import sys
            from junitparser import JUnitXml, Failure
            for suite in JUnitXml.fromfile(sys.argv[1]):
                print(f"suite {suite.name} tests={suite.tests} failures={suite.failures}")
                for case in suite:
                    failures = [result for result in case.result if isinstance(result, Failure)]
                    outcome = f"failure '{failures[0].message}'" if failures else "passed"
                    print(f"case '{case.name}' {case.classname} {outcome}")
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-c", script, file.path]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "junitparser failed")
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    @Test func coverageListsGapsAndMinCoverageFails() throws {
        let onlyStaff = "tests:\n  - name: staff\n    flag: demo.colour\n    env: production\n    context: { groups: [staff] }\n    expect: { variant: green }\n"
        try Self.sandbox(tests: onlyStaff) { sandbox in
            let run = try sandbox.flagc(["test", "flags", "--coverage", "--min-coverage", "50"] + fixedNow)
            let junit = try sandbox.flagc(["test", "flags", "--format", "junit", "--min-coverage", "50"] + fixedNow)
            #expect(junit.status == 1 && junit.stderr.contains("below --min-coverage 50%"), "the reason is on standard error: \(junit)")
            #expect(run.status == 1, "\(run)")
            #expect(run.stdoutLines == [
                "coverage: 1 of 4 rules decisive (25%)",
                "  demo.colour: rules never decisive: 2 (pilot), 3; variants never produced: blue, red",
                "  demo.debug: no case evaluates it; rules never decisive: 1; variants never produced: true, false",
                "error: rule coverage 25% is below --min-coverage 50%; add cases for the rules listed by --coverage",
                "1 passed, 0 failed (1 result in 1 file)",
            ])
        }
        try Self.sandbox(tests: Self.passing) { sandbox in
            let run = try sandbox.flagc(["test", "flags", "--min-coverage", "100"] + fixedNow)
            #expect(run.status == 0, "\(run)")
        }
    }

    @Test func problemsInTestFilesAreDiagnosticsForTestAndValidate() throws {
        let broken = "tests:\n  - name: typo\n    flag: demo.color\n    expect: { variant: green }\n  - name: bad references\n    flag: demo.colour\n    env: prod\n    expect: { variant: purple }\n  - name: misspelt field\n    flag: demo.colour\n    expect: { reson: DEFAULT }\n"
        try Self.sandbox(tests: broken) { sandbox in
            let expected = [
                "flags/demo.test.yaml:3:11: error[test-unknown-reference]: no flag 'demo.color'; did you mean 'demo.colour'?; name a flag defined in the flag files",
                "flags/demo.test.yaml:7:10: error[test-unknown-reference]: environment 'prod' is not declared in flagc.yaml; the environments are staging, production",
                "flags/demo.test.yaml:8:24: error[test-unknown-reference]: flag 'demo.colour' has no variant 'purple'; its variants are blue, green, red",
                "flags/demo.test.yaml:11:15: error[unknown-field]: unknown field 'reson' in a test's 'expect'; did you mean 'reason'?",
            ]
            let test = try sandbox.flagc(["test", "flags"] + fixedNow)
            #expect(test.status == 1)
            let validate = try sandbox.flagc(["validate", "flags"] + fixedNow)
            #expect(validate.status == 1)
            for run in [test, validate] {
                #expect(Array(run.stdoutLines.prefix(4)) == expected, "\(run)")
            }
            #expect(test.stdoutLines.last == "4 errors, 0 warnings in 2 files")
            let compile = try sandbox.flagc(["compile", "flags", "--out", "build"] + fixedNow)
            #expect(compile.status == 1, "an error in a test file blocks the snapshot")
        }
    }

    @Test(arguments: [
        ["--format", "xml"],
        ["--env", "prod"],
        ["--min-coverage", "120"],
        ["--now", "2026-06-01"],
    ])
    func usageErrorsExitTwo(_ arguments: [String]) throws {
        try Self.sandbox(tests: Self.passing) { sandbox in
            let run = try sandbox.flagc(["test", "flags"] + arguments)
            #expect(run.status == 2, "\(run)")
            #expect(run.stdout.isEmpty)
        }
    }

    @Test func envRunsCasesWithoutEnvInThatEnvironmentOnly() throws {
        let tests = "tests:\n  - name: debug\n    flag: demo.debug\n    expect: { value: true }\n"
        try Self.sandbox(tests: tests) { sandbox in
            let everywhere = try sandbox.flagc(["test", "flags"] + fixedNow)
            #expect(everywhere.status == 1)
            #expect(everywhere.stdoutLines.last == "1 passed, 1 failed (2 results in 1 file)")
            let staging = try sandbox.flagc(["test", "flags", "--env", "staging"] + fixedNow)
            #expect(staging.status == 0, "\(staging)")
        }
    }

    @Test func noTestFileIsAFailure() throws {
        try withSandbox { sandbox in
            try sandbox.write(["flags/demo.yaml": Self.flags])
            let run = try sandbox.flagc(["test", "flags"] + fixedNow)
            #expect(run.status == 1)
            #expect(run.stderr.hasPrefix("error: no test files (*.test.yaml, *.test.yml) under flags"))
        }
    }

    @Test func theProjectsOwnFlagsAreFullyCovered() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let run = try Flagc.run(["test", "flags", "--min-coverage", "100"], in: root)
        #expect(run.status == 0, "\(run)")
    }
}
