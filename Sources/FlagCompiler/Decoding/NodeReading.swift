import FlagRuntime

/// The allowed fields of a mapping, by name. Mappings in flag files have a handful of fields (and no
/// duplicates: the parser drops them), so a linear search beats hashing them into a dictionary per mapping.
struct Fields {
    private let pairs: [YAMLPair]

    init(_ pairs: [YAMLPair]) {
        self.pairs = pairs
    }

    subscript(name: String) -> YAMLPair? {
        pairs.first { $0.name == name }
    }

    var isEmpty: Bool { pairs.isEmpty }
}

/// Typed reads of YAML nodes that report what is wrong where, shared by the flag-file and config decoders.
extension FileDiagnostics {
    /// The fields of a mapping, keyed by name; reports a non-mapping and every field not in `allowed`.
    mutating func fields(of node: YAMLNode, allowed: [String], in context: @autoclosure () -> String) -> Fields? {
        guard let pairs = node.mapping else {
            report(.wrongType, at: node.location, "\(context()) must be a mapping of fields (\(allowed.joined(separator: ", "))), not \(node.kindDescription)")
            return nil
        }
        // Usually every field is allowed, and the fields share the mapping's storage.
        guard pairs.contains(where: { !allowed.contains($0.name) }) else { return Fields(pairs) }
        var fields: [YAMLPair] = []
        for pair in pairs {
            if allowed.contains(pair.name) {
                fields.append(pair)
            } else {
                reportUnknownField(pair, allowed: allowed, in: context())
            }
        }
        return Fields(fields)
    }

    mutating func reportUnknownField(_ pair: YAMLPair, allowed: [String], in context: String) {
        let suggestion = Suggestions.closest(to: pair.name, in: allowed)
        let hint = suggestion.map { "did you mean '\($0)'?" } ?? "allowed fields: \(allowed.joined(separator: ", "))"
        report(.unknownField, at: pair.key.location, "unknown field '\(pair.name)' in \(context); \(hint)")
    }

    /// Reports an unquoted YAML 1.1 boolean where a name is expected; returns true when it did.
    mutating func reportAmbiguousName(_ node: YAMLNode, _ what: @autoclosure () -> String) -> Bool {
        guard let scalar = node.scalar, scalar.isYAML11Boolean else { return false }
        report(.yamlAmbiguousBoolean, at: node.location, "unquoted '\(scalar.value)' in \(what()) is a boolean to YAML 1.1 tools and a string to YAML 1.2 ones; quote it (\"\(scalar.value)\") if you mean the name, or write true/false")
        return true
    }

    /// Reports an unquoted number with a leading zero where a number is expected; returns true when it did.
    mutating func reportAmbiguousNumber(_ node: YAMLNode, _ what: @autoclosure () -> String) -> Bool {
        guard let scalar = node.scalar, scalar.isYAML11Octal else { return false }
        report(.yamlAmbiguousNumber, at: node.location, "'\(scalar.value)' in \(what()) is octal to YAML 1.1 tools and decimal to YAML 1.2 ones; drop the leading zero, or quote it for text")
        return true
    }

    /// Free text (descriptions): any non-empty scalar, taken as written.
    mutating func text(_ node: YAMLNode, _ what: @autoclosure () -> String) -> String? {
        guard let scalar = node.scalar, !(scalar.isPlain && scalar.resolved == .null) else {
            report(.wrongType, at: node.location, "\(what()) must be text, not \(node.kindDescription)")
            return nil
        }
        guard scalar.value.contains(where: { !$0.isWhitespace }) else {
            report(.wrongType, at: node.location, "\(what()) is empty; write some text or remove the field")
            return nil
        }
        return scalar.value
    }

    /// A name (flag key, variant, segment, user id, environment): a scalar string or number, taken as written.
    mutating func name(_ node: YAMLNode, _ what: @autoclosure () -> String) -> String? {
        guard let scalar = node.scalar else {
            report(.wrongType, at: node.location, "\(what()) must be a name, not \(node.kindDescription)")
            return nil
        }
        if reportAmbiguousName(node, what()) { return nil }
        switch scalar.resolved {
        case .null:
            report(.wrongType, at: node.location, "\(what()) is empty; write a name")
            return nil
        case .bool:
            report(.wrongType, at: node.location, "\(what()) must be a name, not the boolean \(scalar.value); quote it (\"\(scalar.value)\") if you mean the name")
            return nil
        case .string, .integer, .float:
            guard !scalar.value.isEmpty else {
                report(.wrongType, at: node.location, "\(what()) is empty; write a name")
                return nil
            }
            return scalar.value
        }
    }

