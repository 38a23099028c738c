import FlagCompiler
import FlagRuntime
import FlagRuntimeTesting
import Foundation
import Testing

/// Replays the data-driven suites in `Suites/` (format: `README.md` next to this file): each suite's flag
/// folder is compiled with `FlagCompiler`, and every case is evaluated with `FlagStore` and compared with
/// its expected value, variant, reason, error code and rule index.
@Suite struct ConformanceTests {
    @Test func suitesArePresent() {
        #expect(Conformance.suiteNames.count >= 5, "expected the conformance suites under \(Conformance.suitesRoot.path)")
    }

    /// Each suite, with the small-string fast path on (as services run) and off (the byte path it falls back to).
    @Test(arguments: Conformance.suiteNames, [true, false])
    func suite(_ name: String, smallStrings: Bool) throws {
        let suite = try ConformanceSuite.load(name)
        try #require(!suite.cases.isEmpty, "suite '\(name)' has no cases")

        var snapshots: [String?: Snapshot] = [:]
        var stores: [StoreKey: FlagStore] = [:]
        var failures: [String] = []
        for testCase in suite.cases {
            if let issue = testCase.knownIssue {
                // Not evaluated: the reference runtime cannot run it yet (see the case's knownIssue).
                withKnownIssue(Comment(rawValue: issue)) {
                    Issue.record("\(name)/\(testCase.name): not evaluated: \(issue)")
                }
                continue
            }
            let snapshot: Snapshot
            if let compiled = snapshots[testCase.compileEnvironment] {
                snapshot = compiled
            } else {
                snapshot = try suite.compile(environment: testCase.compileEnvironment)
                snapshots[testCase.compileEnvironment] = snapshot
            }
            if testCase.at == nil, let flag = snapshot.flag(testCase.flag), flag.rules.contains(where: { $0.from != nil || $0.until != nil }) {
                failures.append("\(testCase.name): flag '\(testCase.flag)' has a rule with a window; the case must give 'at'")
                continue
            }
            let key = StoreKey(compileEnvironment: testCase.compileEnvironment, environment: testCase.environment, at: testCase.at)
            let clock = FixedClock(testCase.at ?? Conformance.unspecifiedNow)
            let store = try stores[key] ?? FlagStore(snapshot: snapshot, environment: testCase.environment, clock: clock)
            let evaluated = smallStrings ? store : FlagStore(snapshot: snapshot, provenance: nil, environment: testCase.environment, clock: clock,
                                                             signatureVerifier: nil, freshnessPolicy: SnapshotFreshnessPolicy(), readsSmallStrings: false)
            stores[key] = store

            let actual: Outcome
            if let overrides = testCase.overrides {
                actual = FlagOverrides.with(overrides) { testCase.evaluate(in: evaluated) }
            } else {
                actual = testCase.evaluate(in: evaluated)
            }
            let differences = actual.differences(from: testCase.expected)
            if !differences.isEmpty {
                failures.append("\(testCase.name): " + differences.joined(separator: "; "))
            }
        }
        for failure in failures {
            Issue.record("\(name)/\(failure)")
        }
    }
}

// MARK: - Suites

enum Conformance {
    /// `Tests/Conformance/Suites`, found from this file's path.
    static let suitesRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Suites")

    /// Every folder of `Suites/` that holds a `cases.json`, sorted.
    static let suiteNames: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: suitesRoot.path)) ?? []
        return names.filter { FileManager.default.fileExists(atPath: suitesRoot.appendingPathComponent($0).appendingPathComponent("cases.json").path) }.sorted()
    }()

    /// "Now" for the compiler's date checks, fixed so that `flag-expired` and `window-passed` warnings do not vary.
    static let compileNow = Timestamp.parseDateTime("2026-06-01T00:00:00Z")!

    /// The clock of cases without `at` (the runner refuses such cases for flags with windows, so it never decides).
    static let unspecifiedNow = Timestamp.parseDateTime("2000-01-01T00:00:00Z")!
}

struct StoreKey: Hashable {
    var compileEnvironment: String?
    var environment: String?
    var at: Int64?
}

