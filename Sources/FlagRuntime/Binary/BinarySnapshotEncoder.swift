#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Encodes a `Snapshot` as a binary snapshot (`snapshot.bin`, `docs/snapshot-format.md`). The output is
// canonical: the same snapshot always gives the same bytes (strings sorted and unique, object members in key
// order, operands in the form a JSON round trip gives back).

/// A snapshot that cannot be written in the binary form (nesting or sizes beyond the format's limits, or a
/// value whose type differs from its flag's).
public struct SnapshotEncodingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Where, for example `flags.ui.layout.variants[0]`.
    public var path: String
    /// What is wrong.
    public var message: String

    /// Creates an encoding error.
    package init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    /// `path: message`.
    public var description: String { path.isEmpty ? message : "\(path): \(message)" }
}

/// Writes the payload. Strings are interned in first-use order while writing; at the end they are sorted by
/// their bytes and every recorded reference is patched to the sorted index.
struct BinarySnapshotEncoder {
    typealias Format = BinarySnapshotFormat

    private var body: [UInt8] = []
    /// String → index of the first string equal to it. Swift's `==` treats canonically equivalent spellings
    /// as equal, so a hit is checked byte for byte and such spellings go to `spellings`.
    private var interned: [String: UInt32] = [:]
    private var spellings: [UInt32: [UInt32]] = [:]
    private var strings: [String] = []
    /// The interned strings' UTF-8, back to back in first-use order, and where each ends.
    private var firstUseBlob: [UInt8] = []
    private var firstUseEnds: [Int] = []
    private var references: [Int] = []
    /// Where the encoder is, for error messages (built only when there is an error).
    private var flagKey: String?
    private var ruleIndex: Int?
    private var inMetadata = false

    private var path: String {
        guard let flagKey else { return "" }
        if inMetadata { return "flags.\(flagKey).metadata" }
        return ruleIndex.map { "flags.\(flagKey).rules[\($0)]" } ?? "flags.\(flagKey)"
    }

    static func payload(_ snapshot: Snapshot) throws(SnapshotEncodingError) -> [UInt8] {
        var encoder = BinarySnapshotEncoder()
        encoder.body.reserveCapacity(snapshot.flags.count * 256)
        encoder.interned.reserveCapacity(snapshot.flags.count * 4)
        return try encoder.encode(snapshot)
    }

    private mutating func encode(_ snapshot: Snapshot) throws(SnapshotEncodingError) -> [UInt8] {
        var previous: String?
        for flag in snapshot.flags {
            if let previous, !precedesByUTF8(previous, flag.key) {
                throw SnapshotEncodingError(path: "flags.\(flag.key)", message: "flags must be sorted by key and unique")
            }
            previous = flag.key
        }

        let snap = beginSection(Format.Section.snapshot)
        string(snapshot.id)
        optionalString(snapshot.revision)
        optionalString(snapshot.environment)
        try endSection(snap)

        let flagSection = beginSection(Format.Section.flags)
        try count(snapshot.flags.count, "flags")
        for flag in snapshot.flags {
            flagKey = flag.key
            try encode(flag)
        }
        try endSection(flagSection)

        if snapshot.flags.contains(where: { $0.metadata != FlagMetadata() }) {
            let meta = beginSection(Format.Section.metadata)
            u32(UInt32(snapshot.flags.count))
            for flag in snapshot.flags {
                flagKey = flag.key
            inMetadata = true
                try encode(flag.metadata)
            }
            try endSection(meta)
        }

        if let environments = snapshot.environments {
            flagKey = nil
            let envs = beginSection(Format.Section.environments)
            try count(environments.count, "environments")
            for name in environments { string(name) }
            try endSection(envs)
        }

        // The string table, sorted by bytes; then every reference is rewritten to the sorted index.
        let starts = [0] + firstUseEnds.dropLast()
        let order = firstUseBlob.withUnsafeBufferPointer { blob in
            strings.indices.sorted { a, b in
                let lengthA = firstUseEnds[a] - starts[a], lengthB = firstUseEnds[b] - starts[b]
                let common = min(lengthA, lengthB)
                if common > 0, let base = blob.baseAddress {
                    let result = memcmp(base + starts[a], base + starts[b], common)
                    if result != 0 { return result < 0 }
                }
                return lengthA < lengthB
            }
        }
        var sortedIndex = [UInt32](repeating: 0, count: strings.count)
        for (newIndex, oldIndex) in order.enumerated() { sortedIndex[oldIndex] = UInt32(newIndex) }
        for position in references {
            let old = Int(UInt32(body[position]) | UInt32(body[position + 1]) << 8 | UInt32(body[position + 2]) << 16 | UInt32(body[position + 3]) << 24)
            body.storeLE(sortedIndex[old], at: position)
        }
        var table: [UInt8] = []
        var blob: [UInt8] = []
        blob.reserveCapacity(firstUseBlob.count)
        for oldIndex in order {
            blob.append(contentsOf: firstUseBlob[starts[oldIndex]..<firstUseEnds[oldIndex]])
            guard blob.count <= UInt32.max else { throw SnapshotEncodingError(path: "", message: "the strings exceed 4 GiB") }
            append(UInt32(blob.count), to: &table)
        }
        var payload: [UInt8] = []
        payload.reserveCapacity(16 + table.count + blob.count + body.count)
        append(Format.Section.strings, to: &payload)
        append(UInt32(8 + table.count + blob.count), to: &payload)
        append(UInt32(strings.count), to: &payload)
        append(UInt32(blob.count), to: &payload)
        payload.append(contentsOf: table)
        payload.append(contentsOf: blob)
        payload.append(contentsOf: body)
        return payload
    }

