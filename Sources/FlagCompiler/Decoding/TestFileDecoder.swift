import FlagRuntime

/// Decodes one test file's YAML tree into a `FlagTestFile`, checking what the file decides on its own: fields and
/// types, timestamps, matrices and their `${name}` placeholders. Each entry is expanded here, one case per matrix
/// row; references to flags, variants, rules and environments are checked across files (`TestUnknownReference`).
struct TestFileDecoder {
    static let fileFields = ["tests"]
    static let caseFields = ["name", "flag", "env", "at", "context", "expect", "matrix", "distribution"]
    static let expectFields = ["value", "variant", "reason", "rule", "error"]
    static let distributionFields = ["samples", "expect", "tolerance", "bucket_by", "seed"]
    /// The most cases one entry's matrix may expand to.
    static let maximumRows = 100_000
    /// The most contexts one distribution may evaluate.
    static let maximumSamples = 1_000_000
    /// The most evaluations one entry may cause (matrix rows × distribution samples), per environment.
    static let maximumEvaluations = 10_000_000

    var diagnostics: FileDiagnostics

    init(file: String) {
        self.diagnostics = FileDiagnostics(file: file)
    }

    mutating func decode(_ root: YAMLNode?) -> FlagTestFile {
        var file = FlagTestFile(path: diagnostics.file)
        guard let root else {
            diagnostics.report(.emptyFile, at: SourceLocation(line: 1, column: 1), "the test file holds no tests; add a 'tests:' list or delete the file")
            return file
        }
        guard let fields = diagnostics.fields(of: root, allowed: Self.fileFields, in: "a test file") else { return file }
        guard let tests = fields["tests"] else {
            diagnostics.report(.missingField, at: root.location, "a test file needs a 'tests:' list of cases")
            return file
        }
        if tests.value.sequence?.isEmpty == true {
            diagnostics.report(.emptyList, at: tests.value.location, "'tests' is an empty list; add a case or delete the file")
            return file
        }
        guard let items = diagnostics.list(tests.value, "'tests'") else { return file }
        for item in items { decodeEntry(item, into: &file.cases) }
        return file
    }

    /// The number of problems reported so far, to tell whether decoding a part added one.
    private var problemCount: Int { diagnostics.collector.diagnostics.count + diagnostics.collector.suppressed.count }