/// One suite: its flag folder and its cases.
struct ConformanceSuite {
    var name: String
    var flagsFolder: URL
    var cases: [ConformanceCase]

    static let fields: Set<String> = ["description", "flagsPath", "cases"]

    static func load(_ name: String) throws -> ConformanceSuite {
        let folder = Conformance.suitesRoot.appendingPathComponent(name)
        let file = folder.appendingPathComponent("cases.json")
        let bytes = try [UInt8](Data(contentsOf: file))
        let json: JSONValue
        do {
            json = try JSONValue(parsing: bytes)
        } catch {
            throw FormatError("\(name)/cases.json: \(error)")
        }
        guard let root = json.objectValue else { throw FormatError("\(name)/cases.json: the top level must be an object") }
        if let unknown = Set(root.keys).subtracting(fields).sorted().first {
            throw FormatError("\(name)/cases.json: unknown field '\(unknown)'")
        }
        guard root["description"]?.stringValue != nil else { throw FormatError("\(name)/cases.json: 'description' (a string) is required") }
        let flagsPath = try root["flagsPath"].map { value -> String in
            guard let path = value.stringValue else { throw FormatError("\(name)/cases.json: 'flagsPath' must be a string") }
            return path
        } ?? "flags"
        guard let list = root["cases"]?.arrayValue else { throw FormatError("\(name)/cases.json: 'cases' (an array) is required") }
        var cases: [ConformanceCase] = []
        var names: Set<String> = []
        for (index, item) in list.enumerated() {
            let testCase = try ConformanceCase(item, location: "\(name)/cases.json: cases[\(index)]")
            guard names.insert(testCase.name).inserted else { throw FormatError("\(name)/cases.json: the case name '\(testCase.name)' is used twice") }
            cases.append(testCase)
        }
        let flagsFolder = folder.appendingPathComponent(flagsPath).standardizedFileURL
        return ConformanceSuite(name: name, flagsFolder: flagsFolder, cases: cases)
    }

    /// Compiles the flag folder (like `flagc compile [--env NAME]`) and reads the snapshot back from its JSON
    /// bytes, as a service loads `snapshot.json`; any compile error fails the suite.
    func compile(environment: String?) throws -> Snapshot {
        let options = FlagCompiler.Options(paths: [flagsFolder.path], environment: environment, now: Conformance.compileNow)
        let result: FlagCompiler.Result
        do {
            result = try FlagCompiler(options: options).compile()
        } catch {
            throw FormatError("\(name): compiling \(flagsFolder.path)\(environment.map { " --env \($0)" } ?? ""): \(error)")
        }
        guard let snapshot = result.snapshot, !result.hasErrors else {
            let errors = result.diagnostics.filter { $0.severity == .error }.map(\.description)
            throw FormatError("\(name): \(flagsFolder.path) does not compile:\n" + errors.joined(separator: "\n"))
        }
        return try SnapshotLoader.load(bytes: snapshot.jsonBytes())
    }
}

struct FormatError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

// MARK: - Cases

/// The typed accessor a case asks for.
enum AccessType: String {
    case boolean, string, integer, number, object
}

/// What an evaluation produced, in the terms of `cases.json`.
struct Outcome {
    var value: JSONValue
    var variant: String?
    var reason: String
    var errorCode: String?
    var ruleIndex: Int?

    init<Value>(_ details: EvaluationDetails<Value>, json: (Value) -> JSONValue) {
        value = json(details.value)
        variant = details.variant
        reason = details.reason.rawValue
        errorCode = details.errorCode?.rawValue
        ruleIndex = details.ruleIndex
    }

    init(value: JSONValue, variant: String?, reason: String, errorCode: String?, ruleIndex: Int?) {
        self.value = value
        self.variant = variant
        self.reason = reason
        self.errorCode = errorCode
        self.ruleIndex = ruleIndex
    }

