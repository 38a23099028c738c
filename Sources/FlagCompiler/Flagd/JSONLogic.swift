import FlagRuntime

/// Builders for the JSONLogic expressions of a flagd document, as `JSONValue`s.
///
/// The builders only use operators whose behaviour flagd's evaluators agree on, and fold constants
/// (`and` with `true`, `or` with `false`), so that the exported targeting stays as short as it can be.
/// flagd's JSON Schema requires `and`/`or` to have at least one argument; `and([])` is `true` and `or([])` is
/// `false`, never an empty operator.
enum JSONLogic {
    /// `{"<name>": [arguments…]}`.
    static func op(_ name: String, _ arguments: JSONValue...) -> JSONValue {
        .object([name: .array(arguments)])
    }

    /// `{"<name>": [arguments…]}` with the arguments as an array.
    static func op(_ name: String, arguments: [JSONValue]) -> JSONValue {
        .object([name: .array(arguments)])
    }

    /// `{"var": "<name>"}`: a context value (`nil` in the evaluator when absent).
    static func variable(_ name: String) -> JSONValue {
        .object(["var": .string(name)])
    }

    /// Every term holds; `true` for no terms.
    static func and(_ terms: [JSONValue]) -> JSONValue {
        var kept: [JSONValue] = []
        for term in terms {
            switch term {
            case .bool(true): continue
            case .bool(false): return .bool(false)
            case .object(let members) where members.count == 1 && members["and"] != nil:
                kept += members["and"]?.arrayValue ?? []
            default: kept.append(term)
            }
        }
        switch kept.count {
        case 0: return .bool(true)
        case 1: return kept[0]
        default: return op("and", arguments: kept)
        }
    }

    /// At least one term holds; `false` for no terms.
    static func or(_ terms: [JSONValue]) -> JSONValue {
        var kept: [JSONValue] = []
        for term in terms {
            switch term {
            case .bool(false): continue
            case .bool(true): return .bool(true)
            case .object(let members) where members.count == 1 && members["or"] != nil:
                kept += members["or"]?.arrayValue ?? []
            default: kept.append(term)
            }
        }
        switch kept.count {
        case 0: return .bool(false)
        case 1: return kept[0]
        default: return op("or", arguments: kept)
        }
    }

    /// Logical negation, `{"!": [term]}` (the argument is wrapped, so that a literal array stays one argument).
    static func not(_ term: JSONValue) -> JSONValue {
        switch term {
        case .bool(let value): return .bool(!value)
        default: return op("!", term)
        }
    }

    /// A list literal of strings.
    static func strings(_ values: [String]) -> JSONValue {
        .array(values.map(JSONValue.string))
    }

    /// A list literal of numbers.
    static func numbers(_ values: [Double]) -> JSONValue {
        .array(values.map(JSONValue.double))
    }

    // MARK: Type guards
    //
    // JSONLogic has no `typeof`, and its `==`, `in` and comparisons convert between types (in Python `True == 1`,
    // and `"3" < 5` compares numbers). flagc never converts: a value of another type than the operator compares
    // never matches. These guards restore that, using only `cat`, `+`, `===` and `in`.

    /// Holds exactly when `value` is a string: `cat` turns anything else into a string, so only a string equals
    /// its own `cat`.
    static func isString(_ value: JSONValue) -> JSONValue {
        op("===", op("cat", value), value)
    }

    /// The text `cat` gives for `true` and `false`, in the spellings evaluators use (`true` in JavaScript and Go,
    /// `True` in Python, whose booleans are also integers).
    static let booleanTexts = ["true", "false", "True", "False"]

    /// Holds exactly when `value` is a number (not a boolean, not a numeric string): adding zero gives the value
    /// back only for numbers and booleans, and `cat` tells booleans apart.
    static func isNumber(_ value: JSONValue) -> JSONValue {
        and([op("===", op("+", value), value), not(op("in", op("cat", value), strings(booleanTexts)))])
    }

    /// Holds exactly when `value` is the boolean `expected` (not `1`, `0`, `"true"` or `["true"]`).
    static func isBoolean(_ value: JSONValue, _ expected: Bool) -> JSONValue {
        and([op("===", value, .bool(expected)), op("in", op("cat", value), strings(expected ? ["true", "True"] : ["false", "False"]))])
    }
}
