import FlagRuntime

/// Decoding `when` blocks: list conditions, environments, segment references and attribute matchers.
extension FileDecoder {
    /// The conditions of a `when` block, in a canonical order (so that reordering keys does not change the snapshot).
    mutating func decodeConditions(_ node: YAMLNode, context: String) -> [SourceCondition]? {
        guard let fields = diagnostics.fields(of: node, allowed: FileDecoder.conditionFields, in: context) else { return nil }
        var valid = true
        var conditions: [SourceCondition] = []
        func listCondition(_ field: String, attribute: String, op: Condition.Operator, into conditions: inout [SourceCondition], diagnostics: inout FileDiagnostics) -> Bool {
            guard let pair = fields[field] else { return true }
            guard let names = diagnostics.names(pair.value, "'\(field)'") else { return false }
            conditions.append(.attribute(.attribute(name: attribute, op: op, operand: .strings(names.map(\.value)))))
            return true
        }
        if let pair = fields["environments"] {
            if let names = diagnostics.names(pair.value, "'environments'") { conditions.append(.environments(names)) } else { valid = false }
        }
        valid = listCondition("users", attribute: Condition.targetingKey, op: .in, into: &conditions, diagnostics: &diagnostics) && valid
        valid = listCondition("tenants", attribute: Condition.tenant, op: .in, into: &conditions, diagnostics: &diagnostics) && valid
        valid = listCondition("groups", attribute: Condition.groups, op: .intersects, into: &conditions, diagnostics: &diagnostics) && valid
        if let pair = fields["segments"] {
            if let names = diagnostics.names(pair.value, "'segments'") { conditions.append(.segments(names)) } else { valid = false }
        }
        if let pair = fields["attributes"] {
            if let attributes = decodeAttributes(pair.value) { conditions += attributes.map(SourceCondition.attribute) } else { valid = false }
        }
        if fields.isEmpty {
            diagnostics.report(.emptyList, at: node.location, "\(context) has no conditions; add one (\(FileDecoder.conditionFields.joined(separator: ", "))) or remove \(context)")
            valid = false
        }
        return valid ? conditions : nil
    }

    private mutating func decodeAttributes(_ node: YAMLNode) -> [Condition]? {
        guard let pairs = node.mapping, !pairs.isEmpty else {
            diagnostics.report(.wrongType, at: node.location, "'attributes' must map attribute names to matchers, for example { plan: [pro, enterprise] }")
            return nil
        }
        var conditions: [Condition] = []
        var valid = true
        for pair in pairs.sorted(by: { precedesByUTF8($0.name, $1.name) }) {
            guard let attribute = diagnostics.name(pair.key, "an attribute name") else {
                valid = false
                continue
            }
            if let hint = FileDecoder.reservedAttributes[attribute] {
                diagnostics.report(.reservedAttribute, at: pair.key.location, "'\(attribute)' is reserved; \(hint)")
                valid = false
                continue
            }
            if let matcher = decodeMatcher(pair.value, attribute: attribute) { conditions += matcher } else { valid = false }
        }
        return valid ? conditions : nil
    }

    /// A matcher: a list (in) or a mapping of operators that must all hold.
    private mutating func decodeMatcher(_ node: YAMLNode, attribute: String) -> [Condition]? {
        if node.sequence != nil {
            guard let operand = listOperand(node, what: "'\(attribute)'") else { return nil }
            return [.attribute(name: attribute, op: .in, operand: operand)]
        }
        guard let pairs = node.mapping, !pairs.isEmpty else {
            diagnostics.report(.wrongType, at: node.location, "the matcher of '\(attribute)' must be a list of values or a mapping of operators such as { gte: 2 }, not \(node.kindDescription)")
            return nil
        }
        var conditions: [(Condition.Operator, Condition)] = []
        var valid = true
        for pair in pairs {
            guard let op = Condition.Operator(rawValue: pair.name), op != .intersects else {
                diagnostics.reportUnknownField(pair, allowed: FileDecoder.matcherOperators, in: "the matcher of '\(attribute)'")
                valid = false
                continue
            }
            guard let operand = decodeOperand(pair.value, op: op, attribute: attribute) else {
                valid = false
                continue
            }
            conditions.append((op, .attribute(name: attribute, op: op, operand: operand)))
        }
        guard valid else { return nil }
        let order = Condition.Operator.allCases
        return conditions.sorted { order.firstIndex(of: $0.0)! < order.firstIndex(of: $1.0)! }.map(\.1)
    }

