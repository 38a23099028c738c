// `BinaryContentID`'s values, rules and conditions: each written as the `Snapshot` writer writes what the decoder
// gives for it (`Rule+JSON.swift`, `Snapshot+JSON.swift`).

extension BinaryContentID {
    /// A variant's value of the flag's type (`FlagValue.jsonValue`, written by `JSONWriter`).
    mutating func value(_ type: FlagValueType, write: Bool) throws(BinaryFailure) {
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
    mutating func json(depth: Int, write: Bool) throws(BinaryFailure) {
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
    mutating func rule() throws(BinaryFailure) {
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
