import FlagRuntime

/// Decoding a flag: metadata, variants and the default (its rules are in `FileDecoder+Rules.swift`).
extension FileDecoder {
    /// One flag; nil when its key or its body is unusable. A flag with invalid parts is returned with `isComplete` false.
    mutating func decodeFlag(_ pair: YAMLPair, module: Located<String>?) -> SourceFlag? {
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
        let ownerLocation = fields["owner"]?.value.location
        var expiresLocation: SourceLocation?
        if let expires = fields["expires"] {
            metadata.expires = decodeExpiry(expires.value)
            expiresLocation = expires.value.location
        }
        if let values = fields["metadata"] { metadata.values = decodeMetadata(values.value) }
        let kind = fields["type"].flatMap { decodeKind($0.value) }
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
            ownerLocation: ownerLocation,
            isComplete: false
        )
        flag.kind = kind
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
    struct FlagContext {
        var key: String
        var type: FlagValueType
        var variants: [Variant]
        var isImplicitBoolean: Bool
    }

    /// `expires`: a date (stale from the following midnight UTC) or a full timestamp.
    /// The flag's `type`: one of `FlagKind`'s names; anything else is reported with the names there are.
    private mutating func decodeKind(_ node: YAMLNode) -> FlagKind? {
        guard let name = diagnostics.name(node, "'type'") else { return nil }
        if let kind = FlagKind(rawValue: name) { return kind }
        let names = FlagKind.allCases.map(\.rawValue)
        diagnostics.report(.wrongType, at: node.location, "'type' is '\(name)'\(Suggestions.didYouMean(name, in: names)); write one of \(names.joined(separator: ", "))")
        return nil
    }

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
    mutating func resolveVariant(_ node: YAMLNode, in flag: FlagContext, rule: RuleID, what: String) -> String? {
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
}
