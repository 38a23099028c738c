/// A snapshot prepared for evaluation: flags in a hash table, variants by index, lists as sets, versions
/// parsed, split weights as cumulative bounds. Immutable once built, so any number of threads read it.
final class CompiledSnapshot: Sendable {
    let snapshot: Snapshot
    let flags: [String: CompiledFlag]

    init(_ snapshot: Snapshot) {
        self.snapshot = snapshot
        var flags: [String: CompiledFlag] = [:]
        flags.reserveCapacity(snapshot.flags.count)
        for flag in snapshot.flags {
            flags[flag.key] = CompiledFlag(flag)
        }
        self.flags = flags
    }
}

/// One flag, ready to evaluate.
final class CompiledFlag: Sendable {
    let flag: Flag
    let defaultVariant: Int
    let rules: [CompiledRule]
    /// Whether any rule needs the clock (a window, or a before/after condition), so others skip reading it.
    let needsClock: Bool

    init(_ flag: Flag) {
        self.flag = flag
        let index = { (name: String) in flag.variants.firstIndex { $0.name == name } ?? 0 }
        defaultVariant = index(flag.defaultVariant)
        rules = flag.rules.map { CompiledRule($0, flagKey: flag.key, variantIndex: index) }
        needsClock = rules.contains { $0.from != nil || $0.until != nil || $0.conditions.contains(where: \.needsClock) }
    }
}

/// One rule, ready to evaluate. A class, so that walking the rules copies one reference per rule rather than
/// every field (which showed up as retain/release traffic on the evaluation path).
final class CompiledRule: Sendable {
    let from: Int64?
    let until: Int64?
    let conditions: [CompiledCondition]
    let outcome: CompiledOutcome

    init(_ rule: Rule, flagKey: String, variantIndex: (String) -> Int) {
        from = rule.from
        until = rule.until
        conditions = rule.conditions.map(CompiledCondition.init)
        switch rule.outcome {
        case .serve(let variant):
            outcome = .serve(variantIndex(variant))
        case .split(let split):
            var cumulative = 0
            var bounds: [(upperBound: UInt64, variant: Int)] = []
            for bucket in split.buckets {
                cumulative += bucket.weight
                bounds.append((UInt64(cumulative), variantIndex(bucket.variant)))
            }
            outcome = .split(CompiledSplit(
                seed: split.seed,
                bucketBy: split.bucketBy,
                bucketByTargetingKey: split.bucketBy == Condition.targetingKey,
                totalWeight: UInt64(cumulative),
                bounds: bounds
            ))
        }
    }

    /// Whether all conditions hold.
    @inline(__always)
    func matches(_ context: EvaluationContext, environment: String?) -> Bool {
        for index in conditions.indices where !conditions[index].matches(context, environment: environment) {
            return false
        }
        return true
    }

    /// Whether the rule's window contains `now` (`from` ≤ now < `until`).
    @inline(__always)
    func isActive(at now: Int64) -> Bool {
        if let from, now < from { return false }
        if let until, now >= until { return false }
        return true
    }
}

/// What a matching rule does.
enum CompiledOutcome: Sendable {
    case serve(Int)
    case split(CompiledSplit)
}

/// A split: hash `seed + bucket value` with MurmurHash3 and map it onto cumulative weights, like flagd's `fractional`.
struct CompiledSplit: Sendable {
    let seed: String
    let bucketBy: String
    let bucketByTargetingKey: Bool
    let totalWeight: UInt64
    let bounds: [(upperBound: UInt64, variant: Int)]

    /// The variant index for a context, or nil when the bucketing value is absent (the rule then does not match).
    @inline(__always)
    func variant(for context: EvaluationContext) -> Int? {
        guard case .string(let value)? = context.value(bucketBy, isTargetingKey: bucketByTargetingKey) else { return nil }
        return variant(forBucketValue: value)
    }

    @inline(__always)
    func variant(forBucketValue value: String) -> Int? {
        var hasher = Murmur3()
        hasher.add(seed)
        hasher.add(value)
        let bucket = (UInt64(hasher.finalize()) &* totalWeight) >> 32
        for bound in bounds where bucket < bound.upperBound {
            return bound.variant
        }
        return bounds.last?.variant
    }
}