    // MARK: Flags

    private mutating func encode(_ flag: Flag) throws(SnapshotEncodingError) {
        string(flag.key)
        u8(Format.code(flag.type))
        u8(flag.enabled ? 1 : 0)
        string(flag.defaultVariant)
        try count(flag.variants.count, "variants")
        for (index, variant) in flag.variants.enumerated() {
            string(variant.name)
            try encode(variant.value, type: flag.type, at: "variants[\(index)]")
        }
        try count(flag.rules.count, "rules")
        for (index, rule) in flag.rules.enumerated() {
            ruleIndex = index
            try encode(rule)
            ruleIndex = nil
        }
    }

    private mutating func encode(_ value: FlagValue, type: FlagValueType, at component: String) throws(SnapshotEncodingError) {
        switch (type, value) {
        case (.boolean, .boolean(let flag)): u8(flag ? 1 : 0)
        case (.string, .string(let text)): string(text)
        case (.integer, .integer(let number)): i64(number)
        case (.number, .number(let number)): f64(number)
        case (.number, .integer(let number)): f64(Double(number))  // as the JSON form reads it back
        case (.object, .object(let object)): try json(.object(object), depth: 1)
        default:
            throw SnapshotEncodingError(path: path + "." + component, message: "a \(value.type.rawValue) value in a \(type.rawValue) flag")
        }
    }

    private mutating func encode(_ rule: Rule) throws(SnapshotEncodingError) {
        var fields: UInt8 = 0
        if rule.name != nil { fields |= Format.RuleField.name }
        if rule.from != nil { fields |= Format.RuleField.from }
        if rule.until != nil { fields |= Format.RuleField.until }
        if case .split = rule.outcome { fields |= Format.RuleField.split }
        u8(fields)
        if let name = rule.name { string(name) }
        if let from = rule.from { i64(from) }
        if let until = rule.until { i64(until) }
        try encode(rule.conditions, depth: 1)
        switch rule.outcome {
        case .serve(let variant):
            string(variant)
        case .split(let split):
            string(split.seed)
            string(split.bucketBy)
            try count(split.buckets.count, "buckets")
            for bucket in split.buckets {
                string(bucket.variant)
                guard let weight = UInt32(exactly: bucket.weight) else {
                    throw SnapshotEncodingError(path: path, message: "split weight \(bucket.weight) is outside 0…10000")
                }
                u32(weight)
            }
        }
    }

    private mutating func encode(_ conditions: [Condition], depth: Int) throws(SnapshotEncodingError) {
        try count(conditions.count, "conditions")
        for condition in conditions {
            switch condition {
            case .attribute(let name, let op, let operand):
                u8(Format.ConditionKind.attribute)
                string(name)
                u8(Format.code(op))
                try encode(operand.canonical(for: op))
            case .environment(let names):
                u8(Format.ConditionKind.environments)
                try count(names.count, "environments")
                for name in names { string(name) }
            case .segments(let segments):
                guard depth < Format.maximumSegmentDepth else {
                    throw SnapshotEncodingError(path: path, message: "segments nest deeper than \(Format.maximumSegmentDepth) levels, the binary format's limit")
                }
                u8(Format.ConditionKind.segments)
                try count(segments.count, "segments")
                for segment in segments {
                    string(segment.name)
                    try encode(segment.conditions, depth: depth + 1)
                }
            }
        }
    }

    private mutating func encode(_ operand: Condition.Operand) throws(SnapshotEncodingError) {
        switch operand {
        case .string(let value):
            u8(Format.OperandKind.string)
            string(value)
        case .number(let value):
            u8(Format.OperandKind.number)
            f64(value)
        case .boolean(let value):
            u8(Format.OperandKind.boolean)
            u8(value ? 1 : 0)
        case .timestamp(let value):
            u8(Format.OperandKind.timestamp)
            i64(value)
        case .strings(let values):
            u8(Format.OperandKind.strings)
            try count(values.count, "values")
            for value in values { string(value) }
        case .numbers(let values):
            u8(Format.OperandKind.numbers)
            try count(values.count, "values")
            for value in values { f64(value) }
        }
    }

