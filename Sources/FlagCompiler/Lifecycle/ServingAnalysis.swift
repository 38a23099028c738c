import FlagRuntime

/// What one revision of a flag serves once nothing in it can change any more: one value to everyone, and from
/// when. The question staleness asks of a flag: has it settled?
///
/// A flag serves one value to everyone from an instant on when, from then on, every rule that can still match
/// serves that value (or a split whose other shares are 0 %), and the default does too unless an earlier rule
/// always matches. Rules whose `until` has passed no longer count; a rule that starts later still does. Conditions
/// are not looked into: a rule with any condition can match someone, so its outcome counts, whichever audience
/// its segments or environments describe.
struct ServingAnalysis: Sendable, Hashable {
    /// The one value served.
    enum Served: Sendable, Hashable {
        /// A variant's value.
        case value(FlagValue)
        /// The flag is disabled (`enabled: false`): every caller gets the default in its code.
        case disabled
    }

    /// The value served to everyone from `from` on.
    var served: Served
    /// From when (Unix seconds); `Int64.min` when the revision serves it at every instant.
    var from: Int64

    /// The analysis of `flag`, or nil when it serves different values to different contexts at some instant from
    /// now on, or when it is incomplete (it has errors).
    init?(_ flag: SourceFlag) {
        guard flag.isComplete else { return nil }
        guard flag.enabled else {
            self.init(served: .disabled, from: .min)
            return
        }
        // What can be served changes only when a window opens or closes.
        var instants: Set<Int64> = [.min]
        for rule in flag.rules {
            if let from = rule.from { instants.insert(from.value) }
            if let until = rule.until { instants.insert(until.value) }
        }
        var found: ServingAnalysis?
        for instant in instants.sorted(by: >) {
            guard let values = ServingAnalysis.values(of: flag, from: instant), values.count == 1, let value = values.first else { break }
            if let found, found.served != value { break }
            found = ServingAnalysis(served: value, from: instant)
        }
        guard let found else { return nil }
        self = found
    }

    private init(served: Served, from: Int64) {
        self.served = served
        self.from = from
    }

    /// Every value `flag` can serve at or after `instant`; nil when a variant cannot be found.
    private static func values(of flag: SourceFlag, from instant: Int64) -> Set<Served>? {
        var values = Set<Served>()
        func add(_ name: String) -> Bool {
            guard let variant = flag.variants.first(where: { $0.name == name }) else { return false }
            values.insert(.value(variant.value))
            return true
        }
        for rule in flag.rules {
            if let until = rule.until, until.value <= instant { continue }
            switch rule.outcome {
            case .serve(let variant)?:
                guard add(variant) else { return nil }
            case .split(let split)?:
                for bucket in split.buckets where bucket.weight > 0 {
                    guard add(bucket.variant) else { return nil }
                }
            case nil:
                return nil
            }
            // A rule that matches everyone, from now until forever, hides the default and every later rule.
            if rule.conditions.isEmpty, rule.until == nil, (rule.from?.value ?? .min) <= instant { return values }
        }
        guard add(flag.defaultVariant) else { return nil }
        return values
    }
}

extension ServingAnalysis.Served {
    /// For messages: `true`, `"blue"`, `{"limit":3}`, or `disabled`.
    var description: String {
        switch self {
        case .value(let value): JSONWriter(style: .compact).string(value.jsonValue)
        case .disabled: "disabled"
        }
    }

    /// Whether a kill switch serving this is off: disabled, or `false`.
    var isOff: Bool {
        switch self {
        case .disabled, .value(.boolean(false)): true
        default: false
        }
    }
}
