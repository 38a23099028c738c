// The binary decoder's JSON values and metadata (docs/snapshot-format.md, "Values" and "META").

extension BinarySnapshotDecoder {
    // MARK: JSON values

    mutating func decodeJSON(depth: Int) throws(BinaryFailure) -> JSONValue {
        let tag = try reader.u8("a value tag")
        switch tag {
        case Format.ValueTag.null: return .null
        case Format.ValueTag.false: return .bool(false)
        case Format.ValueTag.true: return .bool(true)
        case Format.ValueTag.integer: return .integer(try reader.i64("an integer"))
        case Format.ValueTag.double: return .double(try reader.f64("a number"))
        case Format.ValueTag.string: return .string(try string("a string"))
        case Format.ValueTag.array, Format.ValueTag.object:
            guard depth <= Format.maximumValueDepth else {
                throw reader.failure("values nest deeper than \(Format.maximumValueDepth) levels", at: reader.position - 1)
            }
            if tag == Format.ValueTag.array {
                let count = try reader.count(minimumSize: 1, "the array length")
                var elements: [JSONValue] = []
                elements.reserveCapacity(count)
                for index in 0..<count {
                    do {
                        elements.append(try decodeJSON(depth: depth + 1))
                    } catch {
                        throw error.within("[\(index)]")
                    }
                }
                return .array(elements)
            }
            return .object(try decodeMembers(depth: depth))
        default:
            throw reader.failure("unknown value tag \(tag)", at: reader.position - 1)
        }
    }

    /// Object members: keys strictly ascending (so unique by bytes) and unique as Swift strings.
    mutating func decodeMembers(depth: Int) throws(BinaryFailure) -> [String: JSONValue] {
        let count = try reader.count(minimumSize: 5, "the member count")
        var members: [String: JSONValue] = [:]  // no reserveCapacity: objects are small, and it is not specialised
        var previous = -1
        for _ in 0..<count {
            let keyIndex = try stringIndex("a member name")
            let key = strings[keyIndex]
            guard keyIndex > previous else {
                throw reader.failure("member '\(key)' is not after the previous member in key order (keys must be sorted and unique)", at: reader.position - 4)
            }
            previous = keyIndex
            let value: JSONValue
            do {
                value = try decodeJSON(depth: depth + 1)
            } catch {
                throw error.within(key)
            }
            guard members.updateValue(value, forKey: key) == nil else {
                throw reader.failure("duplicate member '\(key)' (equal to another under Unicode canonical equivalence)")
            }
        }
        return members
    }

    // MARK: Metadata

    /// `META`: one record per flag, in flag order.
    mutating func decodeMetadata(into flags: inout [Flag]) throws(BinaryFailure) {
        let count = Int(try reader.u32("the metadata record count"))
        guard count == flags.count else {
            throw reader.failure("the metadata section has \(Format.grouped(count)) records for \(Format.grouped(flags.count)) flags", at: reader.position - 4).within("section 'META'")
        }
        for index in flags.indices {
            do throws(BinaryFailure) {
                let fields = try reader.u8("the metadata fields")
                guard fields & ~Format.MetadataField.all == 0 else {
                    throw reader.failure("unknown metadata field bits 0x\(String(fields, radix: 16))", at: reader.position - 1)
                }
                var metadata = FlagMetadata()
                if fields & Format.MetadataField.description != 0 { metadata.description = try string("the description") }
                if fields & Format.MetadataField.owner != 0 { metadata.owner = try string("the owner") }
                if fields & Format.MetadataField.expires != 0 { metadata.expires = try reader.i64("the expiry") }
                if fields & Format.MetadataField.values != 0 {
                    let start = reader.position
                    guard case .object(let values) = try decodeJSON(depth: 1) else {
                        throw reader.failure("metadata values must be a JSON object", at: start)
                    }
                    metadata.values = values
                }
                flags[index].metadata = metadata
            } catch {
                throw error.within("metadata").within("flags.\(flags[index].key)")
            }
        }
    }
}

extension Condition.Operand {
    /// The operand as a JSON round trip gives it back, so both encodings decode to equal snapshots: an empty
    /// number list reads back as an empty string list, whole numbers under `before`/`after` as timestamps, and
    /// timestamps under other operators as numbers.
    func canonical(for op: Condition.Operator) -> Condition.Operand {
        let isTime = op == .before || op == .after
        switch self {
        case .numbers(let values) where values.isEmpty:
            return .strings([])
        case .timestamp(let seconds) where !isTime:
            return .number(Double(seconds))
        case .number(let value) where isTime && value == value.rounded() && abs(value) < 9_007_199_254_740_992:
            return .timestamp(Int64(value))
        default:
            return self
        }
    }
}
