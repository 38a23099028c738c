import FlagRuntime

/// Decodes one flag file's YAML tree into a `SourceFile`, checking everything that one file decides on its own:
/// fields and types, the module prefix, variants, outcomes, weights and timestamps.
struct FileDecoder {
    static let fileFields = ["module", "flags", "segments"]
    static let flagFields = ["description", "owner", "expires", "metadata", "enabled", "variants", "default", "rules"]
    static let ruleFields = ["name", "when", "from", "until", "serve", "split", "rollout", "bucket_by", "seed"]
    static let segmentFields = ["description", "when"]
    static let conditionFields = ["users", "groups", "tenants", "environments", "segments", "attributes"]
    static let matcherOperators = Condition.Operator.allCases.filter { $0 != .intersects }.map(\.rawValue)
    static let reservedAttributes: [String: String] = [
        "environment": "use 'environments: [...]' in 'when' instead",
    ]

    var diagnostics: FileDiagnostics

    init(file: String) {
        self.diagnostics = FileDiagnostics(file: file)
    }

    mutating func decode(_ root: YAMLNode?) -> SourceFile {
        var file = SourceFile(path: diagnostics.file)
        guard let root else {
            diagnostics.report(.emptyFile, at: SourceLocation(line: 1, column: 1), "the file holds no flags; add a 'flags:' mapping or delete the file")
            return file
        }
        guard let fields = diagnostics.fields(of: root, allowed: FileDecoder.fileFields, in: "a flag file") else { return file }
        if let module = fields["module"], let name = diagnostics.name(module.value, "'module'") {
            if isSimpleName(name) {
                file.module = Located(value: name, location: module.value.location)
            } else {
                diagnostics.report(.nameInvalid, at: module.value.location, "module '\(name)' must be a lowercase snake_case name such as 'billing'")
            }
        }
        if let flags = fields["flags"] {
            if let pairs = flags.value.mapping {
                file.flags.reserveCapacity(pairs.count)
                for pair in pairs {
                    if let flag = decodeFlag(pair, module: file.module) { file.flags.append(flag) }
                }
            } else if !flags.value.isNull {
                diagnostics.report(.wrongType, at: flags.value.location, "'flags' must be a mapping from flag keys to flags, not \(flags.value.kindDescription)")
            }
        }
        if let segments = fields["segments"] {
            if let pairs = segments.value.mapping {
                for pair in pairs {
                    if let segment = decodeSegment(pair) { file.segments.append(segment) }
                }
            } else if !segments.value.isNull {
                diagnostics.report(.wrongType, at: segments.value.location, "'segments' must be a mapping from segment names to segments, not \(segments.value.kindDescription)")
            }
        }
        let hasContent = [fields["flags"], fields["segments"]].contains { field in
            guard let field else { return false }
            return !field.value.isNull && field.value.mapping?.isEmpty != true
        }
        if !hasContent {
            diagnostics.report(.emptyFile, at: root.location, "the file holds no flags and no segments; add a 'flags:' mapping or delete the file")
        }
        return file
    }

    // MARK: Flags

