/// Why an evaluation produced its value, in OpenFeature's vocabulary.
public enum EvaluationReason: String, Sendable, Hashable, CaseIterable {
    /// The flag has no rules: the default variant is its only value.
    case `static` = "STATIC"
    /// A rule's conditions matched and it served a variant.
    case targetingMatch = "TARGETING_MATCH"
    /// A split or rollout picked the variant by hashing.
    case split = "SPLIT"
    /// The flag has rules but none matched: the default variant.
    case `default` = "DEFAULT"
    /// The flag's kill switch is off: the caller's default.
    case disabled = "DISABLED"
    /// Something went wrong (see the error code): the caller's default.
    case error = "ERROR"
    /// A test override (`FlagOverrides`) forced the value. Not an OpenFeature reason; flagc-specific.
    case override = "OVERRIDE"
}

/// What went wrong, in OpenFeature's vocabulary.
public enum EvaluationErrorCode: String, Sendable, Hashable, CaseIterable {
    /// No flag has this key in the snapshot.
    case flagNotFound = "FLAG_NOT_FOUND"
    /// The flag's values are of another type than the one asked for.
    case typeMismatch = "TYPE_MISMATCH"
    /// A value could not be parsed.
    case parseError = "PARSE_ERROR"
    /// Any other problem.
    case general = "GENERAL"
}

/// The full result of an evaluation: value, variant, reason, error and the rule that decided.
public struct EvaluationDetails<Value: Sendable>: Sendable {
    /// The flag key asked for.
    public var flagKey: String
    /// The value: the flag's, or the caller's default when disabled or on error.
    public var value: Value
    /// The variant served; nil when the caller's default was returned.
    public var variant: String?
    /// Why this value.
    public var reason: EvaluationReason
    /// What went wrong, when `reason` is `.error`.
    public var errorCode: EvaluationErrorCode?
    /// A human-readable explanation of the error.
    public var errorMessage: String?
    /// The 0-based index of the rule that decided, when one did.
    public var ruleIndex: Int?
    /// The name of the rule that decided, when it has one.
    public var ruleName: String?
    /// The flag's metadata (empty when the flag was not found).
    public var flagMetadata: FlagMetadata
}

extension EvaluationDetails: Equatable where Value: Equatable {}
