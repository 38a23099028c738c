import FlagRuntime

/// Lowers one flag's rules to flagd targeting: an `if` chain over the rules in order, each rule's window and
/// conditions as its test and its variant (or a `fractional` split) as its result, and `null` at the end so that
/// no match gives the default variant with reason `DEFAULT`.
///
/// Every condition is written so that flagd picks the same variant as `FlagRuntime` for every context: values of
/// another type than an operator compares never match (see `JSONLogic.isString` and friends), `not_in`/`neq`
/// need a present value of the right type, and splits only apply to a string bucketing value.
struct FlagdTargeting {
    /// The flag being lowered (for problem reports).
    let flag: Flag
    /// Problems found so far: what flagd cannot express.
    private(set) var problems: [FlagdExportError.Problem] = []
    /// Shared expressions (`$evaluators`), by name: the long checks of versions and timestamps, once per attribute.
    var evaluators: [String: JSONValue]

    /// The context value flagd injects with the evaluation time in Unix seconds.
    static let timestampVariable = "$flagd.timestamp"
    /// The context attribute that carries the environment when the snapshot was compiled without `--env`.
    static let environmentAttribute = "environment"

    init(flag: Flag, evaluators: [String: JSONValue]) {
        self.flag = flag
        self.evaluators = evaluators
    }

    /// The flag's targeting, or nil when it has no rules (flagd then serves the default variant, `STATIC`).
    mutating func targeting() -> JSONValue? {
        guard !flag.rules.isEmpty else { return nil }
        var chain: [JSONValue] = []
        for (index, rule) in flag.rules.enumerated() {
            var tests = window(rule)
            tests += rule.conditions.map { condition($0, rule: index) }
            switch rule.outcome {
            case .serve(let variant):
                chain += [JSONLogic.and(tests), .string(variant)]
            case .split(let split):
                let value = attribute(split.bucketBy, rule: index)
                tests.append(JSONLogic.isString(value))
                var arguments = [JSONLogic.op("cat", .string(split.seed), value)]
                arguments += split.buckets.map { JSONValue.array([.string($0.variant), .integer(Int64($0.weight))]) }
                chain += [JSONLogic.and(tests), JSONLogic.op("fractional", arguments: arguments)]
            }
        }
        chain.append(.null)
        return JSONLogic.op("if", arguments: chain)
    }

    /// `from ≤ $flagd.timestamp < until`, for the bounds the rule has.
    private func window(_ rule: Rule) -> [JSONValue] {
        let now = JSONLogic.variable(FlagdTargeting.timestampVariable)
        var tests: [JSONValue] = []
        if let from = rule.from { tests.append(JSONLogic.op("<=", .integer(from), now)) }
        if let until = rule.until { tests.append(JSONLogic.op("<", now, .integer(until))) }
        return tests
    }

    private mutating func condition(_ condition: Condition, rule: Int) -> JSONValue {
        switch condition {
        case .attribute(let name, let op, let operand):
            return matcher(op, operand, attribute(name, rule: rule))
        case .environment(let names):
            return JSONLogic.op("in", JSONLogic.variable(FlagdTargeting.environmentAttribute), JSONLogic.strings(names))
        case .segments(let segments):
            return JSONLogic.or(segments.map { segment in
                JSONLogic.and(segment.conditions.map { self.condition($0, rule: rule) })
            })
        }
    }

    /// `{"var": name}`, after checking that flagd reads the attribute under that name.
    private mutating func attribute(_ name: String, rule: Int) -> JSONValue {
        if name.contains(".") {
            report(rule: rule, "attribute '\(name)' has a '.', which flagd reads as a path into nested objects ('a.b' is member 'b' of attribute 'a'); rename the attribute without dots")
        } else if name == "$flagd" {
            report(rule: rule, "attribute '$flagd' is where flagd puts its own values (flag key, timestamp); rename the attribute")
        }
        return JSONLogic.variable(name)
    }

    private mutating func report(rule: Int, _ message: String) {
        let problem = FlagdExportError.Problem(flagKey: flag.key, ruleIndex: rule, ruleName: flag.rules[rule].name, message: message)
        if !problems.contains(problem) { problems.append(problem) }
    }

