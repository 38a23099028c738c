import FlagRuntime
import Foundation

/// One thing `flagc stale` found: a flag or segment that has done its job, with why, since when and what to do.
public struct StaleFinding: Sendable, Hashable {
    /// What was found. The raw values are stable and part of each finding's id.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// The flag's `expires` has passed.
        case expired
        /// The flag has lived longer than its `type` is expected to (from the commit that added it).
        case lifetime
        /// The flag has served one value to everyone for `stale.settled-days` or more.
        case settled
        /// A `kill_switch` flag has been off (disabled, or `false` to everyone) for `stale.settled-days` or more.
        case killSwitchOff = "kill-switch-off"
        /// No code references the flag (with `--refs`).
        case unreferenced
        /// No flag uses the segment.
        case unusedSegment = "segment-unused"
        /// The segment has the same conditions as another.
        case identicalSegment = "segment-identical"

        /// Whether finding it reads git history.
        public var needsHistory: Bool { self == .lifetime || self == .settled || self == .killSwitchOff }
    }

    /// `<kind>/<flag key or segment name>`: the same finding has the same id in every run, so a team can track it.
    public var id: String { "\(kind.rawValue)/\(subject)" }
    /// What was found.
    public var kind: Kind
    /// The flag key, or the segment name.
    public var subject: String
    /// The file that defines it, as `validate` names it, and where.
    public var file: String
    /// The position of its key or name.
    public var location: SourceLocation
    /// What was found, for people.
    public var message: String
    /// What to do about it.
    public var action: String
    /// Since when (Unix seconds): when it expired, outlived its type, settled or went off. Nil when the finding has
    /// no date (unused and identical segments, unreferenced flags).
    public var since: Int64?
    /// Whole days from `since` to the run's "now".
    public var days: Int?
    /// The value served to everyone, for `settled` and `kill-switch-off` (`true`, `"blue"`, `disabled`).
    public var served: String?
    /// The commit that added the flag, for `lifetime`.
    public var addedIn: String?
}

/// The result of `flagc stale`.
public struct StaleReport: Sendable {
    /// The findings, sorted by file, position and id.
    public var findings: [StaleFinding]
    /// The run's "now" (Unix seconds).
    public var now: Int64
    /// The settings from `flagc.yaml` that were applied.
    public var settings: StaleSettings
    /// Why history was not read, when it was asked for and could not be; nil when it was read or not asked for.
    public var historyUnavailable: String?
    /// Whether history was read.
    public var readHistory: Bool
    /// Commits that changed the flag files, and versions of flag files read, when history was read.
    public var commits = 0, versions = 0
    /// The flags and segments checked.
    public var flagCount = 0, segmentCount = 0
}

/// Finds stale flags and segments in a compiled project: expired, outlived, settled, kill switches left off,
/// unreferenced flags, and unused or identical segments.
///
/// ```swift
/// let result = try FlagCompiler(options: .init(paths: ["flags"])).compile()
/// let report = try StaleCheck(now: Int64(Date().timeIntervalSince1970)).run(result, paths: ["flags"])
/// for finding in report.findings { print(finding.id, finding.message, finding.action) }
/// ```
public struct StaleCheck: Sendable {
    /// The run's "now" (Unix seconds).
    public var now: Int64
    /// Whether to read git history (for `lifetime`, `settled` and `kill-switch-off`).
    public var readsHistory: Bool
    /// References per flag key (from `flagc refs`); nil when the code was not scanned.
    public var references: [String: Int]?

    /// Creates a check.
    public init(now: Int64, readsHistory: Bool = true, references: [String: Int]? = nil) {
        self.now = now
        self.readsHistory = readsHistory
        self.references = references
    }

    /// Checks the flags of `result` (which must have no error), reading the history of `paths` (relative to
    /// `repository`, or absolute) from the git repository that folder is in.
    public func run(_ result: FlagCompiler.Result, paths: [String], repository: String = ".",
                    environment: [String: String] = ProcessInfo.processInfo.environment) throws(FlagCompiler.UsageError) -> StaleReport {
        let settings = result.config.stale
        var report = StaleReport(findings: [], now: now, settings: settings, readHistory: false)
        var history: FlagHistory?
        if readsHistory {
            switch try FlagHistory.read(paths: paths, directory: repository, limits: InputLimits(), environment: environment) {
            case .success(let read):
                history = read
                report.readHistory = true
                report.commits = read.commits
                report.versions = read.versions
            case .failure(let reason):
                report.historyUnavailable = reason.description
            }
        }
        var seen = Set<String>()
        for flag in result.sources.flatMap(\.flags) where flag.isComplete && seen.insert(flag.key.value).inserted {
            report.flagCount += 1
            report.findings += findings(for: flag, timeline: history?.flags[flag.key.value], hasHistory: history != nil, settings: settings)
        }
        var segments: [String: SourceSegment] = [:]
        for segment in result.sources.flatMap(\.segments) where segments[segment.name.value] == nil { segments[segment.name.value] = segment }
        report.segmentCount = segments.count
        for segment in SegmentUnused.unused(in: result.sources, segments: segments) {
            report.findings.append(StaleFinding(
                kind: .unusedSegment, subject: segment.name.value, file: segment.file, location: segment.name.location,
                message: "segment '\(segment.name.value)' is used by no flag", action: "remove the segment, or use it in a rule"
            ))
        }
        for (segment, original) in SegmentIdentical.identical(in: result.sources) {
            let uses = result.sources.flatMap(\.flags).reduce(0) { count, flag in
                count + flag.rules.filter { rule in rule.conditions.contains { condition in
                    if case .segments(let names) = condition { return names.contains { $0.value == segment.name.value } }
                    return false
                } }.count
            }
            report.findings.append(StaleFinding(
                kind: .identicalSegment, subject: segment.name.value, file: segment.file, location: segment.name.location,
                message: "segment '\(segment.name.value)' has the same conditions as '\(original.name.value)' (\(original.file):\(original.name.location.line))",
                action: "use '\(original.name.value)' in its place\(uses > 0 ? " in \(plural(uses, "rule"))" : "") and remove '\(segment.name.value)'"
            ))
        }
        report.findings.sort { lhs, rhs in
            if lhs.file != rhs.file { return precedesByUTF8(lhs.file, rhs.file) }
            if lhs.location != rhs.location { return (lhs.location.line, lhs.location.column) < (rhs.location.line, rhs.location.column) }
            return lhs.id < rhs.id
        }
        return report
    }

