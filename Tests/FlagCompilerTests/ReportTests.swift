import Foundation
@testable import FlagCompiler
import FlagRuntime
import GitTestSupport
import Testing

/// The report's model and renderers: rules in plain language (golden), states, slugs, determinism and the
/// folder swap. The command end to end is in `FlagcEndToEndTests/ReportCommandTests`.
@Suite struct ReportTests {
    static let now = Timestamp.parseDateTime("2026-06-01T00:00:00Z")!

    static func compileRules() throws -> FlagCompiler.Result {
        let folder = fixturesRoot.appendingPathComponent("report/rules").path
        let result = try FlagCompiler(options: .init(paths: [folder], now: now)).compile()
        #expect(!result.hasErrors, "\(result.diagnostics)")
        return result
    }

    static func model(_ result: FlagCompiler.Result) -> ReportModel {
        ReportModel(result, options: .init(title: "Flags", now: now), paths: RepositoryPaths(currentDirectory: "/"))
    }

    @Test func ruleWordingOfEveryKind() throws {
        let snapshot = try #require(try Self.compileRules().snapshot)
        var text = ""
        for flag in snapshot.flags {
            text += "\(flag.key)\n"
            for (index, rule) in flag.rules.enumerated() { text += "  \(index + 1). \(RuleWording.describe(rule, of: flag))\n" }
            text += "  \(RuleWording.fallback(of: flag))\n"
        }
        try expectGolden(text, file: fixturesRoot.appendingPathComponent("report/rule-wording.txt"))
    }

    @Test func statesAndCounts() throws {
        let model = Self.model(try Self.compileRules())
        let states = Dictionary(uniqueKeysWithValues: model.flags.map { ($0.key, $0.states) })
        #expect(states["demo.rollouts"] == [.rollingOut, .on])
        #expect(states["demo.checkout_button"]?.first == .abTest)
        #expect(states["demo.switched_off"] == [.off])
        #expect(states["demo.names"] == [.on])
        #expect(model.flags.first { $0.key == "demo.checkout_button" }?.stateSummary == "A/B 50 % / 50 %")
        #expect(model.flags.first { $0.key == "demo.rollouts" }?.stateSummary == "rolling out 10 %")
        #expect(model.counts.flags == 7)
        #expect(model.segments.map(\.name) == ["beta_testers", "staff"])
        #expect(model.segments.first?.flags == ["demo.audiences"])
        #expect(model.flags.first { $0.key == "demo.audiences" }?.environments == ["staging", "production"])
    }

    @Test func scheduledAndExpiredFollowNow() throws {
        let project = try TemporaryProject([
            "flags/flagc.yaml": "require: []\n",
            "flags/app.yaml": """
                flags:
                  app.later: { default: false, rules: [{ from: 2026-07-01T00:00:00Z, serve: true }] }
                  app.old: { default: true, expires: 2026-05-01 }
                  app.soon: { default: true, expires: 2026-06-20 }

                """,
        ])
        let model = Self.model(try project.compile(now: "2026-06-01T00:00:00Z"))
        let states = Dictionary(uniqueKeysWithValues: model.flags.map { ($0.key, $0.states) })
        #expect(states["app.later"] == [.scheduled, .off])
        #expect(states["app.old"] == [.expired, .on])
        #expect(model.counts.expiringThisMonth == 1)
    }

    @Test func slugsAreFileNamesAndNeverCollide() {
        #expect(ReportPaths.slug("billing.invoice_auto_generate") == "billing.invoice_auto_generate")
        #expect(ReportPaths.slug("@acme/web team") == "~40acme~2Fweb~20team")
        #expect(ReportPaths.slug("a~b") == "a~7Eb")
        #expect(ReportPaths.slug("..") == "~2E.")
        #expect(ReportPaths.slug("é") == "~C3~A9")
    }

    @Test func remotesBecomeWebAddressesWithoutCredentials() {
        #expect(RepositoryLinks.webAddress(ofRemote: "git@github.com:acme/flags.git") == "https://github.com/acme/flags")
        #expect(RepositoryLinks.webAddress(ofRemote: "https://x-access-token:secret@github.com/acme/flags.git\n") == "https://github.com/acme/flags")
        #expect(RepositoryLinks.webAddress(ofRemote: "ssh://git@gitlab.example.com:2222/group/flags") == "https://gitlab.example.com/group/flags")
        #expect(RepositoryLinks.webAddress(ofRemote: "/srv/git/flags.git") == nil)
        #expect(RepositoryLinks(web: "https://github.com/acme/flags", revision: "abc").file("flags/a b.yaml", line: 3) == "https://github.com/acme/flags/blob/abc/flags/a%20b.yaml#L3")
    }