/// A condition, with its operand prepared for fast matching.
enum CompiledCondition: Sendable {
    case attribute(name: String, isTargetingKey: Bool, matcher: Matcher)
    case environment(Set<ExactString>)
    case segments([[CompiledCondition]])

    init(_ condition: Condition) {
        switch condition {
        case .attribute(let name, let op, let operand):
            self = .attribute(name: name, isTargetingKey: name == Condition.targetingKey, matcher: Matcher(op: op, operand: operand))
        case .environment(let names):
            self = .environment(Set(names.map(ExactString.init)))
        case .segments(let segments):
            self = .segments(segments.map { $0.conditions.map(CompiledCondition.init) })
        }
    }

    var needsClock: Bool {
        switch self {
        case .attribute: false
        case .environment: false
        case .segments(let segments): segments.contains { $0.contains(where: \.needsClock) }
        }
    }

    /// Whether the condition holds; `environment` is the evaluation environment.
    func matches(_ context: EvaluationContext, environment: String?) -> Bool {
        switch self {
        case .attribute(let name, let isTargetingKey, let matcher):
            return matcher.matches(context.value(name, isTargetingKey: isTargetingKey))
        case .environment(let names):
            guard let environment else { return false }
            return names.contains(ExactString(environment))
        case .segments(let segments):
            for conditions in segments where conditions.allSatisfy({ $0.matches(context, environment: environment) }) {
                return true
            }
            return false
        }
    }
}

/// A string compared and hashed by its UTF-8 bytes, not by Swift's canonical equivalence, so that matching
/// agrees with the bucketing hash and with runtimes in other languages (`"é"` and `"e\u{301}"` differ).
struct ExactString: Hashable, Sendable {
    let string: String

    init(_ string: String) {
        self.string = string
    }

    static func == (lhs: ExactString, rhs: ExactString) -> Bool {
        lhs.string.utf8.elementsEqual(rhs.string.utf8)
    }

    func hash(into hasher: inout Hasher) {
        var string = string
        string.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }
}

/// An operator with its prepared operand. A missing attribute, or one of another type than the operand,
/// never matches (except `exists: false`, which matches exactly when the attribute is missing).
enum Matcher: Sendable {
    case inStrings(Set<ExactString>, negated: Bool)
    /// A short list, compared byte by byte: cheaper than hashing the attribute.
    case inFewStrings([String], negated: Bool)
    case inNumbers(Set<Double>, negated: Bool)
    case intersects(Set<ExactString>)
    case equalString(String, negated: Bool)
    case equalNumber(Double, negated: Bool)
    case equalBoolean(Bool, negated: Bool)
    case startsWith(String)
    case endsWith(String)
    case contains(String)
    case compareNumber(Condition.Operator, Double)
    case compareVersion(Condition.Operator, SemanticVersion)
    case before(Int64)
    case after(Int64)
    case exists(Bool)
    /// An operator/operand pairing the compiler never produces; matches nothing.
    case never

    /// Lists up to this length are searched linearly instead of through a hash set.
    static let linearSearchLimit = 8

