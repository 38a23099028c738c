import FlagCompiler
import FlagRuntime
import FlagRuntimeTesting
import Foundation
import Testing

/// Compares flagd with `FlagRuntime`: each flag set is exported with `FlagdExporter`, OpenFeature's flagd
/// evaluator (`openfeature-flagd-core` 1.0.0, through `scripts/flagd-evaluate.py`) evaluates every flag for every
/// generated context and time, and its variant (and reason, mapped) must equal `FlagStore`'s. Every exported
/// document is validated against flagd's schema first, when the schemas are there.
///
/// Needs Python with the package: see `FlagdPython`; skipped with the reason when it is missing.
@Suite(.serialized, .enabled(if: FlagdPython.availability.usable || FlagdPython.isRequired, Comment(rawValue: FlagdPython.skipReason)))
struct FlagdDifferentialTests {
    @Test func repositoryFlags() throws {
        var runs: [DifferentialRun] = []
        let flagsFolder = FlagdPython.repositoryRoot.appendingPathComponent("flags").path
        for environment in [nil, "development", "test", "staging", "production"] as [String?] {
            let snapshot = try Compilation.snapshot(paths: [flagsFolder], environment: environment)
            var generator = ContextGenerator(snapshot: snapshot, seed: 7)
            runs.append(DifferentialRun(name: "flags\(environment.map { "--env-\($0)" } ?? "")", snapshot: snapshot, inputs: (0..<500).map { _ in generator.next() }))
        }
        try Differential.compare(runs, label: "repository flags/")
    }

    @Test func conformanceSuites() throws {
        var runs: [DifferentialRun] = []
        for suite in try ConformanceInputs.load() {
            for (compileEnvironment, inputs) in suite.inputs.sorted(by: { ($0.key ?? "") < ($1.key ?? "") }) {
                let snapshot = try Compilation.snapshot(paths: [suite.flagsFolder.path], environment: compileEnvironment)
                var generator = ContextGenerator(snapshot: snapshot, seed: 11)
                runs.append(DifferentialRun(name: "\(suite.name)\(compileEnvironment.map { "--env-\($0)" } ?? "")", snapshot: snapshot,
                                            inputs: inputs + (0..<150).map { _ in generator.next() }))
            }
        }
        try #require(runs.count >= 10, "expected the conformance suites under Tests/Conformance/Suites")
        try Differential.compare(runs, label: "conformance suites")
    }

    @Test func generatedFlagSets() throws {
        var runs: [DifferentialRun] = []
        for seed in 1...4 as ClosedRange<UInt64> {
            var flags = FlagSetGenerator(seed: seed)
            let snapshot = flags.snapshot(flagCount: 60, name: "set\(seed)")
            var contexts = ContextGenerator(snapshot: snapshot, seed: seed &* 31)
            runs.append(DifferentialRun(name: "generated-\(seed)", snapshot: snapshot, inputs: (0..<400).map { _ in contexts.next() }))
        }
        let operators = Set(runs.flatMap { $0.snapshot.flags.flatMap { $0.rules.flatMap { $0.conditions.flatMap(Compilation.operators) } } })
        #expect(operators == Set(Condition.Operator.allCases), "generated flags miss \(Set(Condition.Operator.allCases).subtracting(operators))")
        try Differential.compare(runs, label: "generated flag sets")
    }
}

/// One flag set and the inputs to evaluate every flag of it with.
struct DifferentialRun {
    var name: String
    var snapshot: Snapshot
    var inputs: [EvaluationInput]
}

enum Differential {
    /// flagd's reason for each of flagc's (flagd has no `SPLIT`: a split is a targeting match).
    static let flagdReason: [EvaluationReason: String] = [
        .static: "STATIC", .targetingMatch: "TARGETING_MATCH", .split: "TARGETING_MATCH", .default: "DEFAULT", .disabled: "DISABLED",
    ]

