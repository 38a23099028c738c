// Decodes the payload of a binary snapshot into a `Snapshot` equal to what the JSON decoder gives for the
// same snapshot. Strict: every reference, count, code and order is checked, and any problem is an error
// that names the byte offset and the flag it was found in.

/// Decodes a payload whose header (and checksum) has been validated.
struct BinarySnapshotDecoder {
    typealias Format = BinarySnapshotFormat

    var reader: BinaryReader
    var strings: [String] = []
    /// Whether every string is ASCII (then byte order and uniqueness imply Swift `String` uniqueness).
    var stringsAreASCII = true

    private init(base: UnsafeRawPointer, position: Int, end: Int) {
        reader = BinaryReader(base: base, position: position, end: end)
    }

    static func decodePayload(_ bytes: UnsafeRawBufferPointer, header: BinarySnapshotHeader) throws(SnapshotDecodingError) -> Snapshot {
        guard let base = bytes.baseAddress else { throw SnapshotDecodingError(path: "", message: "the file is empty") }
        var decoder = BinarySnapshotDecoder(base: base, position: header.headerLength, end: header.totalLength)
        let snapshot: Snapshot
        do {
            snapshot = try decoder.decodeSections(header: header)
        } catch {
            throw error.decodingError
        }
        try SnapshotValidation.check(snapshot, keysAreSorted: true)
        return snapshot
    }

    // MARK: Sections

    mutating func decodeSections(header: BinarySnapshotHeader) throws(BinaryFailure) -> Snapshot {
        let payloadEnd = reader.end
        var stage = 0  // 1 STRS, 2 SNAP, 3 FLAG, 4 META, 5 ENVS: known sections come in this order, each once
        var id = "", revision: String?, environment: String?, environments: [String]?
        var flags: [Flag] = []
        var hasMetadata = false
        while reader.position < payloadEnd {
            reader.end = payloadEnd
            let sectionStart = reader.position
            let tag = try reader.u32("a section tag")
            let length = Int(try reader.u32("a section length"))
            guard length <= reader.remaining else {
                throw reader.failure("section \(Format.Section.name(tag)) declares \(Format.grouped(length)) bytes, but only \(Format.grouped(reader.remaining)) remain in the payload", at: sectionStart)
            }
            let sectionEnd = reader.position + length
            reader.end = sectionEnd
            let order: Int
            switch tag {
            case Format.Section.strings: order = 1
            case Format.Section.snapshot: order = 2
            case Format.Section.flags: order = 3
            case Format.Section.metadata: order = 4
            case Format.Section.environments: order = 5
            default:
                // A section from a newer minor version: skipped.
                reader.position = sectionEnd
                continue
            }
            guard order > stage else {
                throw reader.failure("section \(Format.Section.name(tag)) is out of order or repeated (expected STRS, SNAP, FLAG, then optionally META and ENVS)", at: sectionStart)
            }
            guard order == stage + 1 || (order > 3 && stage >= 3) else {
                let missing = ["STRS", "SNAP", "FLAG"][stage]
                throw reader.failure("section \(Format.Section.name(tag)) comes before the required section '\(missing)'", at: sectionStart)
            }
            stage = order
            let component = "section " + Format.Section.name(tag)
            do {
                switch order {
                case 1:
                    try decodeStrings()
                case 2:
                    id = try string("the snapshot id")
                    revision = try optionalString("the revision")
                    environment = try optionalString("the environment")
                case 3:
                    flags = try decodeFlags()
                case 4:
                    try decodeMetadata(into: &flags)
                    hasMetadata = true
                default:
                    let count = try reader.count(minimumSize: 4, "the environment count")
                    var names: [String] = []
                    names.reserveCapacity(count)
                    for _ in 0..<count { names.append(try string("an environment name")) }
                    environments = names
                }
            } catch {
                throw order == 3 || order == 4 ? error : error.within(component)
            }
            guard reader.position == sectionEnd else {
                throw reader.failure("section \(Format.Section.name(tag)) has \(Format.grouped(sectionEnd - reader.position)) unread bytes at its end")
            }
        }
        guard stage >= 3 else {
            let missing = ["STRS", "SNAP", "FLAG"][stage]
            throw reader.failure("the payload has no '\(missing)' section")
        }
        guard hasMetadata == header.hasMetadata else {
            throw reader.failure(header.hasMetadata ? "the header announces a META section but the payload has none" : "the payload has a META section the header does not announce")
        }
        var snapshot = Snapshot(formatVersion: Snapshot.currentFormatVersion, id: id, revision: revision, environment: environment, environments: environments, flags: [])
        snapshot.flags = flags  // already in key order (checked), so the initialiser's sort is skipped
        return snapshot
    }

