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

    var reader: BinaryReader
    var output = JSONOutput(hashing: ())
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

        /// Finds the sections of `payload`; throws when one is repeated or a required one is missing.
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

    /// Writes JSON text that needs no escaping.
    mutating func fragment(_ text: StaticString) {
        JSONWriter.appendASCII(text, to: &output)
    }

    /// Reads a reference to the string table.
    mutating func stringIndex() throws(BinaryFailure) -> Int {
        let index = Int(try reader.u32())
        guard index < starts.count - 1 else { throw reader.failure("string reference") }
        return index
    }

    /// Writes string `index` of the table, quoted and escaped.
    mutating func string(_ index: Int) {
        quoted.withUnsafeBufferPointer { quoted in
            output.append(UnsafeBufferPointer(rebasing: quoted[starts[index]..<starts[index + 1]]))
        }
    }

    /// Reads a string reference and writes the string.
    mutating func string() throws(BinaryFailure) {
        string(try stringIndex())
    }

    /// Writes an integer.
    mutating func integer(_ value: Int64) {
        JSONWriter.appendInteger(value, to: &output)
    }

    /// A number as a condition's operand is written (`Condition.numberJSON`).
    mutating func operandNumber(_ value: Double) {
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
    mutating func strings() throws(BinaryFailure) {
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
}
