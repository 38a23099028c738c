import FlagRuntime

extension ReportModel {
    /// The report of a compile without errors (`result.snapshot` set); `paths` names files from the repository root.
    package init(_ result: FlagCompiler.Result, options: Options, paths: RepositoryPaths) {
        self.options = options
        environments = result.config.environments
        let snapshot = result.snapshot ?? Snapshot(id: "", flags: [])
        // The first definition of a key counts, as in validation.
        var sourceOfKey: [String: (flag: SourceFlag, module: String?)] = [:]
        for file in result.sources {
            for flag in file.flags where sourceOfKey[flag.key.value] == nil {
                sourceOfKey[flag.key.value] = (flag, file.module?.value)
            }
        }
        var testsOfKey: [String: [String: Int]] = [:]
        for test in result.tests {
            for testCase in test.cases { testsOfKey[testCase.flag.value, default: [:]][test.path, default: 0] += 1 }
        }
        var findingsOfKey: [String: [StaleFinding]] = [:]
        var findingsOfSegment: [String: [StaleFinding]] = [:]
        for finding in options.stale?.findings ?? [] {
            if finding.kind == .unusedSegment || finding.kind == .identicalSegment {
                findingsOfSegment[finding.subject, default: []].append(finding)
            } else {
                findingsOfKey[finding.subject, default: []].append(finding)
            }
        }
        let endOfMonth = ReportDates.startOfNextMonth(after: options.now)
        var counts = Counts()
        var usersOfSegment: [String: Set<String>] = [:]
        var flagsOfOwner: [String: [String]] = [:]
        var entries: [FlagEntry] = []
        entries.reserveCapacity(snapshot.flags.count)
        for flag in snapshot.flags {
            let source = sourceOfKey[flag.key]
            let file = paths.fromRoot(source?.flag.file ?? "")
            var rules: [RuleEntry] = []
            var environments = Set<String>(), segments = Set<String>()
            for rule in flag.rules {
                var ruleEnvironments: [String] = []
                for condition in rule.conditions {
                    switch condition {
                    case .environment(let names): ruleEnvironments += names
                    case .segments(let resolved): segments.formUnion(resolved.map(\.name))
                    case .attribute: break
                    }
                }
                environments.formUnion(ruleEnvironments)
                var buckets: [Split.Bucket] = []
                if case .split(let split) = rule.outcome { buckets = split.buckets }
                rules.append(RuleEntry(name: rule.name, text: RuleWording.describe(rule, of: flag), environments: ruleEnvironments, buckets: buckets))
            }
            // Segments inlined into nothing (always or never matching) still count as used by the flag.
            for rule in source?.flag.rules ?? [] {
                for name in SegmentExpansion.references(in: rule.conditions) { segments.insert(name.value) }
            }
            for segment in segments { usersOfSegment[segment, default: []].insert(flag.key) }
            let findings = (findingsOfKey[flag.key] ?? []).sorted { precedesByUTF8($0.id, $1.id) }
            var entry = FlagEntry(
                flag: flag, module: source?.module ?? String(flag.key.prefix { $0 != "." }), file: file,
                line: source?.flag.key.location.line ?? 1, rootPath: file, kind: source?.flag.kind, states: [],
                rules: rules, environments: self.environments.filter(environments.contains) + environments.subtracting(self.environments).sorted(by: precedesByUTF8),
                segments: segments.sorted(by: precedesByUTF8), references: options.references.map { $0[flag.key] ?? [] },
                tests: (testsOfKey[flag.key] ?? [:]).sorted { precedesByUTF8($0.key, $1.key) }.map { (file: paths.fromRoot($0.key), cases: $0.value) },
                findings: findings, history: options.history?.changes[flag.key] ?? []
            )
            entry.states = Self.states(of: entry, now: options.now)
            if entry.states.contains(.stale) { counts.stale += 1 }
            if entry.states.contains(.rollingOut) { counts.rollingOut += 1 }
            if let expires = flag.metadata.expires, expires > options.now, expires <= endOfMonth { counts.expiringThisMonth += 1 }
            if let owner = flag.metadata.owner { flagsOfOwner[owner, default: []].append(flag.key) }
            entries.append(entry)
        }
        counts.flags = entries.count
        flags = entries
        self.counts = counts
        var segmentEntries: [SegmentEntry] = []
        var seenSegments = Set<String>()
        for file in result.sources {
            for segment in file.segments where seenSegments.insert(segment.name.value).inserted {
                let conditions = segment.conditions.map { condition -> String in
                    switch condition {
                    case .attribute(let condition): RuleWording.condition(condition)
                    case .environments(let names): RuleWording.condition(.environment(names.map(\.value)))
                    case .segments(let names): RuleWording.condition(.segments(names.map { ResolvedSegment(name: $0.value, conditions: []) }))
                    }
                }
                segmentEntries.append(SegmentEntry(name: segment.name.value, file: paths.fromRoot(segment.file), description: segment.description, conditions: conditions,
                                                   findings: findingsOfSegment[segment.name.value] ?? [], flags: (usersOfSegment[segment.name.value] ?? []).sorted(by: precedesByUTF8)))
            }
        }
        segments = segmentEntries.sorted { precedesByUTF8($0.name, $1.name) }
        owners = flagsOfOwner.map { OwnerEntry(name: $0.key, flags: $0.value) }.sorted { precedesByUTF8($0.name, $1.name) }
    }

    /// The states of a flag, most notable first; `on` or `off` when nothing else applies.
    static func states(of entry: FlagEntry, now: Int64) -> [State] {
        let flag = entry.flag
        var states: [State] = []
        if let expires = flag.metadata.expires, expires <= now { states.append(.expired) }
        if !entry.findings.isEmpty { states.append(.stale) }
        guard flag.enabled else { return states + [.off] }
        if flag.rules.contains(where: { ($0.from ?? .min) > now }) { states.append(.scheduled) }
        let live = flag.rules.filter { ($0.until ?? .max) > now }
        if entry.rules.indices.contains(where: { live.contains(flag.rules[$0]) && !entry.rules[$0].buckets.isEmpty && entry.rollout(of: entry.rules[$0]) == nil
            && entry.rules[$0].buckets.filter({ $0.weight > 0 }).count > 1 }) {
            states.append(.abTest)
        }
        if entry.rules.indices.contains(where: { live.contains(flag.rules[$0]) && entry.rollout(of: entry.rules[$0]) != nil }) { states.append(.rollingOut) }
        let active = live.filter { ($0.from ?? .min) <= now }
        let servesOnlyFalse = flag.type == .boolean && active.isEmpty && flag.variant(named: flag.defaultVariant)?.value == .boolean(false)
        states.append(servesOnlyFalse ? .off : .on)
        return states
    }
}
