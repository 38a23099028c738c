import FlagCompiler
import FlagRuntime

/// Renders a `flagc test` report as text, JSON, GitHub annotations or JUnit XML (`TestReportOutput+JUnit.swift`).
struct TestReportOutput {
    var report: FlagTestReport
    /// `--coverage`: list what no case reached.
    var showsCoverage: Bool
    /// `--min-coverage`, in percent.
    var minimumCoverage: Double?
    /// The machine-readable formats (JSON, GitHub, JUnit, SARIF) name files from this repository's root.
    var paths: RepositoryPaths? = nil

    /// A path as the machine-readable formats write it.
    func machinePath(_ path: String) -> String { paths?.fromRoot(path) ?? path }

    /// Whether the share of rules covered reaches `--min-coverage` (always, without it).
    var meetsMinimumCoverage: Bool {
        guard let minimumCoverage else { return true }
        return report.coverage.ruleShare >= minimumCoverage
    }

    func render(_ format: TestReportFormat, colour: Bool = false) -> String {
        switch format {
        case .text: text(colour: colour)
        case .json: JSONWriter(style: .pretty).string(json)
        case .github: github
        case .junit: junit
        case .sarif: sarif
        }
    }

    /// `3 passed, 1 failed (4 results in 2 files)`.
    var summary: String {
        let failed = report.failureCount
        let files = report.files.count
        return "\(report.results.count - failed) passed, \(failed) failed (\(report.results.count) result\(report.results.count == 1 ? "" : "s") in \(files) file\(files == 1 ? "" : "s"))"
    }

    /// `coverage: 18 of 20 rules decisive (90%)`.
    var coverageLine: String {
        let coverage = report.coverage
        return "coverage: \(coverage.coveredRuleCount) of \(coverage.ruleCount) rules decisive (\(FlagTestRunner.percentText(coverage.ruleShare))%)"
    }

    /// The line saying the coverage is below `--min-coverage`, when it is.
    var coverageFailure: String? {
        guard let minimumCoverage, !meetsMinimumCoverage else { return nil }
        return "rule coverage \(FlagTestRunner.percentText(report.coverage.ruleShare))% is below --min-coverage \(FlagTestRunner.percentText(minimumCoverage))%; add cases for the rules listed by --coverage"
    }

    /// Per flag with a gap: `billing.x: rules never decisive: 3; variants never produced: red`.
    var coverageGaps: [String] {
        report.coverage.flags.compactMap { flag in
            guard !flag.disabled else { return nil }
            let rules = flag.rules.filter { !$0.covered }.map(\.label)
            let variants = flag.variants.filter { !$0.covered }.map(\.name)
            guard !rules.isEmpty || !variants.isEmpty else { return nil }
            var parts: [String] = []
            if !flag.tested { parts.append("no case evaluates it") }
            if !rules.isEmpty { parts.append("rules never decisive: \(rules.joined(separator: ", "))") }
            if !variants.isEmpty { parts.append("variants never produced: \(variants.joined(separator: ", "))") }
            return "\(flag.key): \(parts.joined(separator: "; "))"
        }
    }

    // MARK: Text

