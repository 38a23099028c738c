import FlagRuntime

/// The OpenFeature CLI's flag manifest (`flagType`, `defaultValue`, `description` per key), which
/// `openfeature generate` turns into typed accessors for Go, Java, TypeScript, Python, C# and other languages.
///
/// ```swift
/// let bytes = OpenFeatureManifest.bytes(for: snapshot)   // {"$schema": …, "flags": {"billing.x": {…}}}
/// ```
public enum OpenFeatureManifest {
    /// The schema URL written into the manifest, as the CLI writes it.
    public static let schemaURL = "https://raw.githubusercontent.com/open-feature/cli/main/schema/v0/flag-manifest.json"

    /// The manifest of `snapshot`'s flags, keys sorted: each flag's type in the CLI's words (`boolean`, `string`,
    /// `integer`, `float`, `object`), the value of its `default` variant as `defaultValue` (what generated code
    /// falls back on), and its description when it has one.
    public static func bytes(for snapshot: Snapshot) -> [UInt8] {
        var flags: [String: JSONValue] = [:]
        for flag in snapshot.flags {
            var entry: [String: JSONValue] = ["flagType": .string(flagType(flag.type))]
            if let variant = flag.variants.first(where: { $0.name == flag.defaultVariant }) {
                entry["defaultValue"] = variant.value.jsonValue
            }
            if let description = flag.metadata.description { entry["description"] = .string(description) }
            flags[flag.key] = .object(entry)
        }
        return JSONWriter(style: .pretty).bytes(.object(["$schema": .string(schemaURL), "flags": .object(flags)]))
    }

    /// The CLI's name for a flag type.
    static func flagType(_ type: FlagValueType) -> String {
        switch type {
        case .boolean: "boolean"
        case .string: "string"
        case .integer: "integer"
        case .number: "float"
        case .object: "object"
        }
    }
}