    /// One line per field that differs from `expected`.
    func differences(from expected: Outcome) -> [String] {
        var lines: [String] = []
        if !Outcome.sameJSON(value, expected.value) {
            lines.append("value: expected \(Outcome.text(expected.value)), got \(Outcome.text(value))")
        }
        if variant != expected.variant {
            lines.append("variant: expected \(expected.variant.map { "\"\($0)\"" } ?? "none"), got \(variant.map { "\"\($0)\"" } ?? "none")")
        }
        if reason != expected.reason {
            lines.append("reason: expected \(expected.reason), got \(reason)")
        }
        if errorCode != expected.errorCode {
            lines.append("errorCode: expected \(expected.errorCode ?? "none"), got \(errorCode ?? "none")")
        }
        if ruleIndex != expected.ruleIndex {
            lines.append("ruleIndex: expected \(expected.ruleIndex.map(String.init) ?? "none"), got \(ruleIndex.map(String.init) ?? "none")")
        }
        return lines
    }

    /// JSON equality where numbers compare by value (`5` equals `5.0`) but two integers compare exactly.
    static func sameJSON(_ lhs: JSONValue, _ rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.integer(let a), .integer(let b)): return a == b
        case (.integer, .double), (.double, .integer), (.double, .double): return lhs.doubleValue == rhs.doubleValue
        case (.array(let a), .array(let b)): return a.count == b.count && zip(a, b).allSatisfy { sameJSON($0, $1) }
        case (.object(let a), .object(let b)):
            return a.count == b.count && a.allSatisfy { key, value in b[key].map { sameJSON(value, $0) } ?? false }
        case (.string(let a), .string(let b)):
            // Exact code points, not Swift's canonical equivalence.
            return a.unicodeScalars.elementsEqual(b.unicodeScalars)
        default: return lhs == rhs
        }
    }

    static func text(_ value: JSONValue) -> String {
        JSONWriter(style: .compact).string(value)
    }
}

/// One case of `cases.json`.
struct ConformanceCase {
    var name: String
    var flag: String
    var context: EvaluationContext
    var environment: String?
    var compileEnvironment: String?
    var at: Int64?
    var type: AccessType?
    var defaultValue: JSONValue?
    var overrides: [String: FlagValue]?
    var knownIssue: String?
    var expected: Outcome

    static let fields: Set<String> = [
        "name", "flag", "context", "environment", "contextEnvironment", "compileEnvironment", "at", "type", "default",
        "overrides", "knownIssue", "expected", "comment",
    ]
    static let expectedFields: Set<String> = ["value", "variant", "reason", "errorCode", "ruleIndex"]