    /// One `tests:` entry: its fields, then one case per matrix row (or one case without a matrix).
    private mutating func decodeEntry(_ item: YAMLNode, into cases: inout [FlagTestCase]) {
        guard let fields = diagnostics.fields(of: item, allowed: Self.caseFields, in: "a test") else { return }
        let problems = problemCount
        for required in ["name", "flag"] where fields[required] == nil {
            diagnostics.report(.missingField, at: item.location, "a test needs '\(required)'")
        }
        let name = fields["name"].flatMap { diagnostics.text($0.value, "a test's 'name'") }.map { Located(value: $0, location: fields["name"]!.value.location) }
        let flag = fields["flag"].flatMap { pair in diagnostics.name(pair.value, "a test's 'flag'").map { Located(value: $0, location: pair.value.location) } }
        let environment = fields["env"].flatMap { pair in diagnostics.name(pair.value, "a test's 'env'").map { Located(value: $0, location: pair.value.location) } }
        let at = fields["at"].flatMap { diagnostics.dateTime($0.value, "a test's 'at'") }
        let matrix = fields["matrix"].map { decodeMatrix($0.value) } ?? []
        let context = fields["context"].map { templates($0.value, "a test's 'context'") } ?? []
        let expect = fields["expect"].map { templates($0.value, "a test's 'expect'", allowed: Self.expectFields) }
        if let pair = fields["expect"], expect?.isEmpty == true, problemCount == problems {
            diagnostics.report(.missingField, at: pair.value.location, "'expect' needs at least one of \(Self.expectFields.joined(separator: ", ")); an empty expectation would pass whatever the flag does")
        }
        let distribution = fields["distribution"].flatMap { decodeDistribution($0.value) }
        switch (fields["expect"], fields["distribution"]) {
        case (nil, nil):
            diagnostics.report(.missingField, at: item.location, "a test needs 'expect' (what one evaluation gives) or 'distribution' (the shares of many)")
        case (_?, let both?):
            diagnostics.report(.wrongType, at: both.key.location, "a test has 'expect' or 'distribution', not both; split it into two tests")
        default:
            break
        }
        guard problemCount == problems, let name, let flag else { return }

        let names = matrix.map(\.name)
        var placeholders: [Located<String>] = [Located(value: name.value, location: name.location)]
        for (_, template) in context + (expect ?? []) { Self.collectStrings(template.value, at: template.location, into: &placeholders) }
        var unknown = false
        for text in placeholders {
            for placeholder in Self.placeholders(in: text.value) where !names.contains(placeholder) {
                diagnostics.collector.add(TestUnknownReference.unknownPlaceholder(placeholder, in: diagnostics.file, at: text.location, matrix: names))
                unknown = true
            }
        }
        if unknown { return }

        let rowCount = matrix.reduce(1) { count, axis in count > Self.maximumRows ? count : count * axis.values.count }
        guard rowCount <= Self.maximumRows, cases.count + rowCount <= Self.maximumRows else {
            let why = rowCount <= Self.maximumRows ? "with the tests before it, the file expands to more than \(Self.maximumRows) cases" : "the matrix expands to more than \(Self.maximumRows) cases"
            diagnostics.report(.inputLimit, at: fields["matrix"]?.value.location ?? item.location, "\(why); split the tests over several files")
            return
        }
        if let distribution, rowCount * distribution.samples > Self.maximumEvaluations {
            diagnostics.report(.inputLimit, at: fields["distribution"]?.value.location, "\(rowCount) matrix rows × \(distribution.samples) samples is more than \(Self.maximumEvaluations) evaluations; use fewer samples or rows")
            return
        }
        cases.reserveCapacity(cases.count + rowCount)
        for index in 0..<rowCount {
            // The first matrix entry varies slowest, as the rows read in the file.
            var rest = index
            var row: [String: JSONValue] = [:]
            var shown: [FlagTestMatrixValue] = []
            for axis in matrix.reversed() {
                let value = axis.values[rest % axis.values.count]
                rest /= axis.values.count
                row[axis.name] = value
                shown.insert(FlagTestMatrixValue(name: axis.name, value: Self.text(of: value)), at: 0)
            }
            let problems = problemCount
            let evaluationContext = resolveContext(context, row: row)
            let expectation = expect.map { resolveExpectation($0, row: row) }
            // A row that does not resolve fails like every other row would: report it once.
            guard problemCount == problems, let evaluationContext else { return }
            cases.append(FlagTestCase(
                location: item.location,
                name: Self.text(of: Self.substitute(.string(name.value), row)),
                flag: flag, environment: environment, at: at?.value, context: evaluationContext,
                expectation: expectation, distribution: distribution, row: shown
            ))
        }
    }

    // MARK: Parts of an entry

    /// `matrix: { name: [values…] }`, in the order written.
    private mutating func decodeMatrix(_ node: YAMLNode) -> [(name: String, values: [JSONValue])] {
        guard let pairs = node.mapping else {
            diagnostics.report(.wrongType, at: node.location, "a test's 'matrix' must be a mapping from names to lists of values, not \(node.kindDescription)")
            return []
        }
        var axes: [(name: String, values: [JSONValue])] = []
        for pair in pairs {
            guard let items = diagnostics.list(pair.value, "matrix entry '\(pair.name)'") else { continue }
            var values: [JSONValue] = []
            for item in items {
                guard let value = diagnostics.jsonValue(item, "matrix entry '\(pair.name)'") else { continue }
                if value.arrayValue != nil || value.objectValue != nil || value.isNull {
                    diagnostics.report(.wrongType, at: item.location, "a value of matrix entry '\(pair.name)' must be a string, number or boolean, not \(item.kindDescription)")
                    continue
                }
                values.append(value)
            }
            axes.append((pair.name, values))
        }
        return axes
    }

