import Foundation
import GitTestSupport
import Testing

/// End-to-end tests of `flagc stale` in a real git repository with fixed commit dates (`StaleHistory`).
@Suite struct StaleCommandTests {
    static let now = ["--now", "2026-04-01T00:00:00Z"]

    @Test func textReportsEachFindingWithItsIdSinceAndAction() throws {
        let repository = try StaleHistory.repository()
        let run = try Flagc.run(["stale"] + Self.now, in: repository.url)
        #expect(run.status == 0, "\(run)")
        #expect(run.stdoutLines.first == "flags/app.yaml:2:3: stale[lifetime/app.checkout]: flag 'app.checkout' is a release flag added on 2026-01-01 in \(try repository.git("rev-parse", "--short=7", "HEAD~3")), 89 days ago; release flags are expected to live 40 days; remove the flag and the code that reads it, or give it the type it has become if it is meant to stay (kill_switch or permission)", "\(run)")
        #expect(run.stdoutLines.contains("flags/app.yaml:2:3: stale[settled/app.checkout]: flag 'app.checkout' has served true to everyone since 2026-02-10, 49 days ago; make true the code default and remove the flag and the code that reads it"), "\(run)")
        #expect(run.stdoutLines.last == "8 findings in 6 flags and 0 segments; 4 commits of history read", "\(run)")
        // Findings are reports, not failures, unless --strict says so.
        #expect(try Flagc.run(["stale", "--strict"] + Self.now, in: repository.url).status == 1)
        #expect(try Flagc.run(["stale", "--strict", "--now", "2026-01-02T00:00:00Z"], in: repository.url).status == 0)
    }

    @Test func jsonIsTheDocumentedShape() throws {
        let repository = try StaleHistory.repository()
        try repository.write("app/Search.swift", "if flags.isEnabled(\"app.search\") { search() }\nlet checkout = Flags.appCheckout\n")
        try repository.commit("Code", date: "2026-03-02T00:00:00Z")
        let run = try Flagc.run(["stale", "--format", "json", "--refs"] + Self.now, in: repository.url)
        #expect(run.status == 0, "\(run)")
        // Checked against schemas/stale.schema.json by .ci/run.
        try expectGolden(run.stdout, fixture: "stale/report.json")
        #expect(run.stdout.contains("\"id\": \"unreferenced/app.pilot\""))
        #expect(run.stdout.contains("remove the feature's code and the flag and its reference, or turn the feature back on"), "\(run)")
    }

    @Test func githubAnnotatesAndMarkdownSummarises() throws {
        let repository = try StaleHistory.repository()
        let github = try Flagc.run(["stale", "--format", "github"] + Self.now, in: repository.url)
        #expect(github.status == 0, "\(github)")
        #expect(github.stdoutLines.contains("::warning file=flags/app.yaml,line=9,col=3,title=flagc stale expired/app.promotion::flag 'app.promotion' expired at the end of 2026-02-28, 31 days ago; remove the flag and the code that reads it, or extend 'expires'"), "\(github)")
        let markdown = try Flagc.run(["stale", "--format", "markdown"] + Self.now, in: repository.url)
        #expect(markdown.stdout.contains("| `kill-switch-off/app.search` | 2026-02-20 (39 days) | `flags/app.yaml:22` | remove the feature`s code and the flag, or turn the feature back on |"), "\(markdown)")
    }

    @Test func refsFromAFileAndUsageErrors() throws {
        let repository = try StaleHistory.repository()
        try repository.write("refs.json", #"{"version": 1, "flags": [{"key": "app.checkout", "count": 2, "references": []}]}"#)
        let run = try Flagc.run(["stale", "--refs-from", "refs.json", "--no-history"] + Self.now, in: repository.url)
        #expect(run.status == 0, "\(run)")
        #expect(run.stdoutLines.filter { $0.contains("stale[unreferenced/") }.count == 5, "\(run)")
        #expect(run.stdoutLines.last == "7 findings in 6 flags and 0 segments; history not read", "\(run)")
        for arguments in [["--refs", "--refs-from", "refs.json"], ["--refs-exclude", "x"], ["--now", "yesterday"], ["--format", "sarif"], ["--refs-from", "missing.json"]] {
            let bad = try Flagc.run(["stale"] + arguments, in: repository.url)
            #expect(bad.status == 2, "\(bad)")
        }
    }

    @Test func outsideARepositoryHistoryIsSkippedWithANote() throws {
        try withSandbox { sandbox in
            try sandbox.write("flags/app.yaml", StaleHistory.file([StaleHistory.promotion, StaleHistory.pilot]))
            let run = try sandbox.flagc(["stale"] + Self.now)
            #expect(run.status == 0, "\(run)")
            #expect(run.stderr.contains("note: git history was not read (not inside a git repository)"), "\(run)")
            #expect(run.stdoutLines.count == 3, "\(run)")
            // Flag errors stop the check, as they stop flagc refs.
            try sandbox.write("flags/broken.yaml", "flags:\n  app.x: {}\n")
            #expect(try sandbox.flagc(["stale"] + Self.now).status == 1)
        }
    }
}