    private mutating func decodeOperand(_ node: YAMLNode, op: Condition.Operator, attribute: String) -> Condition.Operand? {
        let what = "'\(op.rawValue)' of '\(attribute)'"
        switch op {
        case .in, .notIn:
            return listOperand(node, what: what)
        case .eq, .neq:
            guard let scalar = node.scalar else {
                diagnostics.report(.matcherType, at: node.location, "\(what) compares with one value (a string, number or boolean), not \(node.kindDescription); use 'in' for a list")
                return nil
            }
            if scalar.isYAML11Boolean { _ = diagnostics.reportAmbiguousName(node, what); return nil }
            if diagnostics.reportAmbiguousNumber(node, what) { return nil }
            switch scalar.resolved {
            case .null:
                diagnostics.report(.matcherType, at: node.location, "\(what) has no value; use 'exists: false' to match a missing attribute")
                return nil
            case .bool(let value): return .boolean(value)
            case .integer(let value): return .number(Double(value))
            case .float(let value): return .number(value)
            case .string(let value): return .string(value)
            }
        case .startsWith, .endsWith, .contains:
            guard let scalar = node.scalar, !(scalar.isPlain && scalar.resolved == .null) else {
                diagnostics.report(.matcherType, at: node.location, "\(what) takes a string, not \(node.kindDescription)")
                return nil
            }
            if scalar.isYAML11Boolean { _ = diagnostics.reportAmbiguousName(node, what); return nil }
            if scalar.isPlain, case .bool = scalar.resolved {
                diagnostics.report(.matcherType, at: node.location, "\(what) takes a string, not a boolean; quote it if you mean the text")
                return nil
            }
            return .string(scalar.value)
        case .lt, .lte, .gt, .gte:
            if diagnostics.reportAmbiguousNumber(node, what) { return nil }
            switch node.scalar?.resolved {
            case .integer(let value): return .number(Double(value))
            case .float(let value): return .number(value)
            default:
                diagnostics.report(.matcherType, at: node.location, "\(what) compares numbers; write a number, not \(node.kindDescription) (use semver_* for versions, before/after for timestamps)")
                return nil
            }
        case .semverEq, .semverLt, .semverLte, .semverGt, .semverGte:
            guard let scalar = node.scalar, !(scalar.isPlain && scalar.resolved == .null) else {
                diagnostics.report(.invalidSemver, at: node.location, "\(what) takes a semantic version such as 2.4.0, not \(node.kindDescription)")
                return nil
            }
            guard SemanticVersion(scalar.value) != nil else {
                diagnostics.report(.invalidSemver, at: node.location, "'\(scalar.value)' in \(what) is not a semantic version; write MAJOR.MINOR.PATCH such as 2.4.0 (quote it in YAML if it looks like a number)")
                return nil
            }
            return .string(scalar.value)
        case .before, .after:
            return diagnostics.dateTime(node, what).map { .timestamp($0.value) }
        case .exists:
            return diagnostics.bool(node, what).map { .boolean($0) }
        case .intersects:
            return nil
        }
    }

    /// A non-empty list of strings or of numbers (not mixed).
    private mutating func listOperand(_ node: YAMLNode, what: String) -> Condition.Operand? {
        guard let items = diagnostics.list(node, what) else { return nil }
        var strings: [String] = []
        var numbers: [Double] = []
        for item in items {
            guard let scalar = item.scalar else {
                diagnostics.report(.matcherType, at: item.location, "an entry of \(what) must be a string or number, not \(item.kindDescription)")
                return nil
            }
            if scalar.isYAML11Boolean { _ = diagnostics.reportAmbiguousName(item, "an entry of \(what)"); return nil }
            if diagnostics.reportAmbiguousNumber(item, "an entry of \(what)") { return nil }
            switch scalar.resolved {
            case .integer(let value): numbers.append(Double(value))
            case .float(let value): numbers.append(value)
            case .string(let value): strings.append(value)
            case .null, .bool:
                diagnostics.report(.matcherType, at: item.location, "an entry of \(what) must be a string or number, not \(item.kindDescription); quote it for text")
                return nil
            }
        }
        if !strings.isEmpty && !numbers.isEmpty {
            diagnostics.report(.matcherType, at: node.location, "\(what) mixes strings and numbers; quote the numbers to compare text, or unquote to compare numbers")
            return nil
        }
        return strings.isEmpty ? .numbers(numbers) : .strings(strings)
    }
}
