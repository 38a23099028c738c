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
        // Elements are used in place (by index): iterating copied each flag, retaining and releasing its fields.
        for index in flags.indices {
            emitter.key(flags[index].key)
            flags[index].emit(into: &emitter)
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
        for key in flagsObject.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
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
        for variant in variants {
            emitter.element()
            emitter.beginObject()
            emitter.member("name", variant.name)
            emitter.key("value")
            emitter.value(variant.value.jsonValue)
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

extension Rule {
    func emit(into emitter: inout JSONEmitter) {
        emitter.beginObject()
        emitter.key("conditions")
        Condition.emit(conditions, into: &emitter)
        if let from { emitter.member("from", from) }
        if let name { emitter.member("name", name) }
        switch outcome {
        case .serve(let variant):
            emitter.member("serve", variant)
        case .split(let split):
            emitter.key("split")
            emitter.beginObject()
            emitter.member("bucketBy", split.bucketBy)
            emitter.key("buckets")
            emitter.beginArray()
            for bucket in split.buckets {
                emitter.element()
                emitter.beginObject()
                emitter.member("variant", bucket.variant)
                emitter.member("weight", Int64(bucket.weight))
                emitter.endObject()
            }
            emitter.endArray()
            emitter.member("seed", split.seed)
            emitter.endObject()
        }
        if let until { emitter.member("until", until) }
        emitter.endObject()
    }

    init(json: JSONReader) throws(SnapshotDecodingError) {
        var conditions: [Condition] = []
        for (index, element) in try json.array("conditions").enumerated() {
            conditions.append(try Condition(json: JSONReader(element, path: "\(json.path).conditions[\(index)]")))
        }
        let outcome: Outcome
        if let serve = try json.optionalString("serve") {
            outcome = .serve(variant: serve)
        } else if json.has("split") {
            let split = try JSONReader(json.value("split"), path: "\(json.path).split")
            var buckets: [Split.Bucket] = []
            for (index, element) in try split.array("buckets").enumerated() {
                let bucket = try JSONReader(element, path: "\(split.path).buckets[\(index)]")
                buckets.append(Split.Bucket(variant: try bucket.string("variant"), weight: try bucket.int("weight")))
            }
            outcome = .split(Split(seed: try split.string("seed"), bucketBy: try split.string("bucketBy"), buckets: buckets))
        } else {
            throw json.error("", "a rule needs 'serve' or 'split'")
        }
        self.init(
            name: try json.optionalString("name"),
            from: try json.optionalInt64("from"),
            until: try json.optionalInt64("until"),
            conditions: conditions,
            outcome: outcome
        )
    }
}

extension Condition {
    static func emit(_ conditions: [Condition], into emitter: inout JSONEmitter) {
        emitter.beginArray()
        for condition in conditions {
            emitter.element()
            switch condition {
            case .attribute(let name, let op, let operand):
                emitter.beginObject()
                emitter.member("attribute", name)
                emitter.member("op", op.rawValue)
                switch operand {
                case .string(let value): emitter.member("value", value)
                case .number(let value): emitter.key("value"); emitter.value(numberJSON(value))
                case .boolean(let value): emitter.key("value"); emitter.bool(value)
                case .timestamp(let value): emitter.member("value", value)
                case .strings(let values):
                    emitter.member("values", strings: values)
                case .numbers(let values):
                    emitter.key("values")
                    emitter.beginArray()
                    for value in values {
                        emitter.element()
                        emitter.value(numberJSON(value))
                    }
                    emitter.endArray()
                }
                emitter.endObject()
            case .environment(let names):
                emitter.beginObject()
                emitter.member("environments", strings: names)
                emitter.endObject()
            case .segments(let segments):
                emitter.beginObject()
                emitter.key("segments")
                emitter.beginArray()
                for segment in segments {
                    emitter.element()
                    emitter.beginObject()
                    emitter.key("conditions")
                    emit(segment.conditions, into: &emitter)
                    emitter.member("name", segment.name)
                    emitter.endObject()
                }
                emitter.endArray()
                emitter.endObject()
            }
        }
        emitter.endArray()
    }

    /// Integral numbers are written without a fraction so that `lt: 3` reads as `3` in the snapshot.
    private static func numberJSON(_ value: Double) -> JSONValue {
        if value == value.rounded(), abs(value) < 9_007_199_254_740_992 { return .integer(Int64(value)) }
        return .double(value)
    }

    init(json: JSONReader) throws(SnapshotDecodingError) {
        if json.has("environments") {
            self = .environment(try json.strings("environments"))
        } else if json.has("segments") {
            var segments: [ResolvedSegment] = []
            for (index, element) in try json.array("segments").enumerated() {
                let segment = try JSONReader(element, path: "\(json.path).segments[\(index)]")
                var conditions: [Condition] = []
                for (conditionIndex, condition) in try segment.array("conditions").enumerated() {
                    conditions.append(try Condition(json: JSONReader(condition, path: "\(segment.path).conditions[\(conditionIndex)]")))
                }
                segments.append(ResolvedSegment(name: try segment.string("name"), conditions: conditions))
            }
            self = .segments(segments)
        } else {
            let opName = try json.string("op")
            guard let op = Operator(rawValue: opName) else { throw json.error("op", "unknown operator '\(opName)'") }
            let operand: Operand
            if json.has("values") {
                let values = try json.array("values")
                if values.allSatisfy({ $0.stringValue != nil }) {
                    operand = .strings(values.map { $0.stringValue! })
                } else if values.allSatisfy({ $0.doubleValue != nil }) {
                    operand = .numbers(values.map { $0.doubleValue! })
                } else {
                    throw json.error("values", "expected a list of strings or a list of numbers")
                }
            } else {
                switch (op, try json.value("value")) {
                case (.before, .integer(let value)), (.after, .integer(let value)): operand = .timestamp(value)
                case (_, .string(let value)): operand = .string(value)
                case (_, .bool(let value)): operand = .boolean(value)
                case (_, .integer(let value)): operand = .number(Double(value))
                case (_, .double(let value)): operand = .number(value)
                default: throw json.error("value", "expected a string, number or boolean")
                }
            }
            self = .attribute(name: try json.string("attribute"), op: op, operand: operand)
        }
    }
}

/// Typed access to a JSON object, with errors that name the path.
struct JSONReader {
    let object: [String: JSONValue]
    let path: String

    init(_ value: JSONValue, path: String) throws(SnapshotDecodingError) {
        guard case .object(let object) = value else {
            throw SnapshotDecodingError(path: path, message: "expected an object")
        }
        self.object = object
        self.path = path
    }

    func error(_ key: String, _ message: String) -> SnapshotDecodingError {
        SnapshotDecodingError(path: key.isEmpty ? path : (path.isEmpty ? key : "\(path).\(key)"), message: message)
    }

    func has(_ key: String) -> Bool { object[key] != nil }

    func value(_ key: String) throws(SnapshotDecodingError) -> JSONValue {
        guard let value = object[key] else { throw error(key, "missing") }
        return value
    }

    func string(_ key: String) throws(SnapshotDecodingError) -> String {
        guard let value = try self.value(key).stringValue else { throw error(key, "expected a string") }
        return value
    }

    func optionalString(_ key: String) throws(SnapshotDecodingError) -> String? {
        guard has(key) else { return nil }
        return try string(key)
    }

    func bool(_ key: String) throws(SnapshotDecodingError) -> Bool {
        guard let value = try self.value(key).boolValue else { throw error(key, "expected true or false") }
        return value
    }

    func int(_ key: String) throws(SnapshotDecodingError) -> Int {
        guard let value = try self.value(key).integerValue, let int = Int(exactly: value) else { throw error(key, "expected an integer") }
        return int
    }

    func optionalInt64(_ key: String) throws(SnapshotDecodingError) -> Int64? {
        guard has(key) else { return nil }
        guard let value = try self.value(key).integerValue else { throw error(key, "expected an integer") }
        return value
    }

    func array(_ key: String) throws(SnapshotDecodingError) -> [JSONValue] {
        guard let value = try self.value(key).arrayValue else { throw error(key, "expected an array") }
        return value
    }

    func strings(_ key: String) throws(SnapshotDecodingError) -> [String] {
        let values = try array(key)
        guard values.allSatisfy({ $0.stringValue != nil }) else { throw error(key, "expected a list of strings") }
        return values.map { $0.stringValue! }
    }

    func object(_ key: String) throws(SnapshotDecodingError) -> [String: JSONValue] {
        guard let value = try self.value(key).objectValue else { throw error(key, "expected an object") }
        return value
    }

    func optionalObject(_ key: String) throws(SnapshotDecodingError) -> [String: JSONValue]? {
        guard has(key) else { return nil }
        return try object(key)
    }
}