    private mutating func decodeFlag(_ pair: YAMLPair, module: Located<String>?) -> SourceFlag? {
        guard let key = diagnostics.name(pair.key, "a flag key") else { return nil }
        let keyLocation = pair.key.location
        if let module, !key.hasPrefix(module.value + ".") {
            diagnostics.report(
                .keyOutsideModule, at: keyLocation,
                "flag '\(key)' is outside this file's module '\(module.value)'; rename it to '\(module.value).…' or move it to the file of its module",
                related: [Diagnostic.Related(file: diagnostics.file, location: module.location, message: "module declared here")]
            )
        }
        guard let fields = diagnostics.fields(of: pair.value, allowed: FileDecoder.flagFields, in: "flag '\(key)'") else { return nil }

        var metadata = FlagMetadata()
        if let description = fields["description"] { metadata.description = diagnostics.text(description.value, "'description'") }
        if let owner = fields["owner"] { metadata.owner = diagnostics.name(owner.value, "'owner'") }
        var expiresLocation: SourceLocation?
        if let expires = fields["expires"] {
            metadata.expires = decodeExpiry(expires.value)
            expiresLocation = expires.value.location
        }
        if let values = fields["metadata"] { metadata.values = decodeMetadata(values.value) }
        let enabled = fields["enabled"].flatMap { diagnostics.bool($0.value, "'enabled'") } ?? true

        var flag = SourceFlag(
            key: Located(value: key, location: keyLocation),
            file: diagnostics.file,
            type: .boolean,
            enabled: enabled,
            variants: [],
            defaultVariant: "",
            rules: [],
            metadata: metadata,
            expiresLocation: expiresLocation,
            isComplete: false
        )
        // Without valid variants, defaults and outcomes cannot be checked; the flag still takes part in
        // the checks across files (naming, duplicates, required fields).
        guard let (type, variants, isImplicit) = decodeVariants(fields["variants"]?.value, key: key) else { return flag }
        let flagContext = FlagContext(key: key, type: type, variants: variants, isImplicitBoolean: isImplicit)
        flag.type = type
        flag.variants = variants
        var complete = true

        if let value = fields["default"] {
            if let name = resolveVariant(value.value, in: flagContext, rule: .defaultUnknownVariant, what: "'default'") {
                flag.defaultVariant = name
            } else {
                complete = false
            }
        } else {
            let example = isImplicit ? "false" : variants.first?.name ?? "off"
            diagnostics.report(.missingField, at: keyLocation, "flag '\(key)' has no 'default'; add 'default: \(example)' (the value served when no rule matches)")
            complete = false
        }

        if let rulesField = fields["rules"] {
            if let items = diagnostics.list(rulesField.value, "'rules'", allowEmpty: true) {
                flag.rules.reserveCapacity(items.count)
                for (index, item) in items.enumerated() {
                    guard let rule = decodeRule(item, index: index, flag: flagContext) else {
                        complete = false
                        continue
                    }
                    if rule.outcome == nil { complete = false }
                    flag.rules.append(rule)
                }
            } else {
                complete = false
            }
        }
        flag.isComplete = complete
        return flag
    }

    /// What outcome resolution needs to know about the flag being decoded.
    private struct FlagContext {
        var key: String
        var type: FlagValueType
        var variants: [Variant]
        var isImplicitBoolean: Bool
    }

    /// `expires`: a date (stale from the following midnight UTC) or a full timestamp.
    private mutating func decodeExpiry(_ node: YAMLNode) -> Int64? {
        if let scalar = node.scalar, case .string(let text) = scalar.resolved {
            if let midnight = Timestamp.parseDate(text) { return midnight + 86_400 }
            if let instant = Timestamp.parseDateTime(text) {
                guard !Timestamp.isLeapSecond(text) else {
                    diagnostics.report(.invalidTimestamp, at: node.location, "'\(text)' in 'expires' has second 60 (a leap second), which Unix time cannot hold and flagc would read as :59; write :59 instead")
                    return nil
                }
                return instant
            }
            diagnostics.report(.invalidTimestamp, at: node.location, "'\(text)' in 'expires' is not a date; write it as YYYY-MM-DD, for example 2027-06-30")
            return nil
        }
        diagnostics.report(.invalidTimestamp, at: node.location, "'expires' must be a date such as 2027-06-30, not \(node.kindDescription)")
        return nil
    }

    private mutating func decodeMetadata(_ node: YAMLNode) -> [String: JSONValue] {
        guard let pairs = node.mapping else {
            diagnostics.report(.wrongType, at: node.location, "'metadata' must be a mapping of names to strings, numbers or booleans, not \(node.kindDescription)")
            return [:]
        }
        var values: [String: JSONValue] = [:]
        for pair in pairs {
            guard pair.value.scalar != nil else {
                diagnostics.report(.wrongType, at: pair.value.location, "metadata '\(pair.name)' must be a string, number or boolean, not \(pair.value.kindDescription)")
                continue
            }
            if let value = diagnostics.jsonValue(pair.value, "metadata '\(pair.name)'") {
                if value == .null {
                    diagnostics.report(.wrongType, at: pair.value.location, "metadata '\(pair.name)' is empty; give it a value or remove it")
                } else {
                    values[pair.name] = value
                }
            }
        }
        return values
    }