    /// `expression`, or a `{"$ref": "flagc.<kind>.<attribute>"}` to it in `$evaluators` when `value` is an attribute
    /// whose name is plain ASCII letters, digits and `_`. flagd (flagd-core and the Go daemon) substitutes references
    /// as text, through regular expressions: other names could carry characters that the substitution rewrites
    /// (`\`, `$`, non-ASCII escapes), so their expressions stay inline.
    private mutating func shared(_ kind: String, _ value: JSONValue, _ expression: () -> JSONValue) -> JSONValue {
        guard let name = value["var"]?.stringValue, !name.isEmpty,
              name.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || $0 == 95 }) else {
            return expression()
        }
        let key = "flagc.\(kind).\(name)"
        if evaluators[key] == nil { evaluators[key] = expression() }
        return .object(["$ref": .string(key)])
    }

    /// One operator applied to `value`, with flagc's typing: no conversions, absent values never match (except
    /// `exists: false`).
    private mutating func matcher(_ op: Condition.Operator, _ operand: Condition.Operand, _ value: JSONValue) -> JSONValue {
        switch (op, operand) {
        case (.in, .strings(let list)):
            // A string list only holds strings, and `in` on a list compares with `==`, which never makes a
            // string equal to anything but the same string.
            return JSONLogic.op("in", value, JSONLogic.strings(list))
        case (.notIn, .strings(let list)):
            return JSONLogic.and([JSONLogic.isString(value), JSONLogic.not(JSONLogic.op("in", value, JSONLogic.strings(list)))])
        case (.in, .numbers(let list)):
            return JSONLogic.and([JSONLogic.isNumber(value), JSONLogic.op("in", value, JSONLogic.numbers(list))])
        case (.notIn, .numbers(let list)):
            return JSONLogic.and([JSONLogic.isNumber(value), JSONLogic.not(JSONLogic.op("in", value, JSONLogic.numbers(list)))])
        case (.intersects, .strings(let list)):
            // A single string counts as a one-member list.
            return JSONLogic.or([
                JSONLogic.op("in", value, JSONLogic.strings(list)),
                JSONLogic.op("some", value, JSONLogic.op("in", JSONLogic.variable(""), JSONLogic.strings(list))),
            ])
        case (.eq, .string(let text)):
            return JSONLogic.op("===", value, .string(text))
        case (.neq, .string(let text)):
            return JSONLogic.and([JSONLogic.isString(value), JSONLogic.op("!==", value, .string(text))])
        case (.eq, .number(let number)):
            return JSONLogic.and([JSONLogic.isNumber(value), JSONLogic.op("===", value, .double(number))])
        case (.neq, .number(let number)):
            return JSONLogic.and([JSONLogic.isNumber(value), JSONLogic.op("!==", value, .double(number))])
        case (.eq, .boolean(let flag)):
            return JSONLogic.isBoolean(value, flag)
        case (.neq, .boolean(let flag)):
            return JSONLogic.isBoolean(value, !flag)
        case (.startsWith, .string(let text)):
            return JSONLogic.op("starts_with", value, .string(text))
        case (.endsWith, .string(let text)):
            return JSONLogic.op("ends_with", value, .string(text))
        case (.contains, .string(let text)):
            // `in` with a string haystack is a substring test, with a list haystack a membership test.
            return JSONLogic.op("in", .string(text), value)
        case (.lt, .number(let number)), (.lte, .number(let number)), (.gt, .number(let number)), (.gte, .number(let number)):
            let symbol = [Condition.Operator.lt: "<", .lte: "<=", .gt: ">", .gte: ">="][op]!
            return JSONLogic.and([JSONLogic.isNumber(value), JSONLogic.op(symbol, value, .double(number))])
        case (.semverEq, .string(let text)), (.semverLt, .string(let text)), (.semverLte, .string(let text)),
             (.semverGt, .string(let text)), (.semverGte, .string(let text)):
            guard let version = SemanticVersion(text) else { return .bool(false) }
            let symbol = [Condition.Operator.semverEq: "=", .semverLt: "<", .semverLte: "<=", .semverGt: ">", .semverGte: ">="][op]!
            // flagd also strips a leading `V` and pads `2` and `2.4` to `2.0.0` and `2.4.0`; flagc does neither.
            return JSONLogic.and([
                JSONLogic.isString(value),
                JSONLogic.not(JSONLogic.op("starts_with", value, .string("V"))),
                shared("semver_form", value) { JSONLogic.fullVersionForm(value) },
                JSONLogic.op("sem_ver", value, .string(symbol), .string(version.description)),
            ])
        case (.before, .timestamp(let instant)), (.after, .timestamp(let instant)):
            return JSONLogic.and([
                JSONLogic.isString(value),
                shared("rfc3339_valid", value) { JSONLogic.rfc3339(value).valid },
                JSONLogic.op(op == .before ? "<" : ">", shared("rfc3339_seconds", value) { JSONLogic.rfc3339(value).seconds }, .integer(instant)),
            ])
        case (.exists, .boolean(let present)):
            return JSONLogic.op(present ? "!==" : "===", value, .null)
        default:
            // An operator/operand pairing the compiler never produces; FlagRuntime matches nothing either.
            return .bool(false)
        }
    }
}
