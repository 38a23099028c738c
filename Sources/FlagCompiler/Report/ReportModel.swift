import FlagRuntime

/// Everything the flag report shows, built once from a compile and the optional history, references and stale
/// findings; `HTMLReport` and `MarkdownReport` render it. Every list is sorted, so the same inputs give the same
/// pages.
///
/// ```swift
/// let model = try ReportModel(result, options: .init(title: "Flags", now: now))
/// let files = HTMLReport(model).files()
/// ```
package struct ReportModel: Sendable {
    /// What the report is built with besides the flags.
    package struct Options: Sendable {
        /// The title at the top of every page.
        package var title: String
        /// "Now" for states (expired, scheduled) and the counts, in Unix seconds.
        package var now: Int64
        /// The revision the flags were read at (shown, and used in repository links), when known.
        package var revision: String?
        /// An absolute URL where the site is published (canonical links; absolute links in markdown).
        package var baseURL: String?
        /// Links to the repository host (files, lines, commits), when the remote is known.
        package var links: RepositoryLinks?
        /// The stale findings (`StaleCheck`), when checked.
        package var stale: StaleReport?
        /// References in code by flag key (`flagc refs`), when scanned.
        package var references: [String: [ReferenceScan.Location]]?
        /// The commits that changed each flag, when history was read.
        package var history: FlagChangeLog?

        /// Creates options.
        package init(title: String, now: Int64, revision: String? = nil, baseURL: String? = nil, links: RepositoryLinks? = nil, stale: StaleReport? = nil) {
            self.title = title
            self.now = now
            self.revision = revision
            self.baseURL = baseURL
            self.links = links
            self.stale = stale
        }
    }

    /// A state a flag is in; a flag can be in several (an expired flag that is rolling out).
    package enum State: String, Sendable, Hashable, CaseIterable {
        /// `expires` has passed.
        case expired
        /// `flagc stale` reports it.
        case stale
        /// A rule's `from` is still ahead.
        case scheduled
        /// A split between variants that is not a boolean rollout.
        case abTest = "ab-test"
        /// A boolean rollout to a share strictly between 0 and 100 %.
        case rollingOut = "rolling-out"
        /// Disabled, or serving `false` to everyone.
        case off
        /// Enabled and not any of the above.
        case on

        /// For people: `rolling out`, `A/B`.
        package var label: String {
            switch self {
            case .abTest: "A/B"
            case .rollingOut: "rolling out"
            default: rawValue
            }
        }
    }

    /// One rule of a flag, described.
    package struct RuleEntry: Sendable {
        /// The rule's name, when written.
        package var name: String?
        /// The rule in plain language (`RuleWording`).
        package var text: String
        /// The environments it is limited to; empty for every environment.
        package var environments: [String]
        /// The split's buckets (variant, weight out of 10 000), for a split or rollout rule.
        package var buckets: [Split.Bucket]
    }

    /// One flag, with everything its page shows.
    package struct FlagEntry: Sendable {
        /// The compiled flag.
        package var flag: Flag
        /// The file's `module`, else the key up to its first dot.
        package var module: String
        /// The flag file and the line of the key.
        package var file: String, line: Int
        /// The path from the repository root, for links.
        package var rootPath: String
        /// The flag's `type` (release, experiment, …), when written.
        package var kind: FlagKind?
        /// The states, most notable first.
        package var states: [State]
        /// The rules, described.
        package var rules: [RuleEntry]
        /// The environments its rules name; empty when none does (it behaves the same everywhere).
        package var environments: [String]
        /// The segments its rules use.
        package var segments: [String]
        /// References in code, when scanned (nil: not scanned).
        package var references: [ReferenceScan.Location]?
        /// The test files with cases for it, and how many cases each.
        package var tests: [(file: String, cases: Int)]
        /// Its stale findings.
        package var findings: [StaleFinding]
        /// The commits that changed it, newest first (empty without history).
        package var history: [FlagChangeLog.Change]

        /// The key.
        package var key: String { flag.key }
        /// The most notable state.
        package var state: State { states.first ?? .on }
        /// A short summary of the state: `rolling out 10 %`, `A/B 50 % / 50 %`.
        package var stateSummary: String {
            switch state {
            case .rollingOut: "rolling out \(rules.compactMap { rollout(of: $0) }.first.map(RuleWording.percent) ?? "")"
            case .abTest: "A/B " + (rules.first { $0.buckets.count > 1 && rollout(of: $0) == nil }?.buckets.map { RuleWording.percent($0.weight) }.joined(separator: " / ") ?? "")
            default: state.label
            }
        }

        func rollout(of rule: RuleEntry) -> Int? {
            guard rule.buckets.count == 2 else { return nil }
            let split = Split(seed: flag.key, buckets: rule.buckets)
            return RuleWording.rolloutShare(split, of: flag).flatMap { $0 > 0 && $0 < 10_000 ? $0 : nil }
        }
    }

    /// A segment and the flags that use it.
    package struct SegmentEntry: Sendable {
        /// The name, file and description.
        package var name: String, file: String, description: String?
        /// Its conditions in plain language.
        package var conditions: [String]
        /// Its stale findings (unused, identical to another).
        package var findings: [StaleFinding]
        /// The keys of the flags whose rules use it, sorted.
        package var flags: [String]
    }

    /// An owner and their flags.
    package struct OwnerEntry: Sendable {
        /// The owner as flags name it.
        package var name: String
        /// Their flag keys, sorted.
        package var flags: [String]
    }

    /// The headline counts.
    package struct Counts: Sendable {
        /// Every flag, the stale ones, those whose `expires` falls in the current month (from now), those rolling out.
        package var flags = 0, stale = 0, expiringThisMonth = 0, rollingOut = 0
    }

    /// The options it was built with.
    package var options: Options
    /// The environments the project declares.
    package var environments: [String]
    /// The flags, by key.
    package var flags: [FlagEntry]
    /// The segments, by name.
    package var segments: [SegmentEntry]
    /// The owners, by name.
    package var owners: [OwnerEntry]
    /// The counts at the top of the index.
    package var counts: Counts
    /// The modules, sorted.
    package var modules: [String] { Array(Set(flags.map(\.module))).sorted(by: precedesByUTF8) }
}
