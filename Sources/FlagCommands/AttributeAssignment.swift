import ArgumentParser
import FlagCompiler
import FlagRuntime

/// One `--attr` argument: `name=value` (a string) or `name:=JSON` (a typed value from a JSON literal).
enum AttributeAssignment {
    /// The accepted forms, for usage errors.
    static let forms = "write name=value for a string, or name:=JSON for a number, boolean or list of strings (seats:=25, beta:=true, groups:='[\"a\",\"b\"]')"

    /// Parses `text` and sets the attribute (or, for `targetingKey` and `environment`, the context field) it names.
    static func apply(_ text: String, to context: inout EvaluationContext) throws {
        guard let equals = text.firstIndex(of: "=") else {
            throw ValidationError("--attr '\(text)' has no '='; \(forms)")
        }
        let typed = equals > text.startIndex && text[text.index(before: equals)] == ":"
        let name = String(text[..<(typed ? text.index(before: equals) : equals)])
        let rest = String(text[text.index(after: equals)...])
        guard !name.isEmpty else {
            throw ValidationError("--attr '\(text)' has no attribute name before '\(typed ? ":=" : "=")'; \(forms)")
        }
        let json: JSONValue
        if typed {
            do {
                json = try JSONValue(parsing: rest)
            } catch {
                throw ValidationError("--attr '\(text)': the value after ':=' is not a JSON literal (\(error)); \(forms)")
            }
        } else {
            json = .string(rest)
        }
        do {
            try ContextJSON.apply([name: json], to: &context)
        } catch {
            throw ValidationError("--attr '\(text)': the value is \(error.found) (\(error.expected)); \(forms)")
        }
    }
}
