// The JSON form of rules and conditions in `snapshot.json` (docs/snapshot-json.md).

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
        for index in conditions.indices {  // in place: a copy of each condition retained its payload
            emitter.element()
            switch conditions[index] {
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
    static func numberJSON(_ value: Double) -> JSONValue {
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
