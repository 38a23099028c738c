/// Turns JSON context members (`flagc eval`, `diff --population`, test files, `flagc serve`'s OFREP requests) into an `EvaluationContext`: `targetingKey` and `environment` (strings) set those
/// fields; any other member becomes an attribute (string, number, boolean or array of strings).
package enum ContextJSON {
    /// A member that cannot be a context value, with a message naming it.
    package struct ShapeError: Error, CustomStringConvertible {
        /// The member.
        package var name: String
        /// What it is instead, for example `null` or `an object`.
        package var found: String
        /// What it must be.
        package var expected: String

        /// `member 'NAME' is FOUND; EXPECTED`.
        package var description: String { "member '\(name)' is \(found); \(expected)" }
    }

    /// What an attribute may be.
    package static let attributeForms = "an attribute is a string, a number, a boolean or an array of strings"

    /// Adds `members` to `context`; members already there are replaced. Throws naming the first bad member (by name).
    ///
    /// The fields are gathered first and the context built once: setting a context's fields one by one gives it new
    /// shared storage each time (an allocation per member, on every OFREP request).
    package static func apply(_ members: [String: JSONValue], to context: inout EvaluationContext) throws(ShapeError) {
        var targetingKey = context.targetingKey, environment = context.environment
        var attributes = context.attributes
        attributes.reserveCapacity(attributes.count + members.count)
        var bad: [String] = []
        for (name, json) in members {
            switch name {
            case "targetingKey":
                guard case .string(let key) = json else { bad.append(name); continue }
                targetingKey = key
            case "environment":
                guard case .string(let value) = json else { bad.append(name); continue }
                environment = value
            default:
                guard let value = attribute(json) else { bad.append(name); continue }
                attributes[name] = value
            }
        }
        context = EvaluationContext(targetingKey: targetingKey, attributes: attributes, environment: environment)
        guard let name = bad.min(by: { precedesByUTF8($0, $1) }), let json = members[name] else { return }
        let isField = name == "targetingKey" || name == "environment"
        throw ShapeError(name: name, found: kind(of: json), expected: isField ? "it must be a string" : attributeForms)
    }

    /// The attribute a JSON value stands for, or nil for null, objects and arrays that are not all strings.
    @inline(__always)
    package static func attribute(_ json: JSONValue) -> ContextValue? {
        switch json {
        case .string(let string): return .string(string)
        case .integer(let integer): return .number(Double(integer))
        case .double(let number): return .number(number)
        case .bool(let flag): return .boolean(flag)
        case .array(let elements):
            var strings: [String] = []
            strings.reserveCapacity(elements.count)
            for element in elements {
                guard case .string(let string) = element else { return nil }
                strings.append(string)
            }
            return .strings(strings)
        case .null, .object:
            return nil
        }
    }

    /// What a JSON value is, for messages: `null`, `an object`, `an array with a number`, …
    package static func kind(of json: JSONValue) -> String {
        switch json {
        case .null: return "null"
        case .bool: return "a boolean"
        case .integer, .double: return "a number"
        case .string: return "a string"
        case .object: return "an object"
        case .array(let elements):
            if let other = elements.first(where: { $0.stringValue == nil }) { return "an array with \(kind(of: other)) in it" }
            return "an array"
        }
    }
}