    /// A mapping's fields as JSON values with their places (the templates that rows fill in).
    private mutating func templates(_ node: YAMLNode, _ what: String, allowed: [String]? = nil) -> [(String, Located<JSONValue>)] {
        let pairs: [YAMLPair]
        if let allowed {
            guard let fields = diagnostics.fields(of: node, allowed: allowed, in: what) else { return [] }
            pairs = allowed.compactMap { fields[$0] }
        } else {
            guard let mapping = node.mapping else {
                diagnostics.report(.wrongType, at: node.location, "\(what) must be a mapping of fields, not \(node.kindDescription)")
                return []
            }
            pairs = mapping
        }
        return pairs.compactMap { pair in
            diagnostics.jsonValue(pair.value, "'\(pair.name)' in \(what)").map { (pair.name, Located(value: $0, location: pair.value.location)) }
        }
    }

    private mutating func decodeDistribution(_ node: YAMLNode) -> FlagTestDistribution? {
        guard let fields = diagnostics.fields(of: node, allowed: Self.distributionFields, in: "a test's 'distribution'") else { return nil }
        var valid = true
        var samples = 0
        if let pair = fields["samples"] {
            let count = diagnostics.number(pair.value, "'samples'")
            if let count, count >= 1, count <= Double(Self.maximumSamples), count == count.rounded() {
                samples = Int(count)
            } else {
                if count != nil { diagnostics.report(.wrongType, at: pair.value.location, "'samples' must be a whole number from 1 to \(Self.maximumSamples)") }
                valid = false
            }
        } else {
            diagnostics.report(.missingField, at: node.location, "a distribution needs 'samples', the number of contexts to evaluate (for example 10000)")
            valid = false
        }
        var shares: [(variant: Located<String>, percent: Double)] = []
        if let pair = fields["expect"] {
            if let entries = pair.value.mapping, !entries.isEmpty {
                for entry in entries {
                    let percent = diagnostics.number(entry.value, "the share of '\(entry.name)'")
                    if let percent, percent >= 0, percent <= 100 {
                        shares.append((Located(value: entry.name, location: entry.key.location), percent))
                    } else {
                        if percent != nil { diagnostics.report(.wrongType, at: entry.value.location, "the share of '\(entry.name)' is a percentage from 0 to 100") }
                        valid = false
                    }
                }
            } else {
                diagnostics.report(.wrongType, at: pair.value.location, "a distribution's 'expect' must map variants to their share in percent, like { blue: 50, green: 50 }, not \(pair.value.kindDescription)")
                valid = false
            }
        } else {
            diagnostics.report(.missingField, at: node.location, "a distribution needs 'expect', each variant's share in percent")
            valid = false
        }
        var tolerance = 1.0
        if let pair = fields["tolerance"] {
            let points = diagnostics.number(pair.value, "'tolerance'")
            if let points, points >= 0, points <= 100 {
                tolerance = points
            } else {
                if points != nil { diagnostics.report(.wrongType, at: pair.value.location, "'tolerance' is a number of percentage points from 0 to 100, for example 1") }
                valid = false
            }
        }
        let bucketBy = fields["bucket_by"].flatMap { diagnostics.name($0.value, "'bucket_by'") } ?? Condition.targetingKey
        let seed = fields["seed"].flatMap { diagnostics.name($0.value, "'seed'") } ?? "sample"
        return valid ? FlagTestDistribution(samples: samples, shares: shares, tolerance: tolerance, bucketBy: bucketBy, seed: seed) : nil
    }

    /// The context of one row; nil when a member cannot be a context value (reported).
    private mutating func resolveContext(_ templates: [(String, Located<JSONValue>)], row: [String: JSONValue]) -> EvaluationContext? {
        var context = EvaluationContext()
        var valid = true
        for (name, template) in templates {
            if name == "environment" {
                diagnostics.report(.wrongType, at: template.location, "a test's context does not set 'environment'; give the test 'env: NAME' instead")
                valid = false
                continue
            }
            do {
                try ContextJSON.apply([name: Self.substitute(template.value, row)], to: &context)
            } catch {
                diagnostics.report(.wrongType, at: template.location, "context \(error)")
                valid = false
            }
        }
        return valid ? context : nil
    }

