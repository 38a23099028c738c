import Foundation
@testable import FlagCompiler
import FlagRuntime
import GitTestSupport
import Testing

/// `flagc stale` over real git repositories with fixed commit dates: flags that settle, expire, outlive their
/// type, kill switches left off, and what the working tree changes.
@Suite struct StaleCheckTests {
    static func flag(_ key: String, _ body: String) -> String { StaleHistory.flag(key, body) }
    static func file(_ flags: String...) -> String { StaleHistory.file(flags) }
    static let rollingOut = StaleHistory.rollingOut, rolledOut = StaleHistory.rolledOut, promotion = StaleHistory.promotion
    static let maintenance = StaleHistory.maintenance, killOff = StaleHistory.killOff
    static func history() throws -> GitRepository { try StaleHistory.repository() }

    /// Runs the check at `now` on `flags/` of `repository`.
    static func check(_ repository: GitRepository, now: String, readsHistory: Bool = true, references: [String: Int]? = nil) throws -> StaleReport {
        let flags = repository.path + "/flags"
        let seconds = try #require(Timestamp.parseDateTime(now))
        let result = try FlagCompiler(options: .init(paths: [flags], now: seconds)).compile()
        #expect(!result.hasErrors, "\(result.diagnostics)")
        return try StaleCheck(now: seconds, readsHistory: readsHistory, references: references).run(result, paths: [flags], repository: repository.path)
    }

    static func summary(_ report: StaleReport) -> [String: String] {
        Dictionary(uniqueKeysWithValues: report.findings.map { ($0.id, $0.since.map { String(Timestamp.format($0).prefix(10)) } ?? "-") })
    }

    @Test func aFlagSettlesExpiresAndOutlivesItsType() throws {
        let repository = try Self.history()
        let report = try Self.check(repository, now: "2026-04-01T00:00:00Z")
        #expect(Self.summary(report) == [
            // Settled at 100 % on 10 February, and a release flag since 1 January: 40 days later, 10 February.
            "settled/app.checkout": "2026-02-10",
            "lifetime/app.checkout": "2026-02-10",
            "expired/app.promotion": "2026-03-01",
            "lifetime/app.promotion": "2026-02-10",
            // An operational flag lives 7 days; it has served false since it was added.
            "lifetime/app.maintenance": "2026-01-08",
            "settled/app.maintenance": "2026-01-01",
            "kill-switch-off/app.search": "2026-02-20",
            // The pilot window closed on 1 February; false to everyone since.
            "settled/app.pilot": "2026-02-01",
        ])
        #expect(report.readHistory && report.commits == 4)
        let settled = try #require(report.findings.first { $0.id == "settled/app.checkout" })
        #expect(settled.served == "true" && settled.days == 49)
        #expect(settled.file.hasSuffix("flags/app.yaml") && settled.location.line == 2)
        #expect(settled.action == "make true the code default and remove the flag and the code that reads it")
        let lifetime = try #require(report.findings.first { $0.id == "lifetime/app.checkout" })
        #expect(lifetime.addedIn == (try repository.git("rev-list", "--max-parents=0", "HEAD")))
        // A kill switch that serves true is doing its job: never settled, and kill switches have no lifetime.
        #expect(!report.findings.contains { $0.subject == "other.flag" })
    }

    @Test func findingsWaitForTheSettledDays() throws {
        let repository = try Self.history()
        // 12 days after the checkout settled: not yet; the pilot settled 21 days before.
        let report = try Self.check(repository, now: "2026-02-22T09:00:00Z")
        let ids = Set(report.findings.map(\.id))
        #expect(!ids.contains("settled/app.checkout"))
        #expect(ids.contains("settled/app.pilot"))
        #expect(!ids.contains("kill-switch-off/app.search"))
        try repository.write("flags/flagc.yaml", "stale:\n  settled-days: 60\n  lifetimes: { operational: never, release: 400 }\n")
        let relaxed = Set(try Self.check(repository, now: "2026-04-01T00:00:00Z").findings.map(\.id))
        #expect(relaxed == ["expired/app.promotion", "lifetime/app.promotion", "settled/app.maintenance"])
    }

    @Test func theWorkingTreeStartsANewState() throws {
        let repository = try Self.history()
        // Not committed yet: the checkout goes back to 50 %, the pilot serves true to everyone, and the maintenance
        // flag is written differently but still serves false to everyone.
        try repository.write("flags/app.yaml", Self.file(Self.rollingOut, Self.promotion, Self.flag("app.maintenance", "type: operational\ndefault: false\nrules:\n  - serve: false"), Self.killOff,
                                                          Self.flag("app.pilot", "default: false\nrules:\n  - serve: true")))
        let report = try Self.check(repository, now: "2026-04-01T00:00:00Z")
        let ids = Set(report.findings.map(\.id))
        #expect(!ids.contains("settled/app.checkout"))
        // True to everyone, but only from now: the last commit served false.
        #expect(!ids.contains("settled/app.pilot"))
        #expect(Self.summary(report)["settled/app.maintenance"] == "2026-01-01")
    }

    @Test func aFlagRemovedAndAddedAgainCountsFromItsReturn() throws {
        let repository = try GitRepository()
        try repository.write("flags/app.yaml", Self.file(Self.maintenance, Self.rollingOut))
        try repository.commit("Add", date: "2026-01-01T00:00:00Z")
        try repository.write("flags/app.yaml", Self.file(Self.rollingOut))
        try repository.commit("Remove maintenance", date: "2026-01-05T00:00:00Z")
        // Moved to another file while it is away: still one flag, added on 20 March.
        try repository.write("flags/ops.yaml", Self.file(Self.maintenance))
        try repository.commit("Maintenance again", date: "2026-03-20T00:00:00Z")
        try repository.write("flags/app.yaml", Self.file(Self.rolledOut))
        try repository.move("flags/ops.yaml", to: "flags/ops/maintenance.yaml")
        try repository.commit("Move", date: "2026-03-25T00:00:00Z")
        let report = try Self.check(repository, now: "2026-04-01T00:00:00Z")
        #expect(Self.summary(report) == ["lifetime/app.checkout": "2026-02-10", "lifetime/app.maintenance": "2026-03-27"])
    }

    @Test func withoutHistoryOnlyDatedFindingsRemain() throws {
        let repository = try Self.history()
        let report = try Self.check(repository, now: "2026-04-01T00:00:00Z", readsHistory: false)
        #expect(Self.summary(report) == ["expired/app.promotion": "2026-03-01", "settled/app.pilot": "2026-02-01"])
        #expect(!report.readHistory && report.historyUnavailable == nil)

        // A shallow clone has not got the commits that added the flags: history is skipped, with the reason.
        let clone = try GitRepository()
        try clone.git("fetch", "--quiet", "--depth", "1", "file://" + repository.path, "main")
        try clone.git("checkout", "--quiet", "FETCH_HEAD")
        let shallow = try Self.check(clone, now: "2026-04-01T00:00:00Z")
        #expect(shallow.historyUnavailable?.contains("fetch-depth: 0") == true)
        #expect(Self.summary(shallow) == ["expired/app.promotion": "2026-03-01", "settled/app.pilot": "2026-02-01"])
    }

    @Test func referencesAndSegments() throws {
        let repository = try GitRepository()
        try repository.write("flags/app.yaml", Self.file(Self.rollingOut, Self.flag("app.beta", "default: false\nrules:\n  - when: { segments: [staff, employees] }\n    serve: true"))
            + "segments:\n  staff:\n    when: { groups: [staff, admins] }\n  employees:\n    when: { groups: [admins, staff] }\n  unused:\n    when: { segments: [nested] }\n  nested:\n    when: { tenants: [acme] }\n")
        try repository.commit("Add", date: "2026-03-30T00:00:00Z")
        let report = try Self.check(repository, now: "2026-04-01T00:00:00Z", references: ["app.checkout": 3])
        #expect(report.findings.map(\.id) == ["unreferenced/app.beta", "segment-identical/employees", "segment-unused/unused", "segment-unused/nested"])
        #expect(report.findings[1].action == "use 'staff' in its place in 1 rule and remove 'employees'")
        #expect(report.segmentCount == 4 && report.flagCount == 2)
    }
}