    /// The flag's type and variants; a flag without a `variants` block is boolean with variants `true` and `false`.
    private mutating func decodeVariants(_ node: YAMLNode?, key: String) -> (FlagValueType, [Variant], Bool)? {
        guard let node else {
            return (.boolean, [Variant(name: "true", value: .boolean(true)), Variant(name: "false", value: .boolean(false))], true)
        }
        guard let pairs = node.mapping, !pairs.isEmpty else {
            diagnostics.report(.wrongType, at: node.location, "'variants' must be a non-empty mapping from variant names to values, not \(node.kindDescription)")
            return nil
        }
        var variants: [(Variant, SourceLocation)] = []
        for pair in pairs {
            guard let name = diagnostics.name(pair.key, "a variant name") else { continue }
            guard let value = decodeVariantValue(pair.value, name: name) else { continue }
            variants.append((Variant(name: name, value: value), pair.value.location))
        }
        guard variants.count == pairs.count, let first = variants.first else { return nil }
        // Integers and decimals together make a number flag; any other mix is an error.
        let types = Set(variants.map(\.0.value.type))
        var type = first.0.value.type
        if types == [.integer, .number] {
            type = .number
            variants = variants.map { variant, location in
                if case .integer(let value) = variant.value { return (Variant(name: variant.name, value: .number(Double(value))), location) }
                return (variant, location)
            }
        } else if types.count > 1 {
            let odd = variants.first { $0.0.value.type != type }!
            diagnostics.report(
                .variantMixedTypes, at: odd.1,
                "variant '\(odd.0.name)' is \(odd.0.value.type.rawValue) but '\(first.0.name)' is \(type.rawValue); all variants of a flag must have one type"
            )
            return nil
        }
        return (type, variants.map(\.0), false)
    }

    private mutating func decodeVariantValue(_ node: YAMLNode, name: String) -> FlagValue? {
        let what = "variant '\(name)'"
        switch node.content {
        case .mapping:
            guard case .object(let object)? = diagnostics.jsonValue(node, what) else { return nil }
            return .object(object)
        case .sequence:
            diagnostics.report(.wrongType, at: node.location, "\(what) is a list; a variant value is a string, integer, number, boolean or object")
            return nil
        case .scalar(let scalar):
            if scalar.isYAML11Boolean {
                diagnostics.report(.yamlAmbiguousBoolean, at: node.location, "unquoted '\(scalar.value)' in \(what) is a boolean to YAML 1.1 tools and a string to YAML 1.2 ones; quote it for a string, or write true/false")
                return nil
            }
            if diagnostics.reportAmbiguousNumber(node, what) { return nil }
            switch scalar.resolved {
            case .null:
                diagnostics.report(.wrongType, at: node.location, "\(what) has no value; give it a string, integer, number, boolean or object")
                return nil
            case .bool(let value): return .boolean(value)
            case .integer(let value): return .integer(value)
            case .float(let value): return .number(value)
            case .string(let value): return .string(value)
            }
        }
    }

    /// Resolves `default` or `serve` to a variant name: a name, or true/false for boolean flags.
    private mutating func resolveVariant(_ node: YAMLNode, in flag: FlagContext, rule: RuleID, what: String) -> String? {
        if let scalar = node.scalar, scalar.isPlain, case .bool(let value) = scalar.resolved {
            guard flag.type == .boolean else {
                diagnostics.report(rule, at: node.location, "\(what) is \(value) but flag '\(flag.key)' is a \(flag.type.rawValue) flag; name one of its variants: \(variantList(flag))")
                return nil
            }
            guard let variant = flag.variants.first(where: { $0.value == .boolean(value) }) else {
                diagnostics.report(rule, at: node.location, "flag '\(flag.key)' has no variant whose value is \(value); name one of its variants: \(variantList(flag))")
                return nil
            }
            return variant.name
        }
        guard let name = diagnostics.name(node, what) else { return nil }
        guard flag.variants.contains(where: { $0.name == name }) else {
            let hint = Suggestions.closest(to: name, in: flag.variants.map(\.name)).map { "did you mean '\($0)'?" } ?? "the variants are \(variantList(flag))"
            diagnostics.report(rule, at: node.location, "\(what) names '\(name)', which is not a variant of flag '\(flag.key)'; \(hint)")
            return nil
        }
        return name
    }

    private func variantList(_ flag: FlagContext) -> String {
        flag.variants.map(\.name).joined(separator: ", ")
    }

    // MARK: Rules

