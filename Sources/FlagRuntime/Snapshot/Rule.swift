/// One targeting rule: it matches when its window is active and all its conditions hold.
public struct Rule: Sendable, Hashable {
    /// The rule's name, when the file gave one.
    public package(set) var name: String?
    /// Unix seconds from which the rule is active (inclusive).
    public package(set) var from: Int64?
    /// Unix seconds until which the rule is active (exclusive).
    public package(set) var until: Int64?
    /// Conditions that must all hold; empty matches everyone.
    public package(set) var conditions: [Condition]
    /// What the rule serves when it matches.
    public package(set) var outcome: Outcome

    /// Creates a rule.
    package init(name: String? = nil, from: Int64? = nil, until: Int64? = nil, conditions: [Condition] = [], outcome: Outcome) {
        self.name = name
        self.from = from
        self.until = until
        self.conditions = conditions
        self.outcome = outcome
    }
}

/// What a matching rule serves.
public enum Outcome: Sendable, Hashable {
    /// Serve the named variant.
    case serve(variant: String)
    /// Pick a variant by deterministic hashing.
    case split(Split)
}

/// A weighted, deterministic split between variants (also what a `rollout: N` lowers to).
public struct Split: Sendable, Hashable {
    /// The hash seed; defaults to the flag key.
    public package(set) var seed: String
    /// The context attribute whose value is hashed; `targetingKey` means the targeting key.
    public package(set) var bucketBy: String
    /// The buckets in declared order; weights are out of 10 000 and sum to 10 000.
    public package(set) var buckets: [Bucket]

    /// Creates a split.
    package init(seed: String, bucketBy: String = Condition.targetingKey, buckets: [Bucket]) {
        self.seed = seed
        self.bucketBy = bucketBy
        self.buckets = buckets
    }

    /// One variant's share of a split.
    public struct Bucket: Sendable, Hashable {
        /// The variant name.
        public package(set) var variant: String
        /// The share out of 10 000 (100.00 %).
        public package(set) var weight: Int

        /// Creates a bucket.
        package init(variant: String, weight: Int) {
            self.variant = variant
            self.weight = weight
        }
    }
}

/// A lowered condition of a rule or segment.
public enum Condition: Sendable, Hashable {
    /// The attribute name under which conditions refer to the targeting key.
    public static let targetingKey = "targetingKey"
    /// The attribute a `tenants:` list matches (`EvaluationContext.tenant`).
    public static let tenant = "tenant"
    /// The attribute a `groups:` list matches (`EvaluationContext.groups`).
    public static let groups = "groups"

    /// A context attribute satisfies an operator (a `users`, `tenants` or `groups` list lowers to this too).
    case attribute(name: String, op: Operator, operand: Operand)
    /// The evaluation environment is one of these names.
    case environment([String])
    /// At least one of the named segments matches.
    case segments([ResolvedSegment])

    /// A comparison operator.
    public enum Operator: String, Sendable, Hashable, CaseIterable {
        /// The attribute equals one of the values.
        case `in`
        /// The attribute equals none of the values (a missing attribute does not match).
        case notIn = "not_in"
        /// A list attribute shares at least one member with the values (`groups`).
        case intersects
        /// Equal.
        case eq
        /// Not equal (a missing attribute does not match).
        case neq
        /// A string attribute starts with the operand.
        case startsWith = "starts_with"
        /// A string attribute ends with the operand.
        case endsWith = "ends_with"
        /// A string attribute contains the operand, or a list attribute contains it as a member.
        case contains
        /// Numerically less than.
        case lt
        /// Numerically less than or equal.
        case lte
        /// Numerically greater than.
        case gt
        /// Numerically greater than or equal.
        case gte
        /// Semantic-version equal (semver 2.0.0 precedence).
        case semverEq = "semver_eq"
        /// Semantic-version less than.
        case semverLt = "semver_lt"
        /// Semantic-version less than or equal.
        case semverLte = "semver_lte"
        /// Semantic-version greater than.
        case semverGt = "semver_gt"
        /// Semantic-version greater than or equal.
        case semverGte = "semver_gte"
        /// A timestamp attribute is before the operand (Unix seconds).
        case before
        /// A timestamp attribute is after the operand (Unix seconds).
        case after
        /// The attribute is present (`true`) or absent (`false`).
        case exists
    }

    /// The typed right-hand side of an attribute condition.
    public enum Operand: Sendable, Hashable {
        /// A string.
        case string(String)
        /// A number.
        case number(Double)
        /// A boolean.
        case boolean(Bool)
        /// A timestamp in Unix seconds.
        case timestamp(Int64)
        /// A list of strings.
        case strings([String])
        /// A list of numbers.
        case numbers([Double])
    }
}

/// A segment inlined into a rule: its name (for explanations) and its conditions.
public struct ResolvedSegment: Sendable, Hashable {
    /// The segment name.
    public package(set) var name: String
    /// Conditions that must all hold.
    public package(set) var conditions: [Condition]

    /// Creates a resolved segment.
    package init(name: String, conditions: [Condition]) {
        self.name = name
        self.conditions = conditions
    }
}
