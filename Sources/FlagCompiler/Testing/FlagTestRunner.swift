import FlagRuntime

/// Runs test files' cases against a compiled snapshot through `FlagStore`, the code services run: one store per
/// environment, with a clock set to each case's `at`.
///
/// ```swift
/// let result = try FlagCompiler(options: .init(paths: ["flags"])).compile()
/// let runner = FlagTestRunner(snapshot: result.snapshot!, environments: result.config.environments)
/// let report = try runner.run(result.tests)
/// ```
package struct FlagTestRunner {
    /// The compiled flags.
    package var snapshot: Snapshot
    /// The environments of the project: a case without `env` runs in each (or once without one, when empty).
    package var environments: [String]
    /// "Now" for cases without `at`, in Unix seconds; nil for the current time.
    package var now: Int64?
    /// Run only the cases whose name (matrix row substituted) or flag key contains this text.
    package var filter: String?
    /// Run only in this environment: cases without `env` run in it, cases for another are skipped.
    package var environment: String?

    /// Creates a runner.
    package init(snapshot: Snapshot, environments: [String], now: Int64? = nil, filter: String? = nil, environment: String? = nil) {
        self.snapshot = snapshot
        self.environments = environments
        self.now = now
        self.filter = filter
        self.environment = environment
    }

    /// Evaluates every case of `files`. Throws only when the snapshot cannot be served (which a compiled one can).
    package func run(_ files: [FlagTestFile]) throws(SnapshotLoadError) -> FlagTestReport {
        let now = self.now ?? SystemClock().now()
        var stores = Stores(snapshot: snapshot, now: now)
        var tally = CoverageTally()
        var results: [FlagTestResult] = []
        for file in files {
            for testCase in file.cases where matchesFilter(testCase) {
                for environment in environments(for: testCase) {
                    let (store, clock) = try stores.store(for: environment)
                    let at = testCase.at ?? now
                    clock.set(at)
                    var result = FlagTestResult(
                        file: file.path, location: testCase.location, name: testCase.name, flag: testCase.flag.value,
                        environment: environment, at: at, row: testCase.row, mismatches: [], explanation: []
                    )
                    if let expectation = testCase.expectation {
                        let details = store.details(testCase.flag.value, context: testCase.context)
                        tally.record(details)
                        result.mismatches = Self.mismatches(expectation, details)
                        if !result.passed { result.explanation = store.explain(testCase.flag.value, context: testCase.context).lines }
                    } else if let distribution = testCase.distribution {
                        (result.mismatches, result.explanation) = Self.check(distribution, of: testCase, in: store, tally: &tally)
                    }
                    results.append(result)
                }
            }
        }
        return FlagTestReport(results: results, coverage: tally.coverage(of: snapshot), files: files.map(\.path))
    }

    private func matchesFilter(_ testCase: FlagTestCase) -> Bool {
        guard let filter, !filter.isEmpty else { return true }
        return testCase.name.contains(filter) || testCase.flag.value.contains(filter)
    }

    /// The environments a case runs in.
    private func environments(for testCase: FlagTestCase) -> [String?] {
        if let named = testCase.environment?.value {
            return environment == nil || environment == named ? [named] : []
        }
        if let environment { return [environment] }
        return environments.isEmpty ? [nil] : environments
    }

    // MARK: Expectations

    /// What of `expectation` the evaluation did not meet.
    static func mismatches(_ expectation: FlagTestExpectation, _ details: EvaluationDetails<FlagValue?>) -> [FlagTestMismatch] {
        var mismatches: [FlagTestMismatch] = []
        if let expected = expectation.value?.value {
            let actual = details.value?.jsonValue ?? .null
            if !Self.sameValue(expected, actual) {
                mismatches.append(FlagTestMismatch(field: "value", expected: Self.text(expected), actual: Self.text(actual)))
            }
        }
        if let expected = expectation.variant?.value, details.variant != expected {
            mismatches.append(FlagTestMismatch(field: "variant", expected: expected, actual: details.variant ?? "none"))
        }
        if let expected = expectation.reason?.value, details.reason != expected {
            mismatches.append(FlagTestMismatch(field: "reason", expected: expected.rawValue, actual: details.reason.rawValue))
        }
        if let expected = expectation.rule?.value {
            let matches = switch expected {
            case .name(let name): details.ruleName == name
            case .position(let position): details.ruleIndex == position - 1
            }
            if !matches {
                let actual = details.ruleIndex.map { index in "\(index + 1)" + (details.ruleName.map { " ('\($0)')" } ?? "") } ?? "none"
                mismatches.append(FlagTestMismatch(field: "rule", expected: expected.description, actual: actual))
            }
        }
        if let expected = expectation.error?.value, details.errorCode != expected {
            mismatches.append(FlagTestMismatch(field: "error", expected: expected.rawValue, actual: details.errorCode?.rawValue ?? "none"))
        }
        return mismatches
    }

    /// Whether two values are the same flag value: numbers compare by value (`0` and `0.0`), the rest exactly.
    /// Equal values, an integer and a number with the same value counting as equal at any depth.
    static func sameValue(_ expected: JSONValue, _ actual: JSONValue) -> Bool {
        switch (expected, actual) {
        case (.integer(let a), .double(let b)), (.double(let b), .integer(let a)):
            return Double(a) == b
        case (.array(let a), .array(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { sameValue($0, $1) }
        case (.object(let a), .object(let b)):
            return a.count == b.count && a.allSatisfy { key, value in b[key].map { sameValue(value, $0) } ?? false }
        default:
            return expected == actual
        }
    }

    /// A value as JSON text (`true`, `"green"`, `{"attempts":3}`).
    static func text(_ value: JSONValue) -> String {
        JSONWriter(style: .compact).string(value)
    }

    // MARK: Distributions

    /// Evaluates the distribution's generated contexts and compares each variant's share with the expected one;
    /// a variant that is not listed is expected at 0%. Returns the mismatches and, for a failure, the counts.
    static func check(_ distribution: FlagTestDistribution, of testCase: FlagTestCase, in store: FlagStore, tally: inout CoverageTally) -> ([FlagTestMismatch], [String]) {
        var counts: [String: Int] = [:]
        for index in 0..<distribution.samples {
            var context = testCase.context
            if distribution.bucketBy == Condition.targetingKey {
                context.targetingKey = distribution.key(index)
            } else {
                context.attributes[distribution.bucketBy] = .string(distribution.key(index))
            }
            let details = store.details(testCase.flag.value, context: context)
            tally.record(details)
            counts[details.variant ?? "none", default: 0] += 1
        }
        let samples = Double(distribution.samples)
        func share(_ variant: String) -> Double { Double(counts[variant] ?? 0) * 100 / samples }
        var mismatches: [FlagTestMismatch] = []
        let listed = distribution.shares.map(\.variant.value)
        // Compared with a margin of 1e-9 points, so 33.3 − 33.2 is within a tolerance of 0.1 as 33.4 − 33.3 is.
        for (variant, percent) in distribution.shares.map({ ($0.variant.value, $0.percent) }) where abs(share(variant) - percent) > distribution.tolerance + 1e-9 {
            mismatches.append(FlagTestMismatch(field: "share of '\(variant)'", expected: "\(percentText(percent))% ± \(percentText(distribution.tolerance))", actual: "\(percentText(share(variant)))%"))
        }
        for variant in counts.keys.sorted() where !listed.contains(variant) && share(variant) > distribution.tolerance + 1e-9 {
            mismatches.append(FlagTestMismatch(field: "share of '\(variant)'", expected: "0% ± \(percentText(distribution.tolerance))", actual: "\(percentText(share(variant)))%"))
        }
        guard !mismatches.isEmpty else { return ([], []) }
        let lines = counts.keys.sorted().map { "\($0): \(counts[$0]!) of \(distribution.samples) (\(percentText(share($0)))%)" }
        return (mismatches, ["\(distribution.samples) generated keys (\(distribution.seed)-0 … \(distribution.seed)-\(distribution.samples - 1)) in '\(distribution.bucketBy)'"] + lines)
    }

    /// A percentage with at most two decimals: `25`, `24.87`.
    package static func percentText(_ value: Double) -> String {
        let hundredths = (value * 100).rounded()
        let whole = Int64(hundredths / 100)
        let fraction = Int64(abs(hundredths.truncatingRemainder(dividingBy: 100)))
        guard fraction != 0 else { return "\(whole)" }
        let sign = value < 0 && whole == 0 ? "-" : ""
        let digits = fraction < 10 ? "0\(fraction)" : (fraction % 10 == 0 ? "\(fraction / 10)" : "\(fraction)")
        return "\(sign)\(whole).\(digits)"
    }
}

/// One store per environment, each with its own settable clock, made when first needed.
private struct Stores {
    let snapshot: Snapshot
    let now: Int64
    var byEnvironment: [String: (FlagStore, SettableClock)] = [:]
    var withoutEnvironment: (FlagStore, SettableClock)?

    init(snapshot: Snapshot, now: Int64) {
        self.snapshot = snapshot
        self.now = now
    }

    mutating func store(for environment: String?) throws(SnapshotLoadError) -> (FlagStore, SettableClock) {
        if let environment, let made = byEnvironment[environment] { return made }
        if environment == nil, let made = withoutEnvironment { return made }
        let clock = SettableClock(default: now)
        let made = (try FlagStore(snapshot: snapshot, environment: environment, clock: clock), clock)
        if let environment { byEnvironment[environment] = made } else { withoutEnvironment = made }
        return made
    }
}

/// The rules that decided and the variants served, per flag, over a run.
struct CoverageTally {
    private var rules: [String: Set<Int>] = [:]
    private var variants: [String: Set<String>] = [:]
    private var tested: Set<String> = []

    mutating func record(_ details: EvaluationDetails<FlagValue?>) {
        tested.insert(details.flagKey)
        if let index = details.ruleIndex { rules[details.flagKey, default: []].insert(index) }
        if let variant = details.variant { variants[details.flagKey, default: []].insert(variant) }
    }

    func coverage(of snapshot: Snapshot) -> FlagTestCoverage {
        let flags = snapshot.flags.sorted { precedesByUTF8($0.key, $1.key) }.map { flag in
            let covered = rules[flag.key] ?? []
            let served = variants[flag.key] ?? []
            return FlagTestCoverage.Flag(
                key: flag.key,
                rules: flag.rules.enumerated().map { index, rule in
                    ("\(index + 1)" + (rule.name.map { " (\($0))" } ?? ""), covered.contains(index))
                },
                variants: flag.variants.map { ($0.name, served.contains($0.name)) },
                tested: tested.contains(flag.key),
                disabled: !flag.enabled
            )
        }
        return FlagTestCoverage(flags: flags)
    }
}
