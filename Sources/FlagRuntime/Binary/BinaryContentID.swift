// The content id of a binary snapshot, computed from its payload's bytes: the canonical compact JSON that
// `Snapshot.contentID` hashes, written straight from the payload with each string of the table escaped once,
// instead of from the decoded snapshot (docs/snapshot-format.md, "What is verified"; docs/performance.md).
//
// It reads the payload as strictly as `BinarySnapshotDecoder` where that matters to the text (types, codes, counts,
// references, depths) and gives nil for anything else; `SnapshotLoader` then hashes the decoded snapshot, whose
// decoder names what is wrong. Debug builds check on every load that both ways give the same id.

/// Writes the canonical content JSON of a payload into a hashing `JSONOutput`.
struct BinaryContentID: ~Copyable {
    typealias Format = BinarySnapshotFormat

    private var reader: BinaryReader
    private var output = JSONOutput(hashing: ())
    /// Every string of the table as JSON writes it (quoted and escaped), one after another.
    private let quoted: [UInt8]
    /// String `i` is `quoted[starts[i] ..< starts[i + 1]]`.
    private let starts: [Int]

    private init(reader: BinaryReader, quoted: [UInt8], starts: [Int]) {
        self.reader = reader
        self.quoted = quoted
        self.starts = starts
    }

    /// The content id of the payload `bytes[header.headerLength ..< header.totalLength]` (already checked against
    /// the header's SHA-256), or nil when the payload is not well-formed.
    static func of(_ bytes: UnsafeRawBufferPointer, header: BinarySnapshotHeader) -> String? {
        guard let base = bytes.baseAddress, header.totalLength <= bytes.count else { return nil }
        do throws(BinaryFailure) {
            let sections = try Sections(BinaryReader(base: base, position: header.headerLength, end: header.totalLength))
            let (quoted, starts) = try escapedStrings(BinaryReader(base: base, position: sections.strings.lowerBound, end: sections.strings.upperBound))
            var writer = BinaryContentID(reader: BinaryReader(base: base, position: 0, end: 0), quoted: quoted, starts: starts)
            try writer.document(sections)
            return Format.hex(writer.output.digest())
        } catch {
            return nil
        }
    }

    /// Where the known sections are.
    private struct Sections {
        var strings: Range<Int> = 0..<0
        var snapshot: Range<Int>?
        var flags: Range<Int>?
        var metadata: Range<Int>?
        var environments: Range<Int>?

        init(_ payload: BinaryReader) throws(BinaryFailure) {
            var reader = payload
            var hasStrings = false
            while reader.position < payload.end {
                let tag = try reader.u32()
                let length = Int(try reader.u32())
                guard length <= reader.remaining else { throw reader.failure("section") }
                let range = reader.position..<(reader.position + length)
                reader.position = range.upperBound
                switch tag {
                case Format.Section.strings where !hasStrings: strings = range; hasStrings = true
                case Format.Section.snapshot where snapshot == nil: snapshot = range
                case Format.Section.flags where flags == nil: flags = range
                case Format.Section.metadata where metadata == nil: metadata = range
                case Format.Section.environments where environments == nil: environments = range
                case Format.Section.strings, Format.Section.snapshot, Format.Section.flags, Format.Section.metadata, Format.Section.environments:
                    throw reader.failure("repeated section")
                default:
                    continue  // from a newer minor version, as the decoder skips it
                }
            }
            guard hasStrings, snapshot != nil, flags != nil else { throw reader.failure("missing section") }
        }
    }

    /// The table's strings, each quoted and escaped (`JSONWriter.appendString`), and where each starts.
    private static func escapedStrings(_ section: BinaryReader) throws(BinaryFailure) -> ([UInt8], [Int]) {
        var reader = section
        let count = try reader.count(minimumSize: 4, "the string count")
        let blobLength = Int(try reader.u32())
        guard reader.remaining == count * 4 + blobLength else { throw reader.failure("string table") }
        let offsets = reader.position
        let blob = reader.base + offsets + count * 4
        var text = JSONOutput(capacity: blobLength + 2 * count + blobLength / 8)
        var starts: [Int] = []
        starts.reserveCapacity(count + 1)
        var start = 0
        for index in 0..<count {
            let end = Int(UInt32(littleEndian: reader.base.loadUnaligned(fromByteOffset: offsets + index * 4, as: UInt32.self)))
            guard end >= start, end <= blobLength else { throw reader.failure("string offset") }
            starts.append(text.count)
            JSONWriter.appendString(utf8: UnsafeBufferPointer(start: (blob + start).assumingMemoryBound(to: UInt8.self), count: end - start), to: &text)
            start = end
        }
        starts.append(text.count)
        return (text.bytes(), starts)
    }

