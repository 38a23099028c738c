// The attribute conditions: one final class per operator and operand type (see `AttributeCheck`).

extension AttributeCheck {
    /// `in` / `not_in` a long list of strings.
    final class InStrings: AttributeCheck, @unchecked Sendable {  // immutable: only `let` properties of Sendable types (see `Check`)
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
    final class InFewStrings: AttributeCheck, @unchecked Sendable {  // immutable: only `let` properties of Sendable types (see `Check`)
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
    final class InNumbers: AttributeCheck, @unchecked Sendable {  // immutable: only `let` properties of Sendable types (see `Check`)
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
    final class Intersects: AttributeCheck, @unchecked Sendable {  // immutable: only `let` properties of Sendable types (see `Check`)
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
    final class EqualString: AttributeCheck, @unchecked Sendable {  // immutable: only `let` properties of Sendable types (see `Check`)
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
    final class EqualNumber: AttributeCheck, @unchecked Sendable {  // immutable: only `let` properties of Sendable types (see `Check`)
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
    final class EqualBoolean: AttributeCheck, @unchecked Sendable {  // immutable: only `let` properties of Sendable types (see `Check`)
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
    final class StartsWith: AttributeCheck, @unchecked Sendable {  // immutable: only `let` properties of Sendable types (see `Check`)
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
    final class EndsWith: AttributeCheck, @unchecked Sendable {  // immutable: only `let` properties of Sendable types (see `Check`)
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
    final class Contains: AttributeCheck, @unchecked Sendable {  // immutable: only `let` properties of Sendable types (see `Check`)
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
    final class CompareNumber: AttributeCheck, @unchecked Sendable {  // immutable: only `let` properties of Sendable types (see `Check`)
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
    final class CompareVersion: AttributeCheck, @unchecked Sendable {  // immutable: only `let` properties of Sendable types (see `Check`)
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
    final class CompareTime: AttributeCheck, @unchecked Sendable {  // immutable: only `let` properties of Sendable types (see `Check`)
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
    final class Exists: AttributeCheck, @unchecked Sendable {  // immutable: only `let` properties of Sendable types (see `Check`)
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
    final class Never: AttributeCheck, @unchecked Sendable {}  // no state at all
}