    @Test func renderingIsDeterministicAndEscapes() throws {
        let result = try Self.compileRules()
        let first = HTMLReport(Self.model(result)).files()
        let second = HTMLReport(Self.model(try Self.compileRules())).files()
        #expect(first == second)
        #expect(first.map(\.path) == first.map(\.path).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
        let page = try #require(first.first { $0.path == "flags/demo.checkout_button.html" })
        #expect(page.text.contains("blue (&quot;#0055ff&quot;)"))
        let index = try #require(first.first { $0.path == "index.html" })
        #expect(!index.text.contains("http://") && !index.text.contains("https://"), "no request leaves the page")
        #expect(MarkdownReport(Self.model(result)).files() == MarkdownReport(Self.model(result)).files())
    }

    @Test func theFolderIsReplacedAsAWholeAndOnlyWhenItIsAReport() throws {
        let project = try TemporaryProject([:])
        let out = project.path("site")
        try ReportSite.write([ReportFile(path: "index.html", text: "one"), ReportFile(path: "flags/a.html", text: "a")], to: out)
        try ReportSite.write([ReportFile(path: "index.html", text: "two")], to: out)
        #expect(try String(contentsOfFile: out + "/index.html", encoding: .utf8) == "two")
        #expect(!FileManager.default.fileExists(atPath: out + "/flags/a.html"), "pages of the older report are gone")
        #expect(try FileManager.default.contentsOfDirectory(atPath: project.root.path).sorted() == [".git", "site"], "no staging folder is left")
        // A folder holding anything else is never replaced.
        try project.write("other/keep.txt", "precious")
        #expect(throws: SnapshotFile.WriteError.self) { try ReportSite.write([ReportFile(path: "index.html", text: "x")], to: project.path("other")) }
        #expect(try String(contentsOfFile: project.path("other/keep.txt"), encoding: .utf8) == "precious")
    }

    @Test func datesAreUTCAndExpiryDatesReadAsWritten() {
        #expect(ReportDates.long(Timestamp.parseDateTime("2026-12-31T23:59:59Z")!) == "31 Dec 2026 23:59 UTC")
        #expect(ReportDates.expiry(Timestamp.parseDate("2027-07-01")!) == "end of 30 Jun 2027 (UTC)")
        #expect(ReportDates.expiry(Timestamp.parseDateTime("2027-07-01T12:00:00Z")!) == "1 Jul 2027 12:00 UTC")
        #expect(ReportDates.startOfNextMonth(after: Timestamp.parseDateTime("2026-12-15T08:00:00Z")!) == Timestamp.parseDate("2027-01-01"))
        #expect(RuleWording.percent(3333) == "33.33 %" && RuleWording.percent(1050) == "10.5 %" && RuleWording.percent(5) == "0.05 %")
    }

    @Test func historyFollowsASegmentChangedInAnotherFile() throws {
        let repository = try GitRepository()
        try repository.write("flags/segments.yaml", "segments:\n  staff: { when: { groups: [staff] } }\n")
        try repository.write("flags/app.yaml", "flags:\n  app.beta: { default: false, rules: [{ when: { segments: [staff] }, serve: true }] }\n  app.other: { default: true }\n")
        let first = try repository.commit("Add", date: "2026-01-01T00:00:00Z")
        try repository.write("flags/segments.yaml", "segments:\n  staff: { when: { groups: [staff, contractors] } }\n")
        let second = try repository.commit("Widen staff", date: "2026-01-02T00:00:00Z")
        try repository.write("flags/app.yaml", "flags:\n  app.beta: { default: false, rules: [{ when: { segments: [staff] }, serve: true }] }\n")
        let third = try repository.commit("Remove app.other", date: "2026-01-03T00:00:00Z")
        let log = try FlagChangeLog.read(paths: ["flags"], directory: repository.path, limits: InputLimits())
        #expect(log.unavailable == nil && log.commits == 3)
        #expect(log.changes["app.beta"]?.map(\.commit) == [second, first], "the segment's change is a change of the flag that uses it")
        #expect(log.changes["app.beta"]?.first?.author == "Flag Tester" && log.changes["app.beta"]?.first?.subject == "Widen staff")
        #expect(log.changes["app.other"]?.map(\.kind) == [.removed, .added])
        #expect(log.changes["app.other"]?.first?.commit == third)
        let outside = try TemporaryProject(["flags/app.yaml": "flags:\n  app.one: { default: false }\n"])
        #expect(try FlagChangeLog.read(paths: ["flags"], directory: outside.root.path, limits: InputLimits()).unavailable == "not inside a git repository")
    }
}