    // MARK: Metadata and JSON values

    private mutating func encode(_ metadata: FlagMetadata) throws(SnapshotEncodingError) {
        var fields: UInt8 = 0
        if metadata.description != nil { fields |= Format.MetadataField.description }
        if metadata.owner != nil { fields |= Format.MetadataField.owner }
        if metadata.expires != nil { fields |= Format.MetadataField.expires }
        if !metadata.values.isEmpty { fields |= Format.MetadataField.values }
        u8(fields)
        if let description = metadata.description { string(description) }
        if let owner = metadata.owner { string(owner) }
        if let expires = metadata.expires { i64(expires) }
        if !metadata.values.isEmpty { try json(.object(metadata.values), depth: 1) }
    }

    private mutating func json(_ value: JSONValue, depth: Int) throws(SnapshotEncodingError) {
        switch value {
        case .null:
            u8(Format.ValueTag.null)
        case .bool(let flag):
            u8(flag ? Format.ValueTag.true : Format.ValueTag.false)
        case .integer(let number):
            u8(Format.ValueTag.integer)
            i64(number)
        case .double(let number):
            if number.isFinite {
                u8(Format.ValueTag.double)
                f64(number)
            } else {
                u8(Format.ValueTag.null)  // as the JSON writer writes it
            }
        case .string(let text):
            u8(Format.ValueTag.string)
            string(text)
        case .array(let elements):
            try checkDepth(depth)
            u8(Format.ValueTag.array)
            try count(elements.count, "array elements")
            for element in elements { try json(element, depth: depth + 1) }
        case .object(let members):
            try checkDepth(depth)
            u8(Format.ValueTag.object)
            try count(members.count, "members")
            for key in members.keys.sorted(by: precedesByUTF8) {
                string(key)
                try json(members[key]!, depth: depth + 1)
            }
        }
    }

    private func checkDepth(_ depth: Int) throws(SnapshotEncodingError) {
        guard depth <= Format.maximumValueDepth else {
            throw SnapshotEncodingError(path: path, message: "a value nests deeper than \(Format.maximumValueDepth) levels, the binary format's limit")
        }
    }

    // MARK: Primitives

    private mutating func beginSection(_ tag: UInt32) -> Int {
        u32(tag)
        u32(0)  // the length, patched by endSection
        return body.count
    }

    private mutating func endSection(_ start: Int) throws(SnapshotEncodingError) {
        guard let length = UInt32(exactly: body.count - start) else {
            throw SnapshotEncodingError(path: "", message: "a section exceeds 4 GiB")
        }
        body.storeLE(length, at: start - 4)
    }

    private mutating func count(_ count: Int, _ what: String) throws(SnapshotEncodingError) {
        guard let value = UInt32(exactly: count) else {
            throw SnapshotEncodingError(path: path, message: "too many \(what) (\(count))")
        }
        u32(value)
    }

    private mutating func string(_ text: String) {
        let index: UInt32
        if let existing = interned[text] {
            index = sameBytes(existing, text) ? existing : spelling(of: text, equalTo: existing)
        } else {
            index = newString(text)
            interned[text] = index
        }
        references.append(body.count)
        u32(index)
    }

    /// The index of `text` among the byte-distinct spellings equal (as Swift strings) to string `first`.
    private mutating func spelling(of text: String, equalTo first: UInt32) -> UInt32 {
        if let found = spellings[first, default: []].first(where: { sameBytes($0, text) }) { return found }
        let index = newString(text)
        spellings[first, default: []].append(index)
        return index
    }

    private mutating func newString(_ text: String) -> UInt32 {
        strings.append(text)
        firstUseBlob.append(contentsOf: text.utf8)
        firstUseEnds.append(firstUseBlob.count)
        return UInt32(strings.count - 1)
    }

    private func sameBytes(_ index: UInt32, _ text: String) -> Bool {
        let end = firstUseEnds[Int(index)]
        let start = index == 0 ? 0 : firstUseEnds[Int(index) - 1]
        return end - start == text.utf8.count && firstUseBlob[start..<end].elementsEqual(text.utf8)
    }

    private mutating func optionalString(_ text: String?) {
        if let text {
            string(text)
        } else {
            u32(Format.noString)
        }
    }

    private mutating func u8(_ value: UInt8) { body.append(value) }
    private mutating func u32(_ value: UInt32) { append(value, to: &body) }
    private mutating func i64(_ value: Int64) { append(UInt64(bitPattern: value), to: &body) }
    private mutating func f64(_ value: Double) { append(value.bitPattern, to: &body) }

    private func append<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
        for index in 0..<MemoryLayout<T>.size {
            bytes.append(UInt8(truncatingIfNeeded: value >> (index * 8)))
        }
    }
}