    /// The expectation of one row, each field checked for its type.
    private mutating func resolveExpectation(_ templates: [(String, Located<JSONValue>)], row: [String: JSONValue]) -> FlagTestExpectation {
        var expectation = FlagTestExpectation()
        for (field, template) in templates {
            let value = Self.substitute(template.value, row)
            let location = template.location
            switch field {
            case "value":
                expectation.value = Located(value: value, location: location)
            case "variant":
                if let name = Self.scalarText(value) {
                    expectation.variant = Located(value: name, location: location)
                } else {
                    diagnostics.report(.wrongType, at: location, "'variant' must be a variant name, not \(ContextJSON.kind(of: value))")
                }
            case "reason":
                expectation.reason = word(value, "reason", "an OpenFeature reason", at: location)
            case "rule":
                if let position = value.integerValue {
                    if position >= 1 {
                        expectation.rule = Located(value: .position(Int(position)), location: location)
                    } else {
                        diagnostics.report(.wrongType, at: location, "'rule' counts from 1 (the flag's first rule); write a position from 1, or the rule's name")
                    }
                } else if let name = value.stringValue, !name.isEmpty {
                    expectation.rule = Located(value: .name(name), location: location)
                } else {
                    diagnostics.report(.wrongType, at: location, "'rule' must be a rule's name or its position from 1, not \(ContextJSON.kind(of: value))")
                }
            case "error":
                expectation.error = word(value, "error", "an OpenFeature error code", at: location)
            default:
                break
            }
        }
        return expectation
    }

    /// A field that names one word of a vocabulary (a reason, an error code); anything else is reported with the
    /// words there are.
    private mutating func word<Word: RawRepresentable & CaseIterable>(_ value: JSONValue, _ field: String, _ what: String, at location: SourceLocation) -> Located<Word>? where Word.RawValue == String {
        if let word = value.stringValue.flatMap(Word.init(rawValue:)) { return Located(value: word, location: location) }
        let words = Word.allCases.map(\.rawValue)
        let suggestion = value.stringValue.map { Suggestions.didYouMean($0, in: words) } ?? ""
        diagnostics.report(.wrongType, at: location, "'\(field)' must be \(what): \(words.joined(separator: ", "))\(suggestion)")
        return nil
    }

    // MARK: Placeholders

    /// Every `${name}` in `text`, in order.
    static func placeholders(in text: String) -> [String] {
        var names: [String] = []
        var rest = Substring(text)
        while let start = rest.firstRange(of: "${"), let end = rest[start.upperBound...].firstIndex(of: "}") {
            names.append(String(rest[start.upperBound..<end]))
            rest = rest[rest.index(after: end)...]
        }
        return names
    }

    /// `value` with every `${name}` in its strings replaced by the row's value; a string that is only `${name}`
    /// takes the value itself (so `seats: "${seats}"` stays a number).
    static func substitute(_ value: JSONValue, _ row: [String: JSONValue]) -> JSONValue {
        guard !row.isEmpty else { return value }
        switch value {
        case .string(let text):
            guard text.contains("${") else { return value }
            let names = placeholders(in: text)
            if names.count == 1, text == "${\(names[0])}", let whole = row[names[0]] { return whole }
            var result = text
            for name in names { if let replacement = row[name] { result = result.replacing("${\(name)}", with: Self.text(of: replacement)) } }
            return .string(result)
        case .array(let elements):
            return .array(elements.map { substitute($0, row) })
        case .object(let members):
            return .object(members.mapValues { substitute($0, row) })
        case .null, .bool, .integer, .double:
            return value
        }
    }

    /// Every string in a template, for the placeholder check.
    private static func collectStrings(_ value: JSONValue, at location: SourceLocation, into strings: inout [Located<String>]) {
        switch value {
        case .string(let text) where text.contains("${"): strings.append(Located(value: text, location: location))
        case .array(let elements): for element in elements { collectStrings(element, at: location, into: &strings) }
        case .object(let members): for member in members.values { collectStrings(member, at: location, into: &strings) }
        default: break
        }
    }

    /// A scalar as text: a string as is, anything else as JSON.
    static func text(of value: JSONValue) -> String {
        value.stringValue ?? JSONWriter(style: .compact).string(value)
    }

    /// A name given as a scalar (`variant: true` names the variant `true`).
    private static func scalarText(_ value: JSONValue) -> String? {
        switch value {
        case .string(let text): text.isEmpty ? nil : text
        case .bool, .integer, .double: text(of: value)
        default: nil
        }
    }
}
