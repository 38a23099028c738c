import Foundation
import GitTestSupport
import Testing

/// `flagc report` end to end: the real binary over the repository's flags/ and over git repositories built here.
/// The pages in a browser are checked by scripts/check-report-browser.sh.
@Suite struct ReportCommandTests {
    static let now = ["--now", "2026-06-01T00:00:00Z"]
    static let exampleFlags = ScriptProcess.repositoryRoot.appendingPathComponent("flags").path

    /// Every file below `folder` (relative path → bytes).
    static func tree(_ folder: URL) throws -> [String: Data] {
        var files: [String: Data] = [:]
        let enumerator = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.isRegularFileKey])
        while let url = enumerator?.nextObject() as? URL {
            guard try url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile == true else { continue }
            files[String(url.path.dropFirst(folder.path.count + 1))] = try Data(contentsOf: url)
        }
        return files
    }

    static func text(_ url: URL) throws -> String { try String(contentsOf: url, encoding: .utf8) }

    @Test func theExampleFlagsGiveTheSameSiteTwice() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        // Run at the repository's root, as CI does, so paths are shown from there.
        let root = ScriptProcess.repositoryRoot
        let first = try Flagc.run(["report", "flags", "--out", sandbox.url("one").path] + Self.now, in: root)
        #expect(first.status == 0, "\(first)")
        #expect(first.stdout.hasPrefix("wrote \(sandbox.url("one").path)/index.html: 36 flags, "), "\(first)")
        let second = try Flagc.run(["report", "flags", "--out", sandbox.url("two").path] + Self.now, in: root)
        #expect(second.status == 0, "\(second)")
        let one = try Self.tree(sandbox.url("one")), two = try Self.tree(sandbox.url("two"))
        #expect(one.keys.sorted() == two.keys.sorted())
        #expect(one == two, "byte-identical for the same files, revision and --now")
        #expect(one["flags/billing.invoice_auto_generate.html"] != nil && one["style.css"] != nil && one["report.js"] != nil && one["all.html"] != nil)
        let page = try Self.text(sandbox.url("one/flags/billing.invoice_auto_generate.html"))
        #expect(page.contains("<strong>pilot tenants</strong>: tenants acme, globex, until 31 Dec 2026 23:59 UTC → true"), "\(page)")
        #expect(page.contains("<code>flags/billing.test.yaml</code>: 5 cases"))
        // Rewriting replaces the folder as a whole.
        let again = try Flagc.run(["report", "flags", "--out", sandbox.url("one").path, "--title", "Other"] + Self.now, in: root)
        #expect(again.status == 0, "\(again)")
        #expect(try Self.text(sandbox.url("one/index.html")).contains("<title>Flags · Other</title>"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: sandbox.root.path).sorted() == [".git", "one", "two"], "no staging folder left")
    }

    @Test func badFlagFilesWriteNothingAndKeepTheOldReport() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        try sandbox.write("flags/app.yaml", "flags:\n  app.one: { description: One., owner: team-app, default: false }\n")
        #expect(try Flagc.run(["report", "--out", "site"] + Self.now, in: sandbox.root).status == 0)
        let before = try Self.tree(sandbox.url("site"))
        try sandbox.write("flags/app.yaml", "flags:\n  app.one: { description: One., owner: team-app }\n")
        let run = try Flagc.run(["report", "--out", "site"] + Self.now, in: sandbox.root)
        #expect(run.status == 1, "\(run)")
        #expect(run.stdout.contains("error[missing-field]"), "\(run)")
        #expect(run.stderr.contains("error: the flag files have errors; fix them first (flagc validate flags)"), "\(run)")
        #expect(try Self.tree(sandbox.url("site")) == before)
        let fresh = try Flagc.run(["report", "--out", "new"] + Self.now, in: sandbox.root)
        #expect(fresh.status == 1 && !sandbox.exists("new"), "\(fresh)")
    }

    @Test func aFolderThatIsNotAReportIsNeverReplaced() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        try sandbox.write("flags/app.yaml", "flags:\n  app.one: { description: One., owner: team-app, default: false }\n")
        try sandbox.write("docs/guide.md", "keep me\n")
        let run = try Flagc.run(["report", "--out", "docs"] + Self.now, in: sandbox.root)
        #expect(run.status == 2, "\(run)")
        #expect(run.stderr.contains("holds something other than a flagc report"), "\(run)")
        #expect(try Self.text(sandbox.url("docs/guide.md")) == "keep me\n")
        #expect(try Flagc.run(["report", "--out", "site", "--base-url", "acme.github.io"] + Self.now, in: sandbox.root).status == 2)
    }

    @Test func markdownPagesForAWiki() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let run = try Flagc.run(["report", Self.exampleFlags, "--out", "wiki", "--format", "markdown", "--base-url", "https://acme.example/flags/"] + Self.now, in: sandbox.root)
        #expect(run.status == 0, "\(run)")
        let index = try Self.text(sandbox.url("wiki/index.md"))
        #expect(index.contains("| [billing.invoice\\_auto\\_generate](https://acme.example/flags/flags/billing.invoice_auto_generate.md) | billing | [team-billing](https://acme.example/flags/owners/team-billing.md) |"), "\(index)")
        let page = try Self.text(sandbox.url("wiki/flags/billing.invoice_auto_generate.md"))
        #expect(page.contains("1. **pilot tenants**: tenants acme, globex, until 31 Dec 2026 23:59 UTC → true"), "\(page)")
        #expect(!sandbox.exists("wiki/index.html"))
    }

    @Test func historyRefsAndRepositoryLinks() throws {
        let repository = try GitRepository()
        try repository.write("flags/app.yaml", "module: app\nflags:\n  app.search:\n    description: New search.\n    owner: team-app\n    default: false\n    rules:\n      - rollout: 10\n")
        let added = try repository.commit("Add app.search", date: "2026-01-05T10:00:00Z")
        try repository.write("flags/app.yaml", "module: app\nflags:\n  app.search:\n    description: New search.\n    owner: team-app\n    default: false\n    rules:\n      - rollout: 50\n")
        try repository.write("README.md", "unrelated\n")
        let raised = try repository.commit("Search to 50 %", date: "2026-02-01T10:00:00Z")
        try repository.write("Sources/App/Search.swift", "let enabled = flags.isEnabled(\"app.search\")\n")
        try repository.commit("Code", date: "2026-02-02T10:00:00Z")
        try repository.git("remote", "add", "origin", "git@github.com:acme/shop.git")
        let head = try repository.git("rev-parse", "HEAD")

        let run = try Flagc.run(["report", "--out", "site", "--history", "--refs", "Sources"] + Self.now, in: repository.url)
        #expect(run.status == 0, "\(run)")
        let page = try Self.text(repository.url.appendingPathComponent("site/flags/app.search.html"))
        #expect(page.contains("<tr><td>2026-02-01</td><td><a href=\"https://github.com/acme/shop/commit/\(raised)\"><code>\(raised.prefix(7))</code></a> Search to 50 %</td><td>Flag Tester</td>"), "\(page)")
        #expect(page.contains("<td>2026-01-05</td><td><a href=\"https://github.com/acme/shop/commit/\(added)\">"), "\(page)")
        #expect(page.contains("<li>rule 1: split true 10.00 %, false 90.00 % → split true 50.00 %, false 50.00 %</li>"), "the diff summary of the change: \(page)")
        #expect(page.contains("<a href=\"https://github.com/acme/shop/blob/\(head)/Sources/App/Search.swift#L1\"><code>Sources/App/Search.swift:1</code></a>"), "\(page)")
        #expect(page.contains("<a href=\"https://github.com/acme/shop/blob/\(head)/flags/app.yaml#L3\">"), "\(page)")
        let index = try Self.text(repository.url.appendingPathComponent("site/index.html"))
        #expect(index.contains("<td>2026-02-01</td></tr>"), "last change in the index: \(index)")

        // Without --history, no git history is shown (and none is needed).
        let plain = try Flagc.run(["report", "--out", "plain"] + Self.now, in: repository.url)
        #expect(try Self.text(repository.url.appendingPathComponent("plain/flags/app.search.html")).contains("Not read (<code>flagc report --history</code>)."), "\(plain)")
    }
}