    /// A boolean written `true` or `false`.
    mutating func bool(_ node: YAMLNode, _ what: @autoclosure () -> String) -> Bool? {
        if let scalar = node.scalar, scalar.isYAML11Boolean {
            report(.yamlAmbiguousBoolean, at: node.location, "'\(scalar.value)' in \(what()) is a boolean only to YAML 1.1 tools; write true or false")
            return nil
        }
        guard let scalar = node.scalar, case .bool(let value) = scalar.resolved else {
            report(.wrongType, at: node.location, "\(what()) must be true or false, not \(node.kindDescription)")
            return nil
        }
        return value
    }

    /// A number (integer or decimal).
    mutating func number(_ node: YAMLNode, _ what: @autoclosure () -> String) -> Double? {
        if reportAmbiguousNumber(node, what()) { return nil }
        switch node.scalar?.resolved {
        case .integer(let value): return Double(value)
        case .float(let value): return value
        default:
            report(.wrongType, at: node.location, "\(what()) must be a number, not \(node.kindDescription)")
            return nil
        }
    }

    /// A list; `what` names it for messages. Reports a scalar where a list is expected with the fix.
    mutating func list(_ node: YAMLNode, _ what: @autoclosure () -> String, allowEmpty: Bool = false) -> [YAMLNode]? {
        guard let items = node.sequence else {
            if let scalar = node.scalar, !(scalar.isPlain && scalar.resolved == .null) {
                report(.wrongType, at: node.location, "\(what()) must be a list; write [\(scalar.value)]")
            } else {
                report(.wrongType, at: node.location, "\(what()) must be a list, not \(node.kindDescription)")
            }
            return nil
        }
        if items.isEmpty && !allowEmpty {
            report(.emptyList, at: node.location, "\(what()) is an empty list, which can never match; add entries or remove the field")
            return nil
        }
        return items
    }

    /// A non-empty list of names.
    mutating func names(_ node: YAMLNode, _ what: @autoclosure () -> String) -> [Located<String>]? {
        guard let items = list(node, what()) else { return nil }
        var names: [Located<String>] = []
        var valid = true
        for item in items {
            if let name = name(item, "an entry of \(what())") {
                names.append(Located(value: name, location: item.location))
            } else {
                valid = false
            }
        }
        return valid ? names : nil
    }

    /// An RFC 3339 date-time, to Unix seconds.
    mutating func dateTime(_ node: YAMLNode, _ what: @autoclosure () -> String) -> Located<Int64>? {
        guard let scalar = node.scalar, case .string(let text) = scalar.resolved else {
            report(.invalidTimestamp, at: node.location, "\(what()) must be an RFC 3339 timestamp such as 2026-12-31T23:59:59Z, not \(node.kindDescription)")
            return nil
        }
        guard let seconds = Timestamp.parseDateTime(text) else {
            let hint = Timestamp.parseDate(text) != nil
                ? "add a time and offset, for example \(text)T00:00:00Z"
                : "write it like 2026-12-31T23:59:59Z (a date, 'T', a time and an offset such as Z or +02:00)"
            report(.invalidTimestamp, at: node.location, "'\(text)' in \(what()) is not an RFC 3339 timestamp; \(hint)")
            return nil
        }
        if Timestamp.isLeapSecond(text) {
            report(.invalidTimestamp, at: node.location, "'\(text)' in \(what()) has second 60 (a leap second), which Unix time cannot hold and flagc would read as :59; write :59 instead")
            return nil
        }
        return Located(value: seconds, location: node.location)
    }

    /// A JSON value from YAML (object variant values, metadata).
    mutating func jsonValue(_ node: YAMLNode, _ what: @autoclosure () -> String) -> JSONValue? {
        switch node.content {
        case .scalar(let scalar):
            if scalar.isYAML11Boolean {
                _ = reportAmbiguousName(node, what())
                return nil
            }
            if reportAmbiguousNumber(node, what()) { return nil }
            switch scalar.resolved {
            case .null: return .null
            case .bool(let value): return .bool(value)
            case .integer(let value): return .integer(value)
            case .float(let value): return .double(value)
            case .string(let value): return .string(value)
            }
        case .sequence(let items):
            var values: [JSONValue] = []
            for item in items {
                guard let value = jsonValue(item, what()) else { return nil }
                values.append(value)
            }
            return .array(values)
        case .mapping(let pairs):
            var object: [String: JSONValue] = [:]
            for pair in pairs {
                if reportAmbiguousName(pair.key, "a key of \(what())") { return nil }
                guard let value = jsonValue(pair.value, what()) else { return nil }
                object[pair.name] = value
            }
            return .object(object)
        }
    }
}