    private mutating func decodeRule(_ node: YAMLNode, index: Int, flag: FlagContext) -> SourceRule? {
        guard let fields = diagnostics.fields(of: node, allowed: FileDecoder.ruleFields, in: "a rule of '\(flag.key)'") else { return nil }
        var valid = true
        let name = fields["name"].flatMap { diagnostics.text($0.value, "'name'") }
        var from = fields["from"].flatMap { diagnostics.dateTime($0.value, "'from'") }
        var until = fields["until"].flatMap { diagnostics.dateTime($0.value, "'until'") }
        if fields["from"] != nil && from == nil || fields["until"] != nil && until == nil { valid = false }
        if let start = from, let end = until, start.value >= end.value {
            diagnostics.report(.windowOrder, at: start.location, "'from' (\(Timestamp.format(start.value))) is not before 'until' (\(Timestamp.format(end.value))), so the rule can never be active; swap or correct them")
            valid = false
            from = nil
            until = nil
        }
        var conditions: [SourceCondition] = []
        if let when = fields["when"] {
            guard let decoded = decodeConditions(when.value, context: "'when'") else { return nil }
            conditions = decoded
        }

        let outcomes = ["serve", "split", "rollout"].filter { fields[$0] != nil }
        var rule = SourceRule(index: index, location: node.location, name: name, from: from, until: until, conditions: conditions, outcome: nil)
        guard outcomes.count == 1 else {
            let message = outcomes.isEmpty
                ? "the rule has no outcome; add one of 'serve', 'split' or 'rollout'"
                : "the rule has \(outcomes.map { "'\($0)'" }.joined(separator: " and ")); keep exactly one outcome per rule"
            diagnostics.report(.ruleOutcome, at: node.location, message)
            return rule
        }
        for field in ["bucket_by", "seed"] where fields[field] != nil && outcomes[0] == "serve" {
            diagnostics.report(.unknownField, at: fields[field]!.key.location, "'\(field)' applies only to 'split' and 'rollout'; remove it from this 'serve' rule")
            valid = false
        }
        let outcome: Outcome
        switch outcomes[0] {
        case "serve":
            guard let variant = resolveVariant(fields["serve"]!.value, in: flag, rule: .serveUnknownVariant, what: "'serve'") else { return rule }
            outcome = .serve(variant: variant)
        default:
            let seed = fields["seed"].flatMap { diagnostics.name($0.value, "'seed'") } ?? flag.key
            var bucketBy = Condition.targetingKey
            if let field = fields["bucket_by"] {
                guard let attribute = diagnostics.name(field.value, "'bucket_by'") else { return rule }
                bucketBy = attribute
            }
            let buckets = outcomes[0] == "split"
                ? decodeSplit(fields["split"]!.value, flag: flag)
                : decodeRollout(fields["rollout"]!.value, flag: flag)
            guard let buckets else { return rule }
            outcome = .split(Split(seed: seed, bucketBy: bucketBy, buckets: buckets))
        }
        if valid { rule.outcome = outcome }
        return rule
    }

    private mutating func decodeSplit(_ node: YAMLNode, flag: FlagContext) -> [Split.Bucket]? {
        guard let pairs = node.mapping, !pairs.isEmpty else {
            diagnostics.report(.wrongType, at: node.location, "'split' must map variant names to percentages, for example { blue: 50, green: 50 }")
            return nil
        }
        var buckets: [Split.Bucket] = []
        var valid = true
        for pair in pairs {
            guard let variant = resolveVariant(pair.key, in: flag, rule: .splitUnknownVariant, what: "a 'split' entry") else {
                valid = false
                continue
            }
            guard let weight = percentage(pair.value, what: "the weight of '\(variant)'", rule: .splitWeight) else {
                valid = false
                continue
            }
            if buckets.contains(where: { $0.variant == variant }) {
                diagnostics.report(.splitDuplicateVariant, at: pair.key.location, "variant '\(variant)' appears twice in this 'split'; give each variant one weight")
                valid = false
                continue
            }
            buckets.append(Split.Bucket(variant: variant, weight: weight))
        }
        guard valid else { return nil }
        let sum = buckets.reduce(0) { $0 + $1.weight }
        guard sum == 10_000 else {
            diagnostics.report(.splitSum, at: node.location, "split weights sum to \(formatPercent(sum)), not 100; adjust them so they add up to exactly 100")
            return nil
        }
        return buckets
    }