    /// `STRS`: count, blob length, the end offset of each string, then the UTF-8 blob. Strings are unique and
    /// sorted by their bytes, so references compare like the strings.
    mutating func decodeStrings() throws(BinaryFailure) {
        let count = try reader.count(minimumSize: 4, "the string count")
        let blobLength = Int(try reader.u32("the string blob length"))
        guard reader.remaining == count * 4 + blobLength else {
            throw reader.failure("the string table needs \(Format.grouped(count * 4 + blobLength)) bytes for \(count) offsets and a \(Format.grouped(blobLength))-byte blob, but its section holds \(Format.grouped(reader.remaining))")
        }
        let offsets = reader.position
        let blob = offsets + count * 4
        let base = reader.base
        strings.reserveCapacity(count)
        var start = 0
        var previous: Range<Int>?
        var asciiMask: UInt8 = 0
        for index in 0..<count {
            let end = Int(UInt32(littleEndian: base.loadUnaligned(fromByteOffset: offsets + index * 4, as: UInt32.self)))
            guard end >= start, end <= blobLength else {
                throw reader.failure("string \(index) ends at \(end), outside \(start)…\(blobLength)", at: offsets + index * 4)
            }
            let range = (blob + start)..<(blob + end)
            if let previous, reader.compare(previous, range) >= 0 {
                throw reader.failure("string \(index) is not after string \(index - 1) in byte order (the table must be sorted and unique)", at: range.lowerBound)
            }
            let buffer = UnsafeBufferPointer(start: (base + range.lowerBound).assumingMemoryBound(to: UInt8.self), count: range.count)
            var mask: UInt8 = 0
            for byte in buffer { mask |= byte }
            asciiMask |= mask
            // `String(decoding:)` replaces invalid UTF-8 with U+FFFD, which changes the bytes: so a string whose
            // bytes come back unchanged was valid. (Much faster than the generic `String(validating:as:)`.)
            let string = String(decoding: buffer, as: UTF8.self)
            guard mask < 0x80 || string.utf8.elementsEqual(buffer) else {
                throw reader.failure("string \(index) is not valid UTF-8", at: range.lowerBound)
            }
            strings.append(string)
            previous = range
            start = end
        }
        guard start == blobLength else {
            throw reader.failure("the string blob has \(blobLength - start) bytes after the last string", at: blob + start)
        }
        stringsAreASCII = asciiMask < 0x80
        reader.position = blob + blobLength
    }

    // MARK: References

    @inline(__always)
    mutating func stringIndex(_ what: StaticString) throws(BinaryFailure) -> Int {
        let index = Int(try reader.u32(what))
        guard index < strings.count else { throw badReference(index, what) }
        return index
    }

    @inline(__always)
    mutating func string(_ what: StaticString) throws(BinaryFailure) -> String {
        strings[try stringIndex(what)]
    }

    @inline(__always)
    mutating func optionalString(_ what: StaticString) throws(BinaryFailure) -> String? {
        let raw = try reader.u32(what)
        if raw == Format.noString { return nil }
        guard Int(raw) < strings.count else { throw badReference(Int(raw), what) }
        return strings[Int(raw)]
    }