    /// Exports, evaluates with flagd, evaluates with `FlagStore`, and records a failure per mismatch (the first 25).
    static func compare(_ runs: [DifferentialRun], label: String) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("flagd-differential-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        // FLAGC_FLAGD_KEEP=1 keeps the documents, cases and results, to replay a mismatch with flagd-evaluate.py.
        let keep = ProcessInfo.processInfo.environment["FLAGC_FLAGD_KEEP"] == "1"
        defer {
            if keep { print("flagd differential (\(label)): files kept in \(folder.path)") } else { try? FileManager.default.removeItem(at: folder) }
        }

        var manifest: [JSONValue] = []
        var expectations: [[Expectation]] = []
        for (index, run) in runs.enumerated() {
            let document = folder.appendingPathComponent("\(index)-\(run.name).json")
            let casesURL = folder.appendingPathComponent("\(index)-\(run.name).cases.jsonl")
            let results = folder.appendingPathComponent("\(index)-\(run.name).results.jsonl")
            try Data(FlagdExporter(flagSetID: run.name).bytes(for: run.snapshot)).write(to: document)
            let (lines, expected) = try cases(for: run)
            try Data(lines.utf8).write(to: casesURL)
            expectations.append(expected)
            manifest.append(.object(["document": .string(document.path), "cases": .string(casesURL.path), "results": .string(results.path)]))
        }
        let manifestURL = folder.appendingPathComponent("manifest.json")
        try Data(JSONWriter(style: .compact).bytes(.object(["runs": .array(manifest)]))).write(to: manifestURL)

        var arguments = [manifestURL.path]
        if FlagdPython.hasSchemas {
            arguments += ["--schemas", FlagdPython.schemasFolder.path]
        } else {
            print("note: flagd schemas not found at \(FlagdPython.schemasFolder.path); exported documents not validated (set FLAGD_SCHEMAS)")
        }
        let run = try FlagdPython.run(arguments, timeout: 900)
        try #require(run.status == 0, "flagd-evaluate.py failed (exit \(run.status)):\n\(run.stderr.suffix(4000))\n\(run.stdout.suffix(2000))")

        var pairs = 0
        var mismatches: [String] = []
        var reasons: [String: Int] = [:]
        for (index, runInput) in runs.enumerated() {
            let results = try String(contentsOf: URL(fileURLWithPath: manifest[index]["results"]!.stringValue!), encoding: .utf8)
                .split(separator: "\n").map { try JSONValue(parsing: String($0)) }
            let expected = expectations[index]
            try #require(results.count == expected.count, "\(runInput.name): \(expected.count) cases, \(results.count) results")
            for (expectation, result) in zip(expected, results) {
                pairs += 1
                reasons[expectation.flagcReason, default: 0] += 1
                let variant = result["variant"].flatMap { $0.isNull ? nil : $0.stringValue }
                let reason = result["reason"]?.stringValue ?? "ERROR \(result["error"]?.stringValue ?? "?"): \(result["message"]?.stringValue ?? "")"
                if variant != expectation.variant || reason != expectation.reason {
                    mismatches.append("""
                        \(runInput.name) \(expectation.flag) at \(expectation.at) context \(expectation.contextJSON): \
                        flagc \(expectation.variant ?? "-") \(expectation.reason)\(expectation.rule.map { " (rule \($0))" } ?? ""), \
                        flagd \(variant ?? "-") \(reason)
                        """)
                }
            }
        }
        let spread = reasons.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        print("flagd differential (\(label)): \(pairs) flag × context pairs in \(runs.count) flag sets compared, \(mismatches.count) mismatches (flagc reasons: \(spread)); \(run.stdout.split(separator: "\n").joined(separator: "; "))")
        #expect(pairs > 0)
        for mismatch in mismatches.prefix(25) {
            Issue.record(Comment(rawValue: mismatch))
        }
        #expect(mismatches.count == 0, "\(mismatches.count) of \(pairs) pairs differ")
    }

    struct Expectation {
        var flag: String
        var at: Int64
        var contextJSON: String
        var variant: String?
        var reason: String
        var flagcReason: String
        var rule: Int?
    }

    /// The cases file (one line per flag × input) and what `FlagStore` says for each line.
    static func cases(for run: DifferentialRun) throws -> (String, [Expectation]) {
        var lines = ""
        var expectations: [Expectation] = []
        var stores: [Int64: FlagStore] = [:]
        let writer = JSONWriter(style: .compact)
        for input in run.inputs {
            let store = try stores[input.at] ?? FlagStore(snapshot: run.snapshot, clock: FixedClock(input.at))
            stores[input.at] = store
            var attributes: [String: JSONValue] = [:]
            for (name, value) in input.context.attributes { attributes[name] = json(value, name: name) }
            if let environment = input.context.environment { attributes["environment"] = .string(environment) }
            var members: [String: JSONValue] = ["attributes": .object(attributes), "at": .integer(input.at)]
            if let key = input.context.targetingKey { members["targetingKey"] = .string(key) }
            for flag in run.snapshot.flags {
                members["flag"] = .string(flag.key)
                let line = writer.string(.object(members))
                lines += line + "\n"
                let details = store.details(flag.key, context: input.context)
                expectations.append(Expectation(flag: flag.key, at: input.at, contextJSON: line, variant: details.variant,
                                                reason: flagdReason[details.reason] ?? details.reason.rawValue, flagcReason: details.reason.rawValue,
                                                rule: details.ruleIndex))
            }
        }
        return (lines, expectations)
    }