    init(_ json: JSONValue, location: String) throws {
        guard let object = json.objectValue else { throw FormatError("\(location): a case must be an object") }
        func fail(_ message: String) -> FormatError { FormatError("\(location)\(object["name"]?.stringValue.map { " (\($0))" } ?? ""): \(message)") }
        if let unknown = Set(object.keys).subtracting(ConformanceCase.fields).sorted().first { throw fail("unknown field '\(unknown)'") }
        func string(_ field: String, in object: [String: JSONValue], required: Bool = false) throws -> String? {
            guard let value = object[field] else {
                if required { throw fail("'\(field)' is required") }
                return nil
            }
            if value.isNull && !required { return nil }
            guard let text = value.stringValue else { throw fail("'\(field)' must be a string") }
            return text
        }

        name = try string("name", in: object, required: true)!
        flag = try string("flag", in: object, required: true)!
        environment = try string("environment", in: object)
        compileEnvironment = try string("compileEnvironment", in: object)
        knownIssue = try string("knownIssue", in: object)
        if let text = try string("at", in: object) {
            guard let seconds = Timestamp.parseDateTime(text) else { throw fail("'at' is not an RFC 3339 timestamp: \(text)") }
            at = seconds
        }
        if let text = try string("type", in: object) {
            guard let access = AccessType(rawValue: text) else { throw fail("'type' must be boolean, string, integer, number or object, not \(text)") }
            type = access
        }
        defaultValue = object["default"]
        if defaultValue != nil && type == nil { throw fail("'default' needs 'type'") }

        var context = EvaluationContext(environment: try string("contextEnvironment", in: object))
        if let members = object["context"] {
            guard let members = members.objectValue else { throw fail("'context' must be an object") }
            for (key, value) in members {
                if key == "targetingKey" {
                    guard let text = value.stringValue else { throw fail("the context's 'targetingKey' must be a string") }
                    context.targetingKey = text
                    continue
                }
                switch value {
                case .string(let text): context.attributes[key] = .string(text)
                case .integer, .double: context.attributes[key] = .number(value.doubleValue!)
                case .bool(let flag): context.attributes[key] = .boolean(flag)
                case .array(let items):
                    let strings = items.compactMap(\.stringValue)
                    guard strings.count == items.count else { throw fail("context attribute '\(key)': a list must hold only strings") }
                    context.attributes[key] = .strings(strings)
                case .null, .object:
                    throw fail("context attribute '\(key)' must be a string, number, boolean or list of strings")
                }
            }
        }
        self.context = context

        if let members = object["overrides"] {
            guard let members = members.objectValue else { throw fail("'overrides' must be an object") }
            var overrides: [String: FlagValue] = [:]
            for (key, value) in members {
                switch value {
                case .bool(let flag): overrides[key] = .boolean(flag)
                case .string(let text): overrides[key] = .string(text)
                case .integer(let integer): overrides[key] = .integer(integer)
                case .double(let number): overrides[key] = .number(number)
                case .object(let members): overrides[key] = .object(members)
                case .null, .array: throw fail("override '\(key)' must be a boolean, string, number or object")
                }
            }
            self.overrides = overrides
        }

        guard let expected = object["expected"]?.objectValue else { throw fail("'expected' (an object) is required") }
        if let unknown = Set(expected.keys).subtracting(ConformanceCase.expectedFields).sorted().first { throw fail("unknown field 'expected.\(unknown)'") }
        guard let value = expected["value"] else { throw fail("'expected.value' is required (null when there is no value)") }
        guard let reason = try string("reason", in: expected, required: true), EvaluationReason(rawValue: reason) != nil else {
            throw fail("'expected.reason' must be one of \(EvaluationReason.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let errorCode = try string("errorCode", in: expected)
        if let errorCode, EvaluationErrorCode(rawValue: errorCode) == nil {
            throw fail("'expected.errorCode' must be one of \(EvaluationErrorCode.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        var ruleIndex: Int?
        if let index = expected["ruleIndex"], !index.isNull {
            guard let integer = index.integerValue, integer >= 0 else { throw fail("'expected.ruleIndex' must be a non-negative integer") }
            ruleIndex = Int(integer)
        }
        self.expected = Outcome(value: value, variant: try string("variant", in: expected), reason: reason, errorCode: errorCode, ruleIndex: ruleIndex)

        if let type, let defaultValue, !ConformanceCase.fits(defaultValue, type) {
            throw fail("'default' is not a \(type.rawValue) value")
        }
    }

    static func fits(_ value: JSONValue, _ type: AccessType) -> Bool {
        switch (type, value) {
        case (.boolean, .bool), (.string, .string), (.integer, .integer), (.number, .integer), (.number, .double), (.object, .object): true
        default: false
        }
    }

    /// Evaluates with the typed accessor when `type` is given, else with `details`.
    func evaluate(in store: FlagStore) -> Outcome {
        switch type {
        case nil:
            return Outcome(store.details(flag, context: context)) { $0?.jsonValue ?? .null }
        case .boolean:
            return Outcome(store.booleanDetails(flag, default: defaultValue?.boolValue ?? false, context: context)) { .bool($0) }
        case .string:
            return Outcome(store.stringDetails(flag, default: defaultValue?.stringValue ?? "", context: context)) { .string($0) }
        case .integer:
            return Outcome(store.integerDetails(flag, default: defaultValue?.integerValue ?? 0, context: context)) { .integer($0) }
        case .number:
            return Outcome(store.numberDetails(flag, default: defaultValue?.doubleValue ?? 0, context: context)) { .double($0) }
        case .object:
            return Outcome(store.objectDetails(flag, default: defaultValue?.objectValue ?? [:], context: context)) { .object($0) }
        }
    }
}
