import FlagRuntime

extension FlagDiffer {
    /// The field, variant and rule changes of one flag, in the order of its fields.
    static func compareFlags(_ before: Flag, _ after: Flag) -> [FieldChange] {
        var fields: [FieldChange] = []
        if before.type != after.type {
            fields.append(FieldChange(kind: "type", path: "type", before: .string(before.type.rawValue), after: .string(after.type.rawValue),
                                      summary: "type \(before.type.rawValue) → \(after.type.rawValue)"))
        }
        if before.enabled != after.enabled {
            fields.append(FieldChange(kind: "enabled", path: "enabled", before: .bool(before.enabled), after: .bool(after.enabled),
                                      summary: after.enabled ? "switched on (enabled: false → true)" : "switched off (enabled: true → false): everyone gets the caller's default"))
        }
        if before.defaultVariant != after.defaultVariant || before.variant(named: before.defaultVariant)?.value != after.variant(named: after.defaultVariant)?.value {
            fields.append(FieldChange(kind: "default", path: "defaultVariant", before: .string(before.defaultVariant), after: .string(after.defaultVariant),
                                      summary: "default \(variantText(before, before.defaultVariant)) → \(variantText(after, after.defaultVariant))"))
        }
        fields += compareVariants(before, after)
        fields += compareMetadata(before.metadata, after.metadata)
        fields += compareRules(before, after)
        return fields
    }

    /// `name (value)`.
    static func variantText(_ flag: Flag, _ name: String) -> String {
        guard let value = flag.variant(named: name)?.value else { return "'\(name)'" }
        let text = JSONWriter(style: .compact).string(value.jsonValue)
        return text == name || text == "\"\(name)\"" ? "'\(name)'" : "'\(name)' (\(text))"
    }

    static func compareVariants(_ before: Flag, _ after: Flag) -> [FieldChange] {
        var fields: [FieldChange] = []
        let old = Dictionary(before.variants.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
        let new = Dictionary(after.variants.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
        for variant in before.variants where new[variant.name] == nil {
            var field = FieldChange(kind: "variant-removed", path: "variants.\(variant.name)", before: variant.value.jsonValue, after: nil,
                                    summary: "variant '\(variant.name)' removed")
            field.shrinks = true
            fields.append(field)
        }
        for variant in after.variants {
            guard let value = old[variant.name] else {
                fields.append(FieldChange(kind: "variant-added", path: "variants.\(variant.name)", before: nil, after: variant.value.jsonValue,
                                          summary: "variant '\(variant.name)' added (\(JSONWriter(style: .compact).string(variant.value.jsonValue)))"))
                continue
            }
            if value != variant.value {
                let writer = JSONWriter(style: .compact)
                fields.append(FieldChange(kind: "variant-value", path: "variants.\(variant.name)", before: value.jsonValue, after: variant.value.jsonValue,
                                          summary: "variant '\(variant.name)': \(writer.string(value.jsonValue)) → \(writer.string(variant.value.jsonValue))"))
            }
        }
        return fields
    }

    static func compareMetadata(_ before: FlagMetadata, _ after: FlagMetadata) -> [FieldChange] {
        var fields: [FieldChange] = []
        func text(_ field: String, _ old: String?, _ new: String?) {
            guard old != new else { return }
            fields.append(FieldChange(kind: field, path: "metadata.\(field)", before: old.map(JSONValue.string), after: new.map(JSONValue.string),
                                      summary: "\(field): \(old.map { "'\($0)'" } ?? "(none)") → \(new.map { "'\($0)'" } ?? "(none)")"))
        }
        text("owner", before.owner, after.owner)
        text("description", before.description, after.description)
        if before.expires != after.expires {
            let old = before.expires.map(Timestamp.format), new = after.expires.map(Timestamp.format)
            fields.append(FieldChange(kind: "expires", path: "metadata.expires", before: old.map(JSONValue.string), after: new.map(JSONValue.string),
                                      summary: "expires: \(old ?? "(none)") → \(new ?? "(none)")"))
        }
        for key in Set(before.values.keys).union(after.values.keys).sorted() where before.values[key] != after.values[key] {
            let writer = JSONWriter(style: .compact)
            fields.append(FieldChange(kind: "metadata", path: "metadata.values.\(key)", before: before.values[key], after: after.values[key],
                                      summary: "metadata \(key): \(before.values[key].map { writer.string($0) } ?? "(none)") → \(after.values[key].map { writer.string($0) } ?? "(none)")"))
        }
        return fields
    }

    /// The flag as JSON, for added and removed flags.
    static func describe(_ flag: Flag) -> JSONValue {
        .object([
            "type": .string(flag.type.rawValue),
            "enabled": .bool(flag.enabled),
            "defaultVariant": .string(flag.defaultVariant),
            "variants": .array(flag.variants.map { .string($0.name) }),
            "rules": .integer(Int64(flag.rules.count)),
        ])
    }

    /// `boolean, default 'false', 2 rules`.
    static func overview(_ flag: Flag) -> String {
        "\(flag.type.rawValue), default \(variantText(flag, flag.defaultVariant)), \(flag.rules.count) rule\(flag.rules.count == 1 ? "" : "s")"
            + (flag.enabled ? "" : ", switched off")
    }
}