    private mutating func decodeRollout(_ node: YAMLNode, flag: FlagContext) -> [Split.Bucket]? {
        guard flag.type == .boolean,
              let on = flag.variants.first(where: { $0.value == .boolean(true) }),
              let off = flag.variants.first(where: { $0.value == .boolean(false) }) else {
            diagnostics.report(.rolloutNotBoolean, at: node.location, "'rollout' needs a boolean flag with a true and a false variant, and '\(flag.key)' is not one; use 'split' to divide traffic between variants")
            return nil
        }
        guard let weight = percentage(node, what: "'rollout'", rule: .rolloutRange) else { return nil }
        guard weight <= 10_000 else {
            diagnostics.report(.rolloutRange, at: node.location, "'rollout' is \(formatPercent(weight)); a rollout is a percentage from 0 to 100")
            return nil
        }
        return [Split.Bucket(variant: on.name, weight: weight), Split.Bucket(variant: off.name, weight: 10_000 - weight)]
    }

    /// A percentage with at most two decimals, as hundredths (`33.33` → 3333), read from the text as written
    /// so that no binary rounding creeps in.
    private mutating func percentage(_ node: YAMLNode, what: String, rule: RuleID) -> Int? {
        if diagnostics.reportAmbiguousNumber(node, what) { return nil }
        guard let scalar = node.scalar, scalar.isPlain, case let resolved = scalar.resolved, resolved.isNumber else {
            diagnostics.report(.wrongType, at: node.location, "\(what) must be a percentage such as 25 or 12.5, not \(node.kindDescription)")
            return nil
        }
        var text = Substring(scalar.value)
        if text.hasPrefix("-") {
            diagnostics.report(rule, at: node.location, "\(what) is negative (\(scalar.value)); percentages run from 0 to 100")
            return nil
        }
        if text.hasPrefix("+") { text = text.dropFirst() }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, parts.allSatisfy({ $0.utf8.allSatisfy { $0 >= 48 && $0 <= 57 } }),
              let whole = parts[0].isEmpty ? 0 : Int(parts[0]), whole <= 1_000_000 else {
            diagnostics.report(rule, at: node.location, "\(what) (\(scalar.value)) must be a plain decimal from 0 to 100 with at most two decimals")
            return nil
        }
        var fraction = parts.count == 2 ? String(parts[1]) : ""
        while fraction.count > 2, fraction.hasSuffix("0") { fraction.removeLast() }
        guard fraction.count <= 2 else {
            diagnostics.report(rule, at: node.location, "\(what) (\(scalar.value)) has more than two decimals; round it to hundredths of a percent")
            return nil
        }
        fraction += String(repeating: "0", count: 2 - fraction.count)
        return whole * 100 + Int(fraction)!
    }

    private func formatPercent(_ hundredths: Int) -> String {
        let fraction = hundredths % 100
        if fraction == 0 { return "\(hundredths / 100)" }
        return fraction % 10 == 0 ? "\(hundredths / 100).\(fraction / 10)" : "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }

    // MARK: Conditions

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
        valid = listCondition("tenants", attribute: "tenant", op: .in, into: &conditions, diagnostics: &diagnostics) && valid
        valid = listCondition("groups", attribute: "groups", op: .intersects, into: &conditions, diagnostics: &diagnostics) && valid
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
        for pair in pairs.sorted(by: { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }) {
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

    // MARK: Segments

    private mutating func decodeSegment(_ pair: YAMLPair) -> SourceSegment? {
        guard let name = diagnostics.name(pair.key, "a segment name") else { return nil }
        guard isSimpleName(name) else {
            diagnostics.report(.nameInvalid, at: pair.key.location, "segment '\(name)' must be a lowercase snake_case name such as 'internal_staff'")
            return nil
        }
        guard let fields = diagnostics.fields(of: pair.value, allowed: FileDecoder.segmentFields, in: "segment '\(name)'") else { return nil }
        let description = fields["description"].flatMap { diagnostics.text($0.value, "'description'") }
        guard let when = fields["when"] else {
            diagnostics.report(.missingField, at: pair.key.location, "segment '\(name)' has no 'when'; add the conditions that define its audience")
            return nil
        }
        guard let conditions = decodeConditions(when.value, context: "'when' of segment '\(name)'") else { return nil }
        return SourceSegment(name: Located(value: name, location: pair.key.location), file: diagnostics.file, description: description, conditions: conditions)
    }

    private func isSimpleName(_ name: String) -> Bool {
        guard let first = name.utf8.first, first >= 97, first <= 122 else { return false }
        return name.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 95 }
    }
}

extension ResolvedScalar {
    var isNumber: Bool {
        switch self {
        case .integer, .float: true
        default: false
        }
    }
}
