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
    static func all(_ checks: [Unmanaged<Check>], _ context: EvaluationContext, _ environment: String?, _ attributes: inout AttributeReader) -> Bool {
        checks.withUnsafeBufferPointer { checks in
            for index in checks.indices {
                guard checks[index]._withUnsafeGuaranteedRef({ $0.matches(context, environment, &attributes) }) else { return false }
            }
            return true
        }
    }

    /// Compiles a condition, numbering the attributes it reads in `slots`.
    static func make(_ condition: Condition, slots: inout AttributeSlotAssigner) -> Check {
        switch condition {
        case .attribute(let name, let op, let operand):
            return AttributeCheck.make(slot: slots.slot(for: name), op: op, operand: operand)
        case .environment(let names):
            return EnvironmentCheck(ByteStringTable(names))
        case .segments(let segments):
            return SegmentsCheck(segments.map { segment in segment.conditions.map { make($0, slots: &slots) } })
        }
    }
}

/// The evaluation environment is one of a set of names.
final class EnvironmentCheck: Check, @unchecked Sendable {
    let names: ByteStringTable

    init(_ names: ByteStringTable) {
        self.names = names
    }

    override func matches(_ context: EvaluationContext, _ environment: String?, _ attributes: inout AttributeReader) -> Bool {
        guard let environment = context.environment ?? environment else { return false }
        return names.contains(environment)
    }
}

/// At least one segment has all its conditions holding.
final class SegmentsCheck: Check, @unchecked Sendable {
    let segments: [[Check]]
    private let unretainedSegments: [[Unmanaged<Check>]]

    init(_ segments: [[Check]]) {
        self.segments = segments
        unretainedSegments = segments.map { $0.map { Unmanaged.passUnretained($0) } }
    }

    override func matches(_ context: EvaluationContext, _ environment: String?, _ attributes: inout AttributeReader) -> Bool {
        for segment in unretainedSegments.indices where Check.all(unretainedSegments[segment], context, environment, &attributes) {
            return true
        }
        return false
    }
}

/// A condition on one attribute slot: subclasses test a present value, read in place. A missing attribute, or a value
/// of another kind than the condition compares, does not match.
class AttributeCheck: Check, @unchecked Sendable {
    let slot: Int

    init(slot: Int) {
        self.slot = slot
    }

