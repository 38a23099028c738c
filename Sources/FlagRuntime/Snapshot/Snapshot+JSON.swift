// The JSON form of a snapshot (`snapshot.json`): `docs/snapshot-format.md` and `schemas/snapshot.schema.json`
// describe it. Encoding is canonical (sorted keys), so equal snapshots give equal bytes.

extension Snapshot {
    /// The canonical, pretty-printed bytes of `snapshot.json`, written straight from the model (the only writer of
    /// the snapshot's JSON shape; the compact form hashed for the id is the same document).
    public func jsonBytes() -> [UInt8] {
        var emitter = JSONEmitter(style: .pretty, capacity: flags.count * 1024)
        emitter.beginObject()
        emitEnvironments(into: &emitter)
        emitter.key("flags")
        Snapshot.emitFlags(flags, into: &emitter)
        emitter.member("formatVersion", Int64(formatVersion))
        emitter.member("id", id)
        if let revision { emitter.member("revision", revision) }
        emitter.endObject()
        return emitter.finish()
    }

    /// The content id: SHA-256 of the canonical compact JSON of the flags, the environment and the declared
    /// environments.
    ///
    /// The revision is deliberately left out, so recompiling the same flags at another commit keeps the id.
    package var contentID: String {
        // Hashed as it is written: the compact text (about 5 MB for 10,000 flags) is never built.
        var emitter = JSONEmitter(hashingCompact: ())
        emitter.beginObject()
        emitEnvironments(into: &emitter)
        emitter.key("flags")
        Snapshot.emitFlags(flags, into: &emitter)
        emitter.endObject()
        return BinarySnapshotFormat.hex(emitter.finishDigest())
    }

    /// `environment` and `environments`, the members that sort before `flags`.
    private func emitEnvironments(into emitter: inout JSONEmitter) {
        if let environment { emitter.member("environment", environment) }
        if let environments { emitter.member("environments", strings: environments) }
    }

    static func emitFlags(_ flags: [Flag], into emitter: inout JSONEmitter) {
        emitter.beginObject()
        // Elements are used in place, through the buffer: iterating, and even `flags[index]`, copied each flag,
        // retaining and releasing all of its fields.
        flags.withUnsafeBufferPointer { flags in
            guard let first = flags.baseAddress else { return }
            for index in flags.indices {
                emitter.key((first + index).pointee.key)
                (first + index).pointee.emit(into: &emitter)
            }
        }
        emitter.endObject()
    }

    /// Decodes a snapshot from the bytes of `snapshot.json`.
    public init(jsonBytes bytes: [UInt8]) throws(SnapshotDecodingError) {
        let value: JSONValue
        do {
            value = try JSONValue(parsing: bytes)
        } catch {
            throw SnapshotDecodingError(path: "", message: "not valid JSON: \(error)")
        }
        try self.init(json: value)
    }

    /// Decodes a snapshot from its JSON value, and checks it is valid (`SnapshotValidation`).
    package init(json: JSONValue) throws(SnapshotDecodingError) {
        let root = try JSONReader(json, path: "")
        let version = try root.int("formatVersion")
        guard version == Snapshot.currentFormatVersion else {
            throw SnapshotDecodingError(path: "formatVersion", message: "unsupported snapshot format version \(version); this reader supports version \(Snapshot.currentFormatVersion)")
        }
        let flagsObject = try root.object("flags")
        var flags: [Flag] = []
        flags.reserveCapacity(flagsObject.count)
        for key in flagsObject.keys.sorted(by: { precedesByUTF8($0, $1) }) {
            flags.append(try Flag(json: JSONReader(flagsObject[key]!, path: "flags.\(key)"), key: key))
        }
        self.init(
            formatVersion: version,
            id: try root.string("id"),
            revision: try root.optionalString("revision"),
            environment: try root.optionalString("environment"),
            environments: root.has("environments") ? try root.strings("environments") : nil,
            flags: flags
        )
        try SnapshotValidation.check(self, keysAreSorted: true)
    }

}