    /// An attribute as an OpenFeature SDK sends it: integral numbers sometimes as JSON integers (as most
    /// callers write them), sometimes as doubles.
    static func json(_ value: ContextValue, name: String) -> JSONValue {
        switch value {
        case .string(let text): return .string(text)
        case .number(let number):
            if number == number.rounded(), abs(number) < 1e15, name.utf8.count % 2 == 0 { return .integer(Int64(number)) }
            return .double(number)
        case .boolean(let flag): return .bool(flag)
        case .strings(let list): return .array(list.map(JSONValue.string))
        case .timestamp(let seconds): return .string(Timestamp.format(seconds))
        }
    }
}

enum Compilation {
    /// "Now" for the compiler's date checks, fixed so that results do not depend on the day.
    static let now = Timestamp.parseDateTime("2026-06-01T00:00:00Z")!

    /// Compiles flag files like `flagc compile [--env NAME]` and reads the snapshot back from its JSON bytes.
    static func snapshot(paths: [String], environment: String?) throws -> Snapshot {
        let result = try FlagCompiler(options: .init(paths: paths, environment: environment, now: now)).compile()
        guard let snapshot = result.snapshot, !result.hasErrors else {
            throw FlagdPython.Failure(description: "\(paths) does not compile: " + result.diagnostics.map(\.description).joined(separator: "\n"))
        }
        return try SnapshotLoader.load(bytes: snapshot.jsonBytes())
    }

    static func operators(_ condition: Condition) -> [Condition.Operator] {
        switch condition {
        case .attribute(_, let op, _): [op]
        case .environment: []
        case .segments(let segments): segments.flatMap { $0.conditions.flatMap(operators) }
        }
    }
}

/// The contexts of the conformance suites (`Tests/Conformance/Suites/*/cases.json`), as differential inputs.
struct ConformanceInputs {
    var name: String
    var flagsFolder: URL
    /// Inputs by the `--env` the case compiles with.
    var inputs: [String?: [EvaluationInput]]

    static let suitesRoot = FlagdPython.repositoryRoot.appendingPathComponent("Tests/Conformance/Suites")

    static func load() throws -> [ConformanceInputs] {
        let names = try FileManager.default.contentsOfDirectory(atPath: suitesRoot.path).sorted()
        var suites: [ConformanceInputs] = []
        for name in names {
            let folder = suitesRoot.appendingPathComponent(name)
            guard let data = FileManager.default.contents(atPath: folder.appendingPathComponent("cases.json").path) else { continue }
            let root = try JSONValue(parsing: [UInt8](data))
            let flagsFolder = folder.appendingPathComponent(root["flagsPath"]?.stringValue ?? "flags").standardizedFileURL
            var inputs: [String?: [EvaluationInput]] = [:]
            for item in root["cases"]?.arrayValue ?? [] where item["overrides"] == nil {
                var context = EvaluationContext()
                for (member, value) in item["context"]?.objectValue ?? [:] {
                    if member == "targetingKey" { context.targetingKey = value.stringValue; continue }
                    switch value {
                    case .string(let text): context.attributes[member] = .string(text)
                    case .integer(let number): context.attributes[member] = .number(Double(number))
                    case .double(let number): context.attributes[member] = .number(number)
                    case .bool(let flag): context.attributes[member] = .boolean(flag)
                    case .array(let list): context.attributes[member] = .strings(list.compactMap(\.stringValue))
                    default: continue
                    }
                }
                context.environment = item["contextEnvironment"]?.stringValue ?? item["environment"]?.stringValue
                let at = item["at"]?.stringValue.flatMap(Timestamp.parseDateTime) ?? Compilation.now
                inputs[item["compileEnvironment"]?.stringValue, default: []].append(EvaluationInput(context: context, at: at))
            }
            suites.append(ConformanceInputs(name: name, flagsFolder: flagsFolder, inputs: inputs))
        }
        return suites
    }
}
