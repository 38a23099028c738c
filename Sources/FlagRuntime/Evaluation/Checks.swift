/// A compiled condition. One final subclass per operator and operand type, so that matching is one virtual call
/// reading immutable stored properties: no enum payload is copied (and retained) per evaluation.
///
/// A missing attribute, or one of another type than the operand, never matches (except `exists: false`, which
/// matches exactly when the attribute is missing).
class Check: @unchecked Sendable {  // immutable: every subclass has only `let` properties of Sendable types
    /// Whether the condition holds; `environment` is the store's environment (a context's own takes precedence).
    func matches(_ context: EvaluationContext, _ environment: String?, _ attributes: inout AttributeReader) -> Bool {
        preconditionFailure("every Check subclass overrides matches")
    }

    /// Whether every condition holds (walked without reference counting; the caller keeps them alive).
    @inline(__always)
    static func all(_ checks: UnsafeBufferPointer<Unmanaged<Check>>, _ context: EvaluationContext, _ environment: String?,
                    _ attributes: inout AttributeReader) -> Bool {
        for index in checks.indices {
            guard checks[index]._withUnsafeGuaranteedRef({ $0.matches(context, environment, &attributes) }) else { return false }
        }
        return true
    }

    /// Compiles a condition, numbering the attributes it reads in `slots`.
    static func make(_ condition: Condition, slots: inout AttributeSlotAssigner) -> Check {
        switch condition {
        case .attribute(let name, let op, let operand):
            return AttributeCheck.make(slot: slots.slot(for: name), op: op, operand: operand)
        case .environment(let names):
            return EnvironmentCheck(ByteStringTable(names))
        case .segments(let segments):
            return SegmentsCheck(segments, slots: &slots)
        }
    }
}

/// The evaluation environment is one of a set of names.
final class EnvironmentCheck: Check, @unchecked Sendable {  // immutable: only `let` properties of Sendable types (see `Check`)
    let names: ByteStringTable

    init(_ names: ByteStringTable) {
        self.names = names
    }

    override func matches(_ context: EvaluationContext, _ environment: String?, _ attributes: inout AttributeReader) -> Bool {
        guard let environment = context.fields.environment ?? environment else { return false }
        return names.contains(environment)
    }
}

/// At least one segment has all its conditions holding.
final class SegmentsCheck: Check, @unchecked Sendable {  // immutable: only `let` properties of Sendable types (see `Check`)
    /// Every segment's conditions, one segment after another; segment `i` ends before `ends[i]`.
    let checks: OwnedObjects<Check>
    let ends: [Int]

    init(_ segments: [ResolvedSegment], slots: inout AttributeSlotAssigner) {
        checks = OwnedObjects(segments.lazy.flatMap(\.conditions)) { Check.make($0, slots: &slots) }
        var end = 0
        ends = segments.map { segment in
            end += segment.conditions.count
            return end
        }
    }

    override func matches(_ context: EvaluationContext, _ environment: String?, _ attributes: inout AttributeReader) -> Bool {
        checks.references.withUnsafeBufferPointer { checks in
            var start = 0
            for end in ends {
                if Check.all(UnsafeBufferPointer(rebasing: checks[start..<end]), context, environment, &attributes) { return true }
                start = end
            }
            return false
        }
    }
}

/// A condition on one attribute slot: subclasses test a present value, read in place. A missing attribute, or a value
/// of another kind than the condition compares, does not match.
class AttributeCheck: Check, @unchecked Sendable {  // immutable: only `let` properties of Sendable types (see `Check`)
    let slot: Int

    init(slot: Int) {
        self.slot = slot
    }

    override func matches(_ context: EvaluationContext, _ environment: String?, _ attributes: inout AttributeReader) -> Bool {
        if slot == AttributeReader.targetingKeySlot {
            guard let key = context.fields.targetingKey else { return false }
            return test(string: key)
        }
        guard let value = attributes.value(slot, context) else { return false }
        return test(value)
    }

    /// Whether the condition holds for a present value. Subclasses read it through the pointer and keep what they do
    /// with it visible to the optimizer (no calls it cannot see into), so that no copy of it is made.
    func test(_ value: UnsafePointer<ContextValue>) -> Bool { false }

    /// Whether the condition holds for a string value: how the targeting key is tested, read where it is in the
    /// context. Conditions usual on the key (`in`, `eq`, `starts_with`) test it directly; others through `test(_:)`.
    func test(string key: String) -> Bool {
        withUnsafeTemporaryAllocation(of: ContextValue.self, capacity: 1) { value in
            value.initializeElement(at: 0, to: .string(key))
            defer { value.deinitialize() }
            return test(UnsafePointer(value.baseAddress!))
        }
    }

    /// Lists up to this length are searched linearly instead of through a hash table.
    static let linearSearchLimit = 8

    static func make(slot: Int, op: Condition.Operator, operand: Condition.Operand) -> AttributeCheck {
        switch (op, operand) {
        case (.in, .strings(let values)), (.notIn, .strings(let values)):
            return values.count <= linearSearchLimit
                ? InFewStrings(slot: slot, values, negated: op == .notIn)
                : InStrings(slot: slot, ByteStringTable(values), negated: op == .notIn)
        case (.in, .numbers(let values)): return InNumbers(slot: slot, values, negated: false)
        case (.notIn, .numbers(let values)): return InNumbers(slot: slot, values, negated: true)
        case (.intersects, .strings(let values)): return Intersects(slot: slot, ByteStringTable(values))
        case (.eq, .string(let value)): return EqualString(slot: slot, value, negated: false)
        case (.neq, .string(let value)): return EqualString(slot: slot, value, negated: true)
        case (.eq, .number(let value)): return EqualNumber(slot: slot, value, negated: false)
        case (.neq, .number(let value)): return EqualNumber(slot: slot, value, negated: true)
        case (.eq, .boolean(let value)): return EqualBoolean(slot: slot, value, negated: false)
        case (.neq, .boolean(let value)): return EqualBoolean(slot: slot, value, negated: true)
        case (.startsWith, .string(let value)): return StartsWith(slot: slot, value)
        case (.endsWith, .string(let value)): return EndsWith(slot: slot, value)
        case (.contains, .string(let value)): return Contains(slot: slot, value)
        case (.lt, .number(let value)), (.lte, .number(let value)), (.gt, .number(let value)), (.gte, .number(let value)):
            return CompareNumber(slot: slot, op, value)
        case (.semverEq, .string(let text)), (.semverLt, .string(let text)), (.semverLte, .string(let text)),
             (.semverGt, .string(let text)), (.semverGte, .string(let text)):
            guard let version = SemanticVersion(text) else { return Never(slot: slot) }
            return CompareVersion(slot: slot, op, version)
        case (.before, .timestamp(let value)): return CompareTime(slot: slot, value, before: true)
        case (.after, .timestamp(let value)): return CompareTime(slot: slot, value, before: false)
        case (.exists, .boolean(let value)): return Exists(slot: slot, value)
        default: return Never(slot: slot)
        }
    }
}
