import FlagRuntime

/// What a change does to the flags: every added, removed, renamed or modified flag, per environment, with its
/// field and rule changes, their computed impact and their risks. `FlagDiffer` makes one; `flagc diff` prints it.
public struct FlagDiff: Sendable {
    /// One side, as the report names it.
    public struct Side: Sendable, Hashable {
        /// For people: the revision and its short id, "working tree", or a folder.
        public var label: String
        /// The full commit id, for a git revision.
        public var revision: String?
        /// The content id of the side's snapshot for all environments.
        public var id: String
    }

    /// The base (before).
    public var base: Side
    /// The head (after).
    public var head: Side
    /// The environments compared (empty when the project declares none).
    public var environments: [String]
    /// The changed flags, by key, then environment (nil, the same in every environment, first).
    public var flags: [FlagChange]
    /// The number of contexts in `--population`, when one was given.
    public var populationSize: Int?

    /// Every risk present, once each, sorted.
    public var risks: [DiffRisk] { Array(Set(flags.flatMap(\.risks))).sorted() }
}

/// One flag's change in one environment (or in all of them).
public struct FlagChange: Sendable, Hashable {
    /// What happened to the flag.
    public enum Kind: String, Sendable, Hashable {
        /// Only in the head.
        case added
        /// Only in the base.
        case removed
        /// In both, with differences.
        case modified
        /// Removed under one key and added under another with the same content.
        case renamed
    }

    /// The flag key (the new key for a rename).
    public var key: String
    /// What happened.
    public var kind: Kind
    /// The old key, for a rename.
    public var renamedFrom: String?
    /// The environment, or nil when the change is the same in every compared environment.
    public var environment: String?
    /// The differences, in the order of the flag's fields and rules.
    public var changes: [FieldChange]
    /// The risks, sorted.
    public var risks: [DiffRisk]
    /// With `--population`: how many contexts get another value.
    public var population: PopulationImpact?
}

/// One difference in a flag: a field, a variant, a rule or a condition.
public struct FieldChange: Sendable, Hashable {
    /// What changed, as a stable word (`docs/diff.md` lists them): `enabled`, `default`, `type`, `variant-added`,
    /// `variant-removed`, `variant-value`, `owner`, `description`, `expires`, `metadata`, `rule-added`,
    /// `rule-removed`, `rule-moved`, `rule-name`, `rule-window`, `condition-added`, `condition-removed`,
    /// `condition-changed`, `serve`, `split`, `other`.
    public var kind: String
    /// Where, in the snapshot's terms: `enabled`, `variants.blue`, `metadata.owner`, `rules[2]`,
    /// `rules[2].conditions.tenant`, `rules[2].split`.
    public var path: String
    /// The value before, when there is one.
    public var before: JSONValue?
    /// The value after, when there is one.
    public var after: JSONValue?
    /// For people: what changed, in one line.
    public var summary: String
    /// The share of users whose variant changes, where it can be computed.
    public var impact: Impact?
    /// The rule's index in the head snapshot (for annotations), or in the base one for a removed rule.
    public var rule: Int?
    /// Whether `rule` indexes the base snapshot (a removed rule).
    public var ruleIsInBase = false
    /// Whether the change lets more contexts match (`audience-widened`).
    var widens = false
    /// Whether users lose a variant they had (`rollout-decreased`).
    var shrinks = false

    init(kind: String, path: String, before: JSONValue?, after: JSONValue?, summary: String, impact: Impact? = nil) {
        self.kind = kind
        self.path = path
        self.before = before
        self.after = after
        self.summary = summary
        self.impact = impact
    }
}

/// Whose variant a change moves, and between which variants.
public struct Impact: Sendable, Hashable {
    /// One movement: the share of the audience that goes from one variant to another.
    public struct Transition: Sendable, Hashable {
        /// The variant before.
        public var from: String
        /// The variant after.
        public var to: String
        /// Its share, from 0 to 1.
        public var share: Double
    }

    /// The share whose variant changes, from 0 to 1: of the rule's audience (exact) or of the population.
    public var share: Double
    /// Whether the figure is exact bucket arithmetic (else: expected, for a reshuffle, or sampled).
    public var exact: Bool
    /// Whether the seed or the bucketing attribute changed, which reassigns every user at random.
    public var reshuffle: Bool
    /// The movements, largest first.
    public var transitions: [Transition]
}

/// The effect of a flag change on a sample of contexts (`--population`), the earlier rules included.
public struct PopulationImpact: Sendable, Hashable {
    /// How many contexts get another value or variant.
    public var changed: Int
    /// How many contexts were evaluated.
    public var total: Int
    /// The most frequent movements (`before → after`, a variant name or the caller's default), largest first.
    public var transitions: [(from: String, to: String, count: Int)] { transitionCounts.map { ($0.from, $0.to, $0.count) } }
    /// The movements, as stored.
    public var transitionCounts: [Count]

    /// One movement and how many contexts made it.
    public struct Count: Sendable, Hashable {
        /// The variant before (`(default)` when the caller's default was served).
        public var from: String
        /// The variant after.
        public var to: String
        /// How many contexts.
        public var count: Int
    }
}

/// A risk a reviewer should see, with an id as stable as a rule id; `flagc diff --fail-on` fails on the chosen ones.
public enum DiffRisk: String, Sendable, Hashable, CaseIterable, Comparable {
    /// A flag is gone: services still asking for it get their default.
    case flagRemoved = "flag-removed"
    /// A flag's key changed: services asking for the old key get their default.
    case flagRenamed = "flag-renamed"
    /// A variant is gone: users who had it lose it.
    case variantRemoved = "variant-removed"
    /// A split's seed or bucketing attribute changed: every user is assigned again at random.
    case reshuffle
    /// Users lose what they had: for a boolean flag, fewer of a rule's audience get `true`; for any flag, a variant a
    /// split gave a share gets none.
    case rolloutDecreased = "rollout-decreased"
    /// The default variant changed: everyone no rule matches gets another value.
    case defaultChanged = "default-changed"
    /// The flag was switched off or on (`enabled`).
    case killSwitchToggled = "kill-switch-toggled"
    /// More contexts can match a rule: a rule added, a condition removed or widened, a window extended.
    case audienceWidened = "audience-widened"
    /// The flag's type changed: services reading the old type get their default.
    case typeChanged = "type-changed"

    /// What the risk means, in one line.
    public var summary: String {
        switch self {
        case .flagRemoved: "A flag is removed: services that still read it get their default."
        case .flagRenamed: "A flag is renamed: services that read the old key get their default."
        case .variantRemoved: "A variant is removed: users who had it lose it."
        case .reshuffle: "A split's seed or bucketing attribute changed: every user is assigned again at random."
        case .rolloutDecreased: "Users lose what they had: fewer get true (a lowered rollout), or a variant a split gave a share gets none."
        case .defaultChanged: "The default variant changed: everyone no rule matches gets another value."
        case .killSwitchToggled: "The flag was switched off or on (enabled)."
        case .audienceWidened: "More contexts can match a rule (a rule added, a condition removed or widened, a window extended)."
        case .typeChanged: "The flag's type changed: services that read the old type get their default."
        }
    }

    /// Orders by id.
    public static func < (lhs: DiffRisk, rhs: DiffRisk) -> Bool { lhs.rawValue < rhs.rawValue }
}