    @inline(never)
    func badReference(_ index: Int, _ what: StaticString) -> BinaryFailure {
        reader.failure("\(what) refers to string \(index), but the table holds \(strings.count)", at: reader.position - 4)
    }

    // MARK: Flags

    mutating func decodeFlags() throws(BinaryFailure) -> [Flag] {
        let count = try reader.count(minimumSize: 18, "the flag count")
        var flags: [Flag] = []
        flags.reserveCapacity(count)
        var previousKey = -1
        for index in 0..<count {
            let keyIndex = try stringIndex("the flag key")
            let key = strings[keyIndex]
            guard keyIndex > previousKey else {
                throw reader.failure("flag '\(key)' is not after the previous flag in key order (flags must be sorted by key and unique)", at: reader.position - 4).within("flags[\(index)]")
            }
            previousKey = keyIndex
            do {
                flags.append(try decodeFlag(key: key))
            } catch {
                throw error.within("flags.\(key)")
            }
        }
        if !stringsAreASCII {
            // Distinct bytes can still be equal Swift strings (canonical equivalence); JSON rejects those as duplicates.
            var seen = Set<String>(minimumCapacity: flags.count)
            for flag in flags where !seen.insert(flag.key).inserted {
                throw reader.failure("two flag keys are the same string ('\(flag.key)') under Unicode canonical equivalence").within("flags.\(flag.key)")
            }
        }
        return flags
    }

    mutating func decodeFlag(key: String) throws(BinaryFailure) -> Flag {
        let typeCode = try reader.u8("the flag type")
        guard let type = Format.type(code: typeCode) else {
            throw reader.failure("unknown flag type code \(typeCode)", at: reader.position - 1).within("type")
        }
        let enabled = try reader.bool("the enabled byte")
        let defaultIndex = try stringIndex("the default variant")

        let variantCount = try reader.count(minimumSize: 5, "the variant count")
        var variants: [Variant] = []
        variants.reserveCapacity(variantCount)
        for index in 0..<variantCount {
            do {
                let nameIndex = try stringIndex("the variant name")
                let value = try decodeValue(type: type)
                variants.append(Variant(name: strings[nameIndex], value: value))
            } catch {
                throw error.within("variants[\(index)]")
            }
        }
        let defaultVariant = strings[defaultIndex]

        let ruleCount = try reader.count(minimumSize: 9, "the rule count")
        var rules: [Rule] = []
        rules.reserveCapacity(ruleCount)
        for index in 0..<ruleCount {
            do {
                rules.append(try decodeRule())
            } catch {
                throw error.within("rules[\(index)]")
            }
        }
        return Flag(key: key, type: type, enabled: enabled, variants: variants, defaultVariant: defaultVariant, rules: rules)
    }

    mutating func decodeValue(type: FlagValueType) throws(BinaryFailure) -> FlagValue {
        switch type {
        case .boolean:
            return .boolean(try reader.bool("a boolean value"))
        case .string:
            return .string(try string("a string value"))
        case .integer:
            return .integer(try reader.i64("an integer value"))
        case .number:
            return .number(try reader.f64("a number value"))
        case .object:
            let start = reader.position
            guard case .object(let object) = try decodeJSON(depth: 1) else {
                throw reader.failure("an object flag's value must be a JSON object", at: start)
            }
            return .object(object)
        }
    }

    // MARK: Rules and conditions

