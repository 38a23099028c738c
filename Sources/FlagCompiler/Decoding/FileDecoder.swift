import FlagRuntime

/// Decodes one flag file's YAML tree into a `SourceFile`, checking everything that one file decides on its own:
/// fields and types, the module prefix, variants, outcomes, weights and timestamps.
///
/// This file decodes the file's top level; flags, rules, conditions and segments are decoded in
/// `FileDecoder+Flags.swift`, `+Rules`, `+Conditions` and `+Segments`.
struct FileDecoder {
    static let fileFields = ["module", "flags", "segments"]
    static let flagFields = ["description", "owner", "type", "expires", "metadata", "enabled", "variants", "default", "rules"]
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

    /// Lowercase snake_case: a letter, then letters, digits and underscores (modules and segments).
    func isSimpleName(_ name: String) -> Bool {
        guard let first = name.utf8.first, first >= 97, first <= 122 else { return false }
        return name.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 95 }
    }
}
