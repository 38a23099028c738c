/// What a flag is for, written as its `type` field: it sets how long the flag is expected to live, as Unleash's
/// flag types do.
///
/// ```yaml
/// billing.invoice_auto_generate:
///   type: release        # removed once rolled out: expected to live 40 days
/// ```
public enum FlagKind: String, Sendable, Hashable, CaseIterable, Comparable {
    /// Ships a feature behind a flag until it is rolled out (40 days by default).
    case release
    /// An A/B or multivariate test (40 days by default).
    case experiment
    /// Controls an operational aspect during a migration or incident (7 days by default).
    case operational
    /// Turns a feature off when it misbehaves; lives as long as the feature (no lifetime).
    case killSwitch = "kill_switch"
    /// Grants a feature to some users, tenants or plans; lives as long as the feature (no lifetime).
    case permission

    /// The expected lifetime in days when `flagc.yaml` does not set one (nil: the flag may live forever).
    public var defaultLifetimeDays: Int? {
        switch self {
        case .release, .experiment: 40
        case .operational: 7
        case .killSwitch, .permission: nil
        }
    }

    /// `a` or `an`, for messages.
    var article: String { self == .experiment || self == .operational ? "an" : "a" }

    /// Orders by declaration, so listings follow the table above.
    public static func < (lhs: FlagKind, rhs: FlagKind) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// The `stale:` section of `flagc.yaml`: what `flagc stale` counts as stale.
///
/// ```yaml
/// stale:
///   lifetimes: { release: 40, experiment: 40, operational: 7, kill_switch: never, permission: never }
///   settled-days: 14      # one value to everyone for this long: settled
/// ```
public struct StaleSettings: Sendable, Hashable {
    /// The expected lifetime of each flag type in days; nil for a type that may live forever.
    public var lifetimes: [FlagKind: Int?]
    /// How many days a flag must serve one value to everyone (or a kill switch stay off) to be reported.
    public var settledDays: Int

    /// The defaults: Unleash's lifetimes, 14 days to settle.
    public init() {
        lifetimes = Dictionary(uniqueKeysWithValues: FlagKind.allCases.map { ($0, $0.defaultLifetimeDays) })
        settledDays = 14
    }

    /// The lifetime of `kind` in days; nil when flags of that type may live forever.
    public func lifetimeDays(of kind: FlagKind) -> Int? {
        lifetimes[kind] ?? kind.defaultLifetimeDays
    }
}