    mutating func decodeRule() throws(BinaryFailure) -> Rule {
        let fields = try reader.u8("the rule fields")
        guard fields & ~Format.RuleField.all == 0 else {
            throw reader.failure("unknown rule field bits 0x\(String(fields, radix: 16))", at: reader.position - 1)
        }
        let name = fields & Format.RuleField.name != 0 ? try string("the rule name") : nil
        let from = fields & Format.RuleField.from != 0 ? try reader.i64("the rule's from") : nil
        let until = fields & Format.RuleField.until != 0 ? try reader.i64("the rule's until") : nil
        let conditions = try decodeConditions(depth: 1)
        let outcome: Outcome
        if fields & Format.RuleField.split != 0 {
            let seed = try string("the split seed")
            let bucketBy = try string("the split's bucketBy")
            let count = try reader.count(minimumSize: 8, "the bucket count")
            var buckets: [Split.Bucket] = []
            buckets.reserveCapacity(count)
            for _ in 0..<count {
                let variant = try string("the bucket variant")
                let weight = try reader.u32("the bucket weight")
                buckets.append(Split.Bucket(variant: variant, weight: Int(weight)))
            }
            outcome = .split(Split(seed: seed, bucketBy: bucketBy, buckets: buckets))
        } else {
            outcome = .serve(variant: try string("the served variant"))
        }
        return Rule(name: name, from: from, until: until, conditions: conditions, outcome: outcome)
    }

    mutating func decodeConditions(depth: Int) throws(BinaryFailure) -> [Condition] {
        let count = try reader.count(minimumSize: 5, "the condition count")
        var conditions: [Condition] = []
        conditions.reserveCapacity(count)
        for index in 0..<count {
            do {
                conditions.append(try decodeCondition(depth: depth))
            } catch {
                throw error.within("conditions[\(index)]")
            }
        }
        return conditions
    }

    mutating func decodeCondition(depth: Int) throws(BinaryFailure) -> Condition {
        let kind = try reader.u8("the condition kind")
        switch kind {
        case Format.ConditionKind.attribute:
            let name = try string("the attribute name")
            let opCode = try reader.u8("the operator")
            guard let op = Format.op(code: opCode) else {
                throw reader.failure("unknown operator code \(opCode)", at: reader.position - 1).within("op")
            }
            let operand = try decodeOperand()
            return .attribute(name: name, op: op, operand: operand.canonical(for: op))
        case Format.ConditionKind.environments:
            let count = try reader.count(minimumSize: 4, "the environment count")
            var names: [String] = []
            names.reserveCapacity(count)
            for _ in 0..<count { names.append(try string("an environment name")) }
            return .environment(names)
        case Format.ConditionKind.segments:
            guard depth < Format.maximumSegmentDepth else {
                throw reader.failure("segments nest deeper than \(Format.maximumSegmentDepth) levels", at: reader.position - 1)
            }
            let count = try reader.count(minimumSize: 8, "the segment count")
            var segments: [ResolvedSegment] = []
            segments.reserveCapacity(count)
            for index in 0..<count {
                do {
                    let name = try string("the segment name")
                    segments.append(ResolvedSegment(name: name, conditions: try decodeConditions(depth: depth + 1)))
                } catch {
                    throw error.within("segments[\(index)]")
                }
            }
            return .segments(segments)
        default:
            throw reader.failure("unknown condition kind \(kind)", at: reader.position - 1)
        }
    }

    mutating func decodeOperand() throws(BinaryFailure) -> Condition.Operand {
        let kind = try reader.u8("the operand kind")
        switch kind {
        case Format.OperandKind.string:
            return .string(try string("the operand"))
        case Format.OperandKind.number:
            return .number(try reader.f64("the operand"))
        case Format.OperandKind.boolean:
            return .boolean(try reader.bool("the operand"))
        case Format.OperandKind.timestamp:
            return .timestamp(try reader.i64("the operand"))
        case Format.OperandKind.strings:
            let count = try reader.count(minimumSize: 4, "the value count")
            var values: [String] = []
            values.reserveCapacity(count)
            for _ in 0..<count { values.append(try string("a listed value")) }
            return .strings(values)
        case Format.OperandKind.numbers:
            let count = try reader.count(minimumSize: 8, "the value count")
            var values: [Double] = []
            values.reserveCapacity(count)
            for _ in 0..<count { values.append(try reader.f64("a listed number")) }
            return .numbers(values)
        default:
            throw reader.failure("unknown operand kind \(kind)", at: reader.position - 1)
        }
    }

}