    // MARK: Writing

    private mutating func fragment(_ text: StaticString) {
        output.append(UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    private mutating func stringIndex() throws(BinaryFailure) -> Int {
        let index = Int(try reader.u32())
        guard index < starts.count - 1 else { throw reader.failure("string reference") }
        return index
    }

    private mutating func string(_ index: Int) {
        quoted.withUnsafeBufferPointer { quoted in
            output.append(UnsafeBufferPointer(rebasing: quoted[starts[index]..<starts[index + 1]]))
        }
    }

    private mutating func string() throws(BinaryFailure) {
        string(try stringIndex())
    }

    private mutating func integer(_ value: Int64) {
        JSONWriter.appendInteger(value, to: &output)
    }

    /// A number as a condition's operand is written (`Condition.numberJSON`).
    private mutating func operandNumber(_ value: Double) {
        JSONWriter.write(Condition.numberJSON(value), into: &output, style: .compact, indent: 0)
    }

    /// `{"environment":…,"environments":[…],"flags":{…}}`, as `Snapshot.contentID` writes it.
    private mutating func document(_ sections: Sections) throws(BinaryFailure) {
        fragment("{")
        if let snapshot = sections.snapshot {
            reader = BinaryReader(base: reader.base, position: snapshot.lowerBound, end: snapshot.upperBound)
            _ = try stringIndex()  // the id
            _ = try reader.u32()  // the revision
            let environment = try reader.u32()
            if environment != Format.noString {
                guard Int(environment) < starts.count - 1 else { throw reader.failure("string reference") }
                fragment("\"environment\":")
                string(Int(environment))
                fragment(",")
            }
        }
        if let environments = sections.environments {
            reader = BinaryReader(base: reader.base, position: environments.lowerBound, end: environments.upperBound)
            fragment("\"environments\":")
            try strings()
            fragment(",")
        }
        fragment("\"flags\":{")
        let base = reader.base
        var metadata = sections.metadata.map { BinaryReader(base: base, position: $0.lowerBound, end: $0.upperBound) }
        let flags = sections.flags!
        reader = BinaryReader(base: reader.base, position: flags.lowerBound, end: flags.upperBound)
        let count = try reader.count(minimumSize: 18, "the flag count")
        if metadata != nil {
            guard Int(try metadata!.u32()) == count else { throw reader.failure("metadata count") }
        }
        for index in 0..<count {
            if index > 0 { fragment(",") }
            try flag(metadata: &metadata)
        }
        fragment("}}")
    }

    /// `[…]` of a count and string references.
    private mutating func strings() throws(BinaryFailure) {
        let count = try reader.count(minimumSize: 4, "a string count")
        fragment("[")
        for index in 0..<count {
            if index > 0 { fragment(",") }
            try string()
        }
        fragment("]")
    }

    /// `"key":{…}`, as `Flag.emit(into:)` writes it: members in key order, so the variants (before the rules in the
    /// payload) are read twice, and the metadata comes from its own section.
    private mutating func flag(metadata: inout BinaryReader?) throws(BinaryFailure) {
        try string()
        guard let type = Format.type(code: try reader.u8()) else { throw reader.failure("type") }
        let enabled = try reader.bool("the enabled byte")
        let defaultVariant = try stringIndex()
        fragment(":{\"defaultVariant\":")
        string(defaultVariant)
        fragment(enabled ? ",\"enabled\":true,\"metadata\":{" : ",\"enabled\":false,\"metadata\":{")
        if metadata != nil { try self.metadata(&metadata!) }
        fragment("},\"rules\":[")
        let variantCount = try reader.count(minimumSize: 5, "the variant count")
        let variants = reader.position
        for _ in 0..<variantCount {
            _ = try stringIndex()
            try value(type, write: false)
        }
        let ruleCount = try reader.count(minimumSize: 9, "the rule count")
        for index in 0..<ruleCount {
            if index > 0 { fragment(",") }
            try rule()
        }
        let end = reader.position
        switch type {
        case .boolean: fragment("],\"type\":\"boolean\",\"variants\":[")
        case .string: fragment("],\"type\":\"string\",\"variants\":[")
        case .integer: fragment("],\"type\":\"integer\",\"variants\":[")
        case .number: fragment("],\"type\":\"number\",\"variants\":[")
        case .object: fragment("],\"type\":\"object\",\"variants\":[")
        }
        reader.position = variants
        for index in 0..<variantCount {
            fragment(index > 0 ? ",{\"name\":" : "{\"name\":")
            try string()
            fragment(",\"value\":")
            try value(type, write: true)
            fragment("}")
        }
        fragment("]}")
        reader.position = end
    }

    /// One `META` record: `"description"`, `"expires"`, `"owner"`, then `"values"` when it has members.
    private mutating func metadata(_ record: inout BinaryReader) throws(BinaryFailure) {
        swap(&reader, &record)
        defer { swap(&reader, &record) }
        let fields = try reader.u8()
        guard fields & ~Format.MetadataField.all == 0 else { throw reader.failure("metadata fields") }
        let description = fields & Format.MetadataField.description != 0 ? try stringIndex() : nil
        let owner = fields & Format.MetadataField.owner != 0 ? try stringIndex() : nil
        let expires = fields & Format.MetadataField.expires != 0 ? try reader.i64() : nil
        var separator = false
        if let description {
            fragment("\"description\":")
            string(description)
            separator = true
        }
        if let expires {
            fragment(separator ? ",\"expires\":" : "\"expires\":")
            integer(expires)
            separator = true
        }
        if let owner {
            fragment(separator ? ",\"owner\":" : "\"owner\":")
            string(owner)
            separator = true
        }
        if fields & Format.MetadataField.values != 0 {
            // An empty object decodes to no values, which are not written.
            guard reader.remaining >= 5, reader.base.load(fromByteOffset: reader.position, as: UInt8.self) == Format.ValueTag.object else {
                throw reader.failure("metadata values")
            }
            if reader.base.loadUnaligned(fromByteOffset: reader.position + 1, as: UInt32.self) == 0 {
                reader.position += 5
            } else {
                fragment(separator ? ",\"values\":" : "\"values\":")
                try json(depth: 1, write: true)
            }
        }
    }

    /// A variant's value of the flag's type (`FlagValue.jsonValue`, written by `JSONWriter`).
    private mutating func value(_ type: FlagValueType, write: Bool) throws(BinaryFailure) {
        switch type {
        case .boolean:
            let value = try reader.bool("a boolean value")
            if write { fragment(value ? "true" : "false") }
        case .string:
            let index = try stringIndex()
            if write { string(index) }
        case .integer:
            let value = try reader.i64()
            if write { integer(value) }
        case .number:
            let value = try reader.f64()
            if write { JSONWriter.appendDouble(value, to: &output) }
        case .object:
            guard reader.position < reader.end, reader.base.load(fromByteOffset: reader.position, as: UInt8.self) == Format.ValueTag.object else {
                throw reader.failure("object value")
            }
            try json(depth: 1, write: write)
        }
    }

    /// A JSON value (`BinarySnapshotDecoder.decodeJSON`), written as `JSONWriter` writes the decoded value.
    private mutating func json(depth: Int, write: Bool) throws(BinaryFailure) {
        let tag = try reader.u8()
        switch tag {
        case Format.ValueTag.null: if write { fragment("null") }
        case Format.ValueTag.false: if write { fragment("false") }
        case Format.ValueTag.true: if write { fragment("true") }
        case Format.ValueTag.integer:
            let value = try reader.i64()
            if write { integer(value) }
        case Format.ValueTag.double:
            let value = try reader.f64()
            if write { JSONWriter.appendDouble(value, to: &output) }
        case Format.ValueTag.string:
            let index = try stringIndex()
            if write { string(index) }
        case Format.ValueTag.array, Format.ValueTag.object:
            guard depth <= Format.maximumValueDepth else { throw reader.failure("depth") }
            let isObject = tag == Format.ValueTag.object
            let count = try reader.count(minimumSize: isObject ? 5 : 1, "a length")
            if write { fragment(isObject ? "{" : "[") }
            var previous = -1
            for index in 0..<count {
                if write && index > 0 { fragment(",") }
                if isObject {
                    let key = try stringIndex()
                    guard key > previous else { throw reader.failure("member order") }
                    previous = key
                    if write {
                        string(key)
                        fragment(":")
                    }
                }
                try json(depth: depth + 1, write: write)
            }
            if write { fragment(isObject ? "}" : "]") }
        default:
            throw reader.failure("value tag")
        }
    }

    /// A rule, as `Rule.emit(into:)` writes it: conditions, from, name, serve or split, until.
    private mutating func rule() throws(BinaryFailure) {
        let fields = try reader.u8()
        guard fields & ~Format.RuleField.all == 0 else { throw reader.failure("rule fields") }
        let name = fields & Format.RuleField.name != 0 ? try stringIndex() : nil
        let from = fields & Format.RuleField.from != 0 ? try reader.i64() : nil
        let until = fields & Format.RuleField.until != 0 ? try reader.i64() : nil
        fragment("{\"conditions\":")
        try conditions(depth: 1)
        if let from {
            fragment(",\"from\":")
            integer(from)
        }
        if let name {
            fragment(",\"name\":")
            string(name)
        }
        if fields & Format.RuleField.split != 0 {
            let seed = try stringIndex()
            fragment(",\"split\":{\"bucketBy\":")
            try string()
            fragment(",\"buckets\":[")
            let count = try reader.count(minimumSize: 8, "the bucket count")
            for index in 0..<count {
                fragment(index > 0 ? ",{\"variant\":" : "{\"variant\":")
                try string()
                fragment(",\"weight\":")
                integer(Int64(try reader.u32()))
                fragment("}")
            }
            fragment("],\"seed\":")
            string(seed)
            fragment("}")
        } else {
            fragment(",\"serve\":")
            try string()
        }
        if let until {
            fragment(",\"until\":")
            integer(until)
        }
        fragment("}")
    }

    /// `[…]` of conditions, as `Condition.emit(_:into:)` writes them.
    private mutating func conditions(depth: Int) throws(BinaryFailure) {
        let count = try reader.count(minimumSize: 5, "the condition count")
        fragment("[")
        for index in 0..<count {
            if index > 0 { fragment(",") }
            try condition(depth: depth)
        }
        fragment("]")
    }

    private mutating func condition(depth: Int) throws(BinaryFailure) {
        switch try reader.u8() {
        case Format.ConditionKind.attribute:
            let name = try stringIndex()
            guard let op = Format.op(code: try reader.u8()) else { throw reader.failure("operator") }
            fragment("{\"attribute\":")
            string(name)
            fragment(",\"op\":")
            JSONWriter.appendString(op.rawValue, to: &output)
            try operand(isTime: op == .before || op == .after)
            fragment("}")
        case Format.ConditionKind.environments:
            fragment("{\"environments\":")
            try strings()
            fragment("}")
        case Format.ConditionKind.segments:
            guard depth < Format.maximumSegmentDepth else { throw reader.failure("depth") }
            let count = try reader.count(minimumSize: 8, "the segment count")
            fragment("{\"segments\":[")
            for index in 0..<count {
                let name = try stringIndex()
                fragment(index > 0 ? ",{\"conditions\":" : "{\"conditions\":")
                try conditions(depth: depth + 1)
                fragment(",\"name\":")
                string(name)
                fragment("}")
            }
            fragment("]}")
        default:
            throw reader.failure("condition kind")
        }
    }

    /// `,"value":…` or `,"values":[…]`, as the decoder's canonical operand (`Condition.Operand.canonical(for:)`) is
    /// written: a timestamp under an operator other than `before` and `after` is a number.
    private mutating func operand(isTime: Bool) throws(BinaryFailure) {
        switch try reader.u8() {
        case Format.OperandKind.string:
            fragment(",\"value\":")
            try string()
        case Format.OperandKind.number:
            fragment(",\"value\":")
            operandNumber(try reader.f64())
        case Format.OperandKind.boolean:
            fragment(try reader.bool("the operand") ? ",\"value\":true" : ",\"value\":false")
        case Format.OperandKind.timestamp:
            let seconds = try reader.i64()
            fragment(",\"value\":")
            if isTime { integer(seconds) } else { operandNumber(Double(seconds)) }
        case Format.OperandKind.strings:
            fragment(",\"values\":")
            try strings()
        case Format.OperandKind.numbers:
            let count = try reader.count(minimumSize: 8, "the value count")
            fragment(",\"values\":[")
            for index in 0..<count {
                if index > 0 { fragment(",") }
                operandNumber(try reader.f64())
            }
            fragment("]")
        default:
            throw reader.failure("operand kind")
        }
    }
}