    init(op: Condition.Operator, operand: Condition.Operand) {
        switch (op, operand) {
        case (.in, .strings(let values)), (.notIn, .strings(let values)):
            self = values.count <= Matcher.linearSearchLimit
                ? .inFewStrings(values, negated: op == .notIn)
                : .inStrings(Set(values.map(ExactString.init)), negated: op == .notIn)
        case (.in, .numbers(let values)): self = .inNumbers(Set(values), negated: false)
        case (.notIn, .numbers(let values)): self = .inNumbers(Set(values), negated: true)
        case (.intersects, .strings(let values)): self = .intersects(Set(values.map(ExactString.init)))
        case (.eq, .string(let value)): self = .equalString(value, negated: false)
        case (.neq, .string(let value)): self = .equalString(value, negated: true)
        case (.eq, .number(let value)): self = .equalNumber(value, negated: false)
        case (.neq, .number(let value)): self = .equalNumber(value, negated: true)
        case (.eq, .boolean(let value)): self = .equalBoolean(value, negated: false)
        case (.neq, .boolean(let value)): self = .equalBoolean(value, negated: true)
        case (.startsWith, .string(let value)): self = .startsWith(value)
        case (.endsWith, .string(let value)): self = .endsWith(value)
        case (.contains, .string(let value)): self = .contains(value)
        case (.lt, .number(let value)), (.lte, .number(let value)), (.gt, .number(let value)), (.gte, .number(let value)):
            self = .compareNumber(op, value)
        case (.semverEq, .string(let text)), (.semverLt, .string(let text)), (.semverLte, .string(let text)),
             (.semverGt, .string(let text)), (.semverGte, .string(let text)):
            self = SemanticVersion(text).map { .compareVersion(op, $0) } ?? .never
        case (.before, .timestamp(let value)): self = .before(value)
        case (.after, .timestamp(let value)): self = .after(value)
        case (.exists, .boolean(let value)): self = .exists(value)
        default: self = .never
        }
    }

    func matches(_ value: ContextValue?) -> Bool {
        if case .exists(let expected) = self { return (value != nil) == expected }
        guard let value else { return false }
        switch (self, value) {
        case (.inStrings(let set, let negated), .string(let string)): return set.contains(ExactString(string)) != negated
        case (.inFewStrings(let list, let negated), .string(let string)):
            return list.contains { $0.utf8.elementsEqual(string.utf8) } != negated
        case (.inNumbers(let set, let negated), .number(let number)): return set.contains(number) != negated
        case (.intersects(let set), .strings(let members)): return members.contains { set.contains(ExactString($0)) }
        case (.intersects(let set), .string(let member)): return set.contains(ExactString(member))
        case (.equalString(let expected, let negated), .string(let string)): return string.utf8.elementsEqual(expected.utf8) != negated
        case (.equalNumber(let expected, let negated), .number(let number)): return (number == expected) != negated
        case (.equalBoolean(let expected, let negated), .boolean(let flag)): return (flag == expected) != negated
        case (.startsWith(let prefix), .string(let string)): return string.utf8.starts(with: prefix.utf8)
        case (.endsWith(let suffix), .string(let string)): return string.utf8.count >= suffix.utf8.count && string.utf8.reversed().starts(with: suffix.utf8.reversed())
        case (.contains(let needle), .string(let string)): return string.utf8.containsSubsequence(needle.utf8)
        case (.contains(let member), .strings(let members)): return members.contains { $0.utf8.elementsEqual(member.utf8) }
        case (.compareNumber(let op, let operand), .number(let number)):
            switch op {
            case .lt: return number < operand
            case .lte: return number <= operand
            case .gt: return number > operand
            default: return number >= operand
            }
        case (.compareVersion(let op, let operand), .string(let text)):
            guard let order = SemanticVersion.compare(text, operand) else { return false }
            switch op {
            case .semverEq: return order == 0
            case .semverLt: return order < 0
            case .semverLte: return order <= 0
            case .semverGt: return order > 0
            default: return order >= 0
            }
        case (.before(let instant), .timestamp(let time)): return time < instant
        case (.after(let instant), .timestamp(let time)): return time > instant
        case (.before(let instant), .string(let text)): return Timestamp.parseDateTime(text).map { $0 < instant } ?? false
        case (.after(let instant), .string(let text)): return Timestamp.parseDateTime(text).map { $0 > instant } ?? false
        default: return false
        }
    }
}

extension String.UTF8View {
    /// Whether `needle` occurs as a contiguous run of bytes (substring search without allocating).
    func containsSubsequence(_ needle: String.UTF8View) -> Bool {
        guard let first = needle.first else { return true }
        var start = startIndex
        while let candidate = self[start...].firstIndex(of: first) {
            if self[candidate...].starts(with: needle) { return true }
            start = index(after: candidate)
        }
        return false
    }
}