    private func findings(for flag: SourceFlag, timeline: FlagHistory.Timeline?, hasHistory: Bool, settings: StaleSettings) -> [StaleFinding] {
        let key = flag.key.value
        var found: [StaleFinding] = []
        func add(_ kind: StaleFinding.Kind, _ message: String, _ action: String, since: Int64? = nil, served: String? = nil, addedIn: String? = nil) {
            found.append(StaleFinding(
                kind: kind, subject: key, file: flag.file, location: flag.key.location, message: message, action: action,
                since: since, days: since.map { days(since: $0) }, served: served, addedIn: addedIn
            ))
        }
        let removal = removal(of: key)

        if let expires = flag.metadata.expires, expires <= now {
            add(.expired, "flag '\(key)' expired \(FlagExpired.describeExpiry(expires)), \(ago(expires))", "\(removal), or extend 'expires'", since: expires)
        }
        if let kind = flag.kind, let lifetime = settings.lifetimeDays(of: kind), let timeline {
            let due = timeline.added.time + Int64(lifetime) * 86_400
            if due <= now {
                add(.lifetime,
                    "flag '\(key)' is \(kind.article) \(kind.rawValue) flag added on \(date(timeline.added.time)) in \(timeline.added.id.prefix(7)), \(ago(timeline.added.time)); \(kind.rawValue) flags are expected to live \(plural(lifetime, "day"))",
                    "\(removal), or give it the type it has become if it is meant to stay (kill_switch or permission)",
                    since: due, addedIn: timeline.added.id)
            }
        }
        if let analysis = ServingAnalysis(flag), let since = settledSince(analysis, timeline: timeline, hasHistory: hasHistory),
           since <= now, days(since: since) >= settings.settledDays {
            let served = analysis.served.description
            if flag.kind == .killSwitch {
                if analysis.served.isOff {
                    add(.killSwitchOff,
                        "kill switch '\(key)' has been off (\(analysis.served == .disabled ? "disabled" : "serving false")) since \(date(since)), \(ago(since)), so the code behind it has not run",
                        "remove the feature's code and the flag\(referenceCount(key).map { $0 > 0 ? " and \(references($0))" : "" } ?? ""), or turn the feature back on",
                        since: since, served: served)
                }
            } else if analysis.served == .disabled {
                add(.settled, "flag '\(key)' has been disabled since \(date(since)), \(ago(since)), so every caller gets the default in its code",
                    "\(removal), keeping the code's default", since: since, served: served)
            } else {
                add(.settled, "flag '\(key)' has served \(served) to everyone since \(date(since)), \(ago(since))",
                    "make \(served) the code default and \(removal)", since: since, served: served)
            }
        }
        if let references, (references[key] ?? 0) == 0 {
            add(.unreferenced, "flag '\(key)' has no reference in the code scanned", "remove the flag: no code reads it")
        }
        return found
    }

    /// Since when `analysis` (the working tree's) has been served without a break: the latest of the instant it
    /// starts serving it and the commit that made it so, walking back through earlier states that served the same.
    /// Without history, only a window that ended dates it; a flag that always served one value is then undated.
    private func settledSince(_ analysis: ServingAnalysis, timeline: FlagHistory.Timeline?, hasHistory: Bool) -> Int64? {
        guard hasHistory else { return analysis.from == .min ? nil : analysis.from }
        var states = timeline?.states ?? []
        // The working tree differs from the last commit (or the flag is not committed): the state starts now.
        if states.last?.analysis != analysis { states.append(.init(since: .init(id: "", time: now), analysis: analysis)) }
        var index = states.count - 1
        var since = max(analysis.from, states[index].since.time)
        while index > 0, since == states[index].since.time {
            guard let earlier = states[index - 1].analysis, earlier.served == analysis.served, earlier.from <= states[index].since.time else { break }
            index -= 1
            since = max(earlier.from, states[index].since.time)
        }
        return since
    }

    private func referenceCount(_ key: String) -> Int? { references.map { $0[key] ?? 0 } }

    /// "remove the flag and its 3 references", or "… and the code that reads it" when the code was not scanned.
    private func removal(of key: String) -> String {
        switch referenceCount(key) {
        case nil: "remove the flag and the code that reads it"
        case 0?: "remove the flag (no code references it)"
        case let count?: "remove the flag and \(references(count))"
        }
    }

    /// "its reference", "its 3 references".
    private func references(_ count: Int) -> String { count == 1 ? "its reference" : "its \(count) references" }

    private func days(since instant: Int64) -> Int { Int((now - instant) / 86_400) }

    private func ago(_ instant: Int64) -> String {
        let days = days(since: instant)
        return days == 0 ? "today" : "\(plural(days, "day")) ago"
    }

    private func date(_ instant: Int64) -> String { String(Timestamp.format(instant).prefix(10)) }

    private func plural(_ count: Int, _ word: String) -> String { "\(count) \(word)\(count == 1 ? "" : "s")" }
}