/// What one revision of a flag serves to everyone, and from when.
@Suite struct ServingAnalysisTests {
    static func analysis(_ body: String, now: String = "2026-01-01T00:00:00Z") throws -> ServingAnalysis? {
        let yaml = "flags:\n" + StaleCheckTests.flag("demo.feature", body)
        let (file, diagnostics) = FlagCompiler.decode(Array(yaml.utf8), path: "demo.yaml", limits: InputLimits())
        #expect(!diagnostics.hasErrors)
        return ServingAnalysis(try #require(file.flags.first))
    }

    @Test(arguments: [
        ("default: false", "false"),
        ("enabled: false\ndefault: true", "disabled"),
        ("default: false\nrules:\n  - rollout: 100", "true"),
        // 0 % get true: everyone gets false, whatever the default.
        ("default: true\nrules:\n  - rollout: 0", "false"),
        ("default: false\nrules:\n  - when: { users: [a] }\n    serve: false", "false"),
        ("default: false\nrules:\n  - serve: true\n  - when: { users: [a] }\n    serve: false", "true"),
        ("variants: { a: 1, b: 2 }\ndefault: a\nrules:\n  - split: { a: 100, b: 0 }", "1"),
    ])
    func servesOneValueAtEveryInstant(body: String, served: String) throws {
        let found = try #require(try Self.analysis(body))
        #expect(found.served.description == served && found.from == .min)
    }

    @Test(arguments: [
        "default: false\nrules:\n  - rollout: 50",
        "default: false\nrules:\n  - when: { users: [a] }\n    serve: true",
        // A window that opens later can still serve true.
        "default: false\nrules:\n  - when: { users: [a] }\n    from: 2030-01-01T00:00:00Z\n    serve: true",
        "variants: { a: 1, b: 2 }\ndefault: a\nrules:\n  - split: { a: 50, b: 50 }",
    ])
    func servesDifferentValues(body: String) throws {
        #expect(try Self.analysis(body) == nil)
    }

    @Test func windowsDateTheSettling() throws {
        // Everyone gets true until the window ends, then false: settled on false when it ends.
        let ended = try #require(try Self.analysis("default: false\nrules:\n  - until: 2026-03-01T00:00:00Z\n    serve: true"))
        #expect(ended.served.description == "false" && Timestamp.format(ended.from) == "2026-03-01T00:00:00Z")
        // From its start, a rule for everyone hides the default: true from then on.
        let starts = try #require(try Self.analysis("default: false\nrules:\n  - from: 2026-05-01T00:00:00Z\n    serve: true"))
        #expect(starts.served.description == "true" && Timestamp.format(starts.from) == "2026-05-01T00:00:00Z")
        // Two windows: only after the later one ends is there one value.
        let two = try #require(try Self.analysis("default: false\nrules:\n  - when: { users: [a] }\n    until: 2026-02-01T00:00:00Z\n    serve: true\n  - rollout: 20\n    until: 2026-04-01T00:00:00Z"))
        #expect(Timestamp.format(two.from) == "2026-04-01T00:00:00Z")
    }
}