    private func text(colour: Bool) -> String {
        var output = ""
        for result in report.results where !result.passed {
            let position = "\(result.file):\(result.location.line):\(result.location.column):"
            let label = colour ? "\u{1B}[1;31mfail:\u{1B}[0m" : "fail:"
            output += "\(colour ? "\u{1B}[1m\(position)\u{1B}[0m" : position) \(label) \(result.title) (\(result.flag) at \(Timestamp.format(result.at)))\n"
            for mismatch in result.mismatches {
                output += "  \(mismatch.field): expected \(mismatch.expected), got \(mismatch.actual)\n"
            }
            if !result.explanation.isEmpty {
                output += "  why:\n" + result.explanation.map { "    \($0)\n" }.joined()
            }
        }
        if showsCoverage {
            output += coverageLine + "\n" + coverageGaps.map { "  \($0)\n" }.joined()
        }
        if let coverageFailure { output += "error: \(coverageFailure)\n" }
        return output + summary + "\n"
    }

    // MARK: GitHub

    private var github: String {
        var lines: [String] = []
        for result in report.results where !result.passed {
            let properties = [
                "file=\(DiagnosticFormatter.escapeProperty(machinePath(result.file)))",
                "line=\(result.location.line)",
                "col=\(result.location.column)",
                "title=\(DiagnosticFormatter.escapeProperty("flagc test: \(result.title)"))",
            ]
            let message = ([result.failureMessage] + result.explanation).joined(separator: "\n")
            lines.append("::error \(properties.joined(separator: ","))::\(DiagnosticFormatter.escapeData(message))")
        }
        if showsCoverage {
            lines.append("::notice title=flagc test coverage::\(DiagnosticFormatter.escapeData(([coverageLine] + coverageGaps).joined(separator: "\n")))")
        }
        if let coverageFailure { lines.append("::error title=flagc test coverage::\(DiagnosticFormatter.escapeData(coverageFailure))") }
        lines.append("::notice title=flagc test::\(DiagnosticFormatter.escapeData(summary))")
        return lines.map { $0 + "\n" }.joined()
    }

    // MARK: SARIF

    /// The failed cases as SARIF results of the rule `test-failed`, at the case's `file:line:col`.
    private var sarif: String {
        let rule = SARIFLog.Rule(
            id: "test-failed", summary: "A test case's expectation does not hold.",
            description: "A case of a flag test file (*.test.yaml) expects a value, variant, reason, rule or error that evaluating the flag through FlagRuntime does not give.",
            help: "Fix the flag, or the expectation if the change is intended; `flagc eval SNAPSHOT FLAG --explain` shows why a context gets what it gets (docs/testing.md).",
            level: .error
        )
        var log = SARIFLog(toolVersion: FlagcVersion.current, paths: paths, rules: [rule])
        for result in report.results where !result.passed {
            log.add(rule: rule.id, level: .error, message: ([result.failureMessage] + result.explanation).joined(separator: "\n"), file: result.file, at: result.location)
        }
        return log.text
    }

    // MARK: JSON

    /// `{"version": 1, "results": [...], "summary": {...}, "coverage": {...}}`; keys sorted by the writer.
    var json: JSONValue {
        let results: [JSONValue] = report.results.map { result in
            var object: [String: JSONValue] = [
                "file": .string(machinePath(result.file)),
                "line": .integer(Int64(result.location.line)),
                "column": .integer(Int64(result.location.column)),
                "name": .string(result.name),
                "flag": .string(result.flag),
                "environment": result.environment.map(JSONValue.string) ?? .null,
                "at": .string(Timestamp.format(result.at)),
                "passed": .bool(result.passed),
                "matrix": .array(result.row.map { .object(["name": .string($0.name), "value": .string($0.value)]) }),
            ]
            if !result.passed {
                object["mismatches"] = .array(result.mismatches.map {
                    .object(["field": .string($0.field), "expected": .string($0.expected), "actual": .string($0.actual)])
                })
                object["explanation"] = .array(result.explanation.map(JSONValue.string))
            }
            return .object(object)
        }
        let coverage = report.coverage
        let flags: [JSONValue] = coverage.flags.map { flag in
            .object([
                "flag": .string(flag.key),
                "tested": .bool(flag.tested),
                "disabled": .bool(flag.disabled),
                "rules": .integer(Int64(flag.rules.count)),
                "uncoveredRules": .array(flag.rules.filter { !$0.covered }.map { .string($0.label) }),
                "uncoveredVariants": .array(flag.variants.filter { !$0.covered }.map { .string($0.name) }),
            ])
        }
        var coverageObject: [String: JSONValue] = [
            "rules": .integer(Int64(coverage.ruleCount)),
            "coveredRules": .integer(Int64(coverage.coveredRuleCount)),
            "percent": .double(coverage.ruleShare),
            "flags": .array(flags),
        ]
        if let minimumCoverage { coverageObject["minimum"] = .double(minimumCoverage) }
        return .object([
            "version": .integer(1),
            "results": .array(results),
            "summary": .object([
                "results": .integer(Int64(report.results.count)),
                "passed": .integer(Int64(report.results.count - report.failureCount)),
                "failed": .integer(Int64(report.failureCount)),
                "files": .array(report.files.map(JSONValue.string)),
            ]),
            "coverage": .object(coverageObject),
        ])
    }
}