    override func matches(_ context: EvaluationContext, _ environment: String?, _ attributes: inout AttributeReader) -> Bool {
        if slot == AttributeReader.targetingKeySlot {
            guard let key = context.targetingKey else { return false }
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

extension AttributeCheck {
    /// `in` / `not_in` a long list of strings.
    final class InStrings: AttributeCheck, @unchecked Sendable {
        let values: ByteStringTable
        let negated: Bool

        init(slot: Int, _ values: ByteStringTable, negated: Bool) {
            self.values = values
            self.negated = negated
            super.init(slot: slot)
        }

        override func test(_ value: UnsafePointer<ContextValue>) -> Bool {
            guard case .string(let string) = value.pointee else { return false }
            return test(string: string)
        }

        override func test(string key: String) -> Bool {
            values.contains(key) != negated
        }
    }

    /// `in` / `not_in` a short list of strings, compared byte by byte: cheaper than hashing the attribute.
    final class InFewStrings: AttributeCheck, @unchecked Sendable {
        let values: ByteStringTable
        let negated: Bool

        init(slot: Int, _ values: [String], negated: Bool) {
            self.values = ByteStringTable(values)
            self.negated = negated
            super.init(slot: slot)
        }

        override func test(_ value: UnsafePointer<ContextValue>) -> Bool {
            guard case .string(let string) = value.pointee else { return false }
            return test(string: string)
        }

        override func test(string key: String) -> Bool {
            (values.linearIndex(of: key) != nil) != negated
        }
    }

    /// `in` / `not_in` a list of numbers.
    final class InNumbers: AttributeCheck, @unchecked Sendable {
        let values: [Double]
        let negated: Bool

        init(slot: Int, _ values: [Double], negated: Bool) {
            self.values = values
            self.negated = negated
            super.init(slot: slot)
        }

        override func test(_ value: UnsafePointer<ContextValue>) -> Bool {
            guard case .number(let number) = value.pointee else { return false }
            return values.contains(number) != negated
        }
    }

    /// A list attribute (or a single string) shares a member with the values (`groups`).
    final class Intersects: AttributeCheck, @unchecked Sendable {
        let values: ByteStringTable

        init(slot: Int, _ values: ByteStringTable) {
            self.values = values
            super.init(slot: slot)
        }

        override func test(_ value: UnsafePointer<ContextValue>) -> Bool {
            switch value.pointee {
            case .strings(let members):
                for index in members.indices where values.contains(members[index]) { return true }
                return false
            case .string(let member):
                return values.contains(member)
            default:
                return false
            }
        }
    }

    /// `eq` / `neq` a string.
    final class EqualString: AttributeCheck, @unchecked Sendable {
        let expected: String
        let negated: Bool

        init(slot: Int, _ expected: String, negated: Bool) {
            self.expected = expected
            self.negated = negated
            super.init(slot: slot)
        }

        override func test(_ value: UnsafePointer<ContextValue>) -> Bool {
            guard case .string(let string) = value.pointee else { return false }
            return test(string: string)
        }

        override func test(string key: String) -> Bool {
            ByteString.equal(key, expected) != negated
        }
    }

    /// `eq` / `neq` a number.
    final class EqualNumber: AttributeCheck, @unchecked Sendable {
        let expected: Double
        let negated: Bool

        init(slot: Int, _ expected: Double, negated: Bool) {
            self.expected = expected
            self.negated = negated
            super.init(slot: slot)
        }

        override func test(_ value: UnsafePointer<ContextValue>) -> Bool {
            guard case .number(let number) = value.pointee else { return false }
            return (number == expected) != negated
        }
    }

    /// `eq` / `neq` a boolean.
    final class EqualBoolean: AttributeCheck, @unchecked Sendable {
        let expected: Bool
        let negated: Bool

        init(slot: Int, _ expected: Bool, negated: Bool) {
            self.expected = expected
            self.negated = negated
            super.init(slot: slot)
        }

        override func test(_ value: UnsafePointer<ContextValue>) -> Bool {
            guard case .boolean(let flag) = value.pointee else { return false }
            return (flag == expected) != negated
        }
    }

    /// A string attribute starts with the operand.
    final class StartsWith: AttributeCheck, @unchecked Sendable {
        let prefix: String

        init(slot: Int, _ prefix: String) {
            self.prefix = prefix
            super.init(slot: slot)
        }

        override func test(_ value: UnsafePointer<ContextValue>) -> Bool {
            guard case .string(let string) = value.pointee else { return false }
            return test(string: string)
        }

        override func test(string key: String) -> Bool {
            ByteString.hasPrefix(key, prefix)
        }
    }

    /// A string attribute ends with the operand.
    final class EndsWith: AttributeCheck, @unchecked Sendable {
        let suffix: String

        init(slot: Int, _ suffix: String) {
            self.suffix = suffix
            super.init(slot: slot)
        }

        override func test(_ value: UnsafePointer<ContextValue>) -> Bool {
            guard case .string(let string) = value.pointee else { return false }
            return ByteString.hasSuffix(string, suffix)
        }
    }

    /// A string attribute contains the operand, or a list attribute has it as a member.
    final class Contains: AttributeCheck, @unchecked Sendable {
        let needle: String

        init(slot: Int, _ needle: String) {
            self.needle = needle
            super.init(slot: slot)
        }

        override func test(_ value: UnsafePointer<ContextValue>) -> Bool {
            switch value.pointee {
            case .string(let string):
                return ByteString.contains(string, needle)
            case .strings(let members):
                for index in members.indices where ByteString.equal(members[index], needle) { return true }
                return false
            default:
                return false
            }
        }
    }

    /// `lt` / `lte` / `gt` / `gte` a number.
    final class CompareNumber: AttributeCheck, @unchecked Sendable {
        let op: Condition.Operator
        let operand: Double

        init(slot: Int, _ op: Condition.Operator, _ operand: Double) {
            self.op = op
            self.operand = operand
            super.init(slot: slot)
        }

        override func test(_ value: UnsafePointer<ContextValue>) -> Bool {
            guard case .number(let number) = value.pointee else { return false }
            switch op {
            case .lt: return number < operand
            case .lte: return number <= operand
            case .gt: return number > operand
            default: return number >= operand
            }
        }
    }

    /// `semver_*` against a version parsed once.
    final class CompareVersion: AttributeCheck, @unchecked Sendable {
        let op: Condition.Operator
        let operand: SemanticVersion
        /// The operand's numbers and whether it is a release, for the allocation-free comparison of plain versions.
        let core: (UInt64, UInt64, UInt64)
        let operandIsRelease: Bool

        init(slot: Int, _ op: Condition.Operator, _ operand: SemanticVersion) {
            self.op = op
            self.operand = operand
            core = (operand.major, operand.minor, operand.patch)
            operandIsRelease = operand.prerelease.isEmpty
            super.init(slot: slot)
        }

        /// Reads the attribute's version numbers through the reader, which parses a plain version once per
        /// evaluation however many conditions compare it.
        override func matches(_ context: EvaluationContext, _ environment: String?, _ attributes: inout AttributeReader) -> Bool {
            let order: Int
            if let simple = attributes.simpleVersion(slot, context) {
                order = SemanticVersion.compare(core: simple, with: core, otherIsRelease: operandIsRelease)
            } else if let full = attributes.withString(slot, context, { SemanticVersion.compare($0, operand) }) ?? nil {
                order = full
            } else {
                return false
            }
            switch op {
            case .semverEq: return order == 0
            case .semverLt: return order < 0
            case .semverLte: return order <= 0
            case .semverGt: return order > 0
            default: return order >= 0
            }
        }
    }

    /// A timestamp (or RFC 3339 string) attribute is strictly before (`before`) or after (`after`) an instant.
    final class CompareTime: AttributeCheck, @unchecked Sendable {
        let instant: Int64
        let before: Bool

        init(slot: Int, _ instant: Int64, before: Bool) {
            self.instant = instant
            self.before = before
            super.init(slot: slot)
        }

        override func test(_ value: UnsafePointer<ContextValue>) -> Bool {
            let time: Int64
            switch value.pointee {
            case .timestamp(let seconds): time = seconds
            case .string(let text):
                guard let seconds = Timestamp.parseDateTime(text) else { return false }
                time = seconds
            default: return false
            }
            return before ? time < instant : time > instant
        }
    }

    /// The attribute is present (`true`) or absent (`false`).
    final class Exists: AttributeCheck, @unchecked Sendable {
        let expected: Bool

        init(slot: Int, _ expected: Bool) {
            self.expected = expected
            super.init(slot: slot)
        }

        override func matches(_ context: EvaluationContext, _ environment: String?, _ attributes: inout AttributeReader) -> Bool {
            (attributes.value(slot, context) != nil) == expected
        }
    }

    /// An operator/operand pairing the compiler never produces (or an unparsable version): matches nothing.
    final class Never: AttributeCheck, @unchecked Sendable {}
}
