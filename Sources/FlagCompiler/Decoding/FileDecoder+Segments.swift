import FlagRuntime

/// Decoding segments: a name and the conditions that define the audience.
extension FileDecoder {
    /// One segment; nil when its name or conditions are invalid.
    mutating func decodeSegment(_ pair: YAMLPair) -> SourceSegment? {
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
}