/// A snapshot that could not be decoded: where (a JSON path) and why.
public struct SnapshotDecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The JSON path of the offending value, for example `flags.ui.new_dashboard.rules[0].split`.
    public var path: String
    /// What is wrong.
    public var message: String

    /// Creates a decoding error.
    package init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    /// `path: message`.
    public var description: String { path.isEmpty ? message : "\(path): \(message)" }
}

extension Flag {
    @inline(__always)
    func emit(into emitter: inout JSONEmitter) {
        emitter.beginObject()
        emitter.member("defaultVariant", defaultVariant)
        emitter.key("enabled")
        emitter.bool(enabled)
        emitter.key("metadata")
        emitter.beginObject()
        if let description = metadata.description { emitter.member("description", description) }
        if let expires = metadata.expires { emitter.member("expires", expires) }
        if let owner = metadata.owner { emitter.member("owner", owner) }
        if !metadata.values.isEmpty {
            emitter.key("values")
            emitter.value(.object(metadata.values))
        }
        emitter.endObject()
        emitter.key("rules")
        emitter.beginArray()
        for index in rules.indices {
            emitter.element()
            rules[index].emit(into: &emitter)
        }
        emitter.endArray()
        emitter.member("type", type.rawValue)
        emitter.key("variants")
        emitter.beginArray()
        for index in variants.indices {  // in place, as the flags are (no copy retaining each variant's fields)
            emitter.element()
            emitter.beginObject()
            emitter.member("name", variants[index].name)
            emitter.key("value")
            emitter.value(variants[index].value.jsonValue)
            emitter.endObject()
        }
        emitter.endArray()
        emitter.endObject()
    }

    init(json: JSONReader, key: String) throws(SnapshotDecodingError) {
        let typeName = try json.string("type")
        guard let type = FlagValueType(rawValue: typeName) else {
            throw json.error("type", "unknown flag type '\(typeName)'")
        }
        var variants: [Variant] = []
        for (index, element) in try json.array("variants").enumerated() {
            let reader = try JSONReader(element, path: "\(json.path).variants[\(index)]")
            let value = try FlagValue(json: reader.value("value"), type: type, path: "\(reader.path).value")
            variants.append(Variant(name: try reader.string("name"), value: value))
        }
        var rules: [Rule] = []
        for (index, element) in try json.array("rules").enumerated() {
            rules.append(try Rule(json: JSONReader(element, path: "\(json.path).rules[\(index)]")))
        }
        let metadata = try JSONReader(json.value("metadata"), path: "\(json.path).metadata")
        self.init(
            key: key,
            type: type,
            enabled: try json.bool("enabled"),
            variants: variants,
            defaultVariant: try json.string("defaultVariant"),
            rules: rules,
            metadata: FlagMetadata(
                description: try metadata.optionalString("description"),
                owner: try metadata.optionalString("owner"),
                expires: try metadata.optionalInt64("expires"),
                values: try metadata.optionalObject("values") ?? [:]
            )
        )
    }
}

extension FlagValue {
    /// The value as JSON.
    package var jsonValue: JSONValue {
        switch self {
        case .boolean(let value): .bool(value)
        case .string(let value): .string(value)
        case .integer(let value): .integer(value)
        case .number(let value): .double(value)
        case .object(let value): .object(value)
        }
    }

    init(json: JSONValue, type: FlagValueType, path: String) throws(SnapshotDecodingError) {
        switch (type, json) {
        case (.boolean, .bool(let value)): self = .boolean(value)
        case (.string, .string(let value)): self = .string(value)
        case (.integer, .integer(let value)): self = .integer(value)
        case (.number, .double(let value)): self = .number(value)
        case (.number, .integer(let value)): self = .number(Double(value))
        case (.object, .object(let value)): self = .object(value)
        default: throw SnapshotDecodingError(path: path, message: "expected a \(type.rawValue) value")
        }
    }
}
