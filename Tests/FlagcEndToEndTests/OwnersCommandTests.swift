import Foundation
import GitTestSupport
import Testing

/// End-to-end tests of `flagc owners --check` and `--print` in a real git repository, run from its root and
/// from a subfolder.
@Suite struct OwnersCommandTests {
    static func flag(_ key: String, owner: String) -> String {
        "  \(key):\n    description: A flag\n    owner: \(owner)\n    default: false\n"
    }

    /// Three flag files: billing (team-billing), ui (team-web and team-growth) and a segment file with no owner.
    static func repository(codeOwners: String?, at path: String = ".github/CODEOWNERS") throws -> GitRepository {
        let repository = try GitRepository()
        try repository.write("config/flags/flagc.yaml", "owners: [team-billing, team-growth, \"@acme/team-web\"]\n")
        try repository.write("config/flags/billing.yaml", "flags:\n" + flag("billing.invoice", owner: "team-billing"))
        try repository.write("config/flags/web/ui.yaml", "flags:\n" + flag("ui.dark_mode", owner: "team-web") + flag("ui.onboarding", owner: "team-growth"))
        try repository.write("config/flags/segments.yaml", "segments:\n  staff:\n    when: { groups: [staff] }\n")
        if let codeOwners { try repository.write(path, codeOwners) }
        try repository.commit("Flags")
        return repository
    }

    @Test func checkPassesWhenTheLastMatchingLinesNameEveryOwner() throws {
        let repository = try Self.repository(codeOwners: """
            * @acme/platform
            /config/flags/ @acme/team-billing
            /config/flags/web/ @acme/team-web @acme/team-growth

            """)
        let run = try Flagc.run(["owners", "config/flags", "--check"], in: repository.url)
        #expect(run.status == 0, "\(run)")
        #expect(run.stdoutLines == ["2 flag files checked against .github/CODEOWNERS: 2 reviewed by the owners of their flags, 0 not; 0 rejected CODEOWNERS lines"], "\(run)")
    }

    @Test func checkReportsUncoveredFilesAndMissingOwners() throws {
        let repository = try Self.repository(codeOwners: """
            /config/flags/ @acme/team-billing
            /config/flags/web/ @acme/team-web
            /config/flags/billing.yaml
            /docs/ docs-team

            """, at: "CODEOWNERS")
        let run = try Flagc.run(["owners", "config/flags", "--check", "CODEOWNERS"], in: repository.url)
        #expect(run.status == 1, "\(run)")
        #expect(run.stdoutLines == [
            "CODEOWNERS:4:8: error[codeowners-invalid]: 'docs-team' is not an owner GitHub knows, so GitHub skips this line; write @user, @org/team or an email address (for example '@docs-team', or '@org/docs-team' for a team)",
            "config/flags/billing.yaml:4:12: error[owners-uncovered]: CODEOWNERS:3 ('/config/flags/billing.yaml') is the last line matching config/flags/billing.yaml and has no owners, so GitHub asks no one to review it; it needs team-billing (owner of billing.invoice); add '/config/flags/billing.yaml @acme/team-billing' after it (flagc owners --print writes such lines)",
            "config/flags/web/ui.yaml:8:12: error[owners-missing]: CODEOWNERS:2 ('/config/flags/web/ @acme/team-web') is the last line matching config/flags/web/ui.yaml and lacks team-growth (owner of ui.onboarding); add @team-growth to it, or add '/config/flags/web/ui.yaml @acme/team-web @team-growth' after it (flagc owners --print writes such lines)",
            "2 flag files checked against CODEOWNERS: 0 reviewed by the owners of their flags, 2 not; 1 rejected CODEOWNERS line",
        ], "\(run)")

        let github = try Flagc.run(["owners", "config/flags", "--check", "CODEOWNERS", "--format", "github"], in: repository.url)
        #expect(github.status == 1)
        let annotations = github.stdoutLines.map { $0.components(separatedBy: "::").prefix(2).joined(separator: "::") }
        #expect(annotations == [
            "::error file=CODEOWNERS,line=4,col=8,title=flagc codeowners-invalid",
            "::error file=config/flags/billing.yaml,line=4,col=12,title=flagc owners-uncovered",
            "::error file=CODEOWNERS,line=3,col=1,title=flagc owners-uncovered",
            "::error file=config/flags/web/ui.yaml,line=8,col=12,title=flagc owners-missing",
            "::error file=CODEOWNERS,line=2,col=1,title=flagc owners-missing",
            "2 flag files checked against CODEOWNERS: 0 reviewed by the owners of their flags, 2 not; 1 rejected CODEOWNERS line",
        ], "\(github)")
    }

    @Test func jsonIsSortedAndSaysWhichRuleDecides() throws {
        let repository = try Self.repository(codeOwners: "/config/ @acme/team-billing\n")
        let run = try Flagc.run(["owners", "config/flags", "--check", "--format", "json"], in: repository.url)
        #expect(run.status == 1, "\(run)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let files = try #require(document["files"] as? [[String: Any]])
        #expect(files.map { $0["path"] as? String } == ["config/flags/billing.yaml", "config/flags/web/ui.yaml"])
        #expect(files.map { $0["status"] as? String } == ["ok", "missing-owners"])
        let missing = try #require(files[1]["missing"] as? [[String: Any]])
        #expect(missing.map { $0["owner"] as? String } == ["team-web", "team-growth"])
        #expect(missing.map { $0["handle"] as? String } == ["@acme/team-web", "@team-growth"])
        #expect((files[1]["rule"] as? [String: Any])?["line"] as? Int == 1)
        // The same input gives the same bytes.
        #expect(try Flagc.run(["owners", "config/flags", "--check", "--format", "json"], in: repository.url).stdout == run.stdout)
    }

    @Test func printWritesTheBlockThatMakesCheckPass() throws {
        let repository = try Self.repository(codeOwners: "* @acme/platform\n")
        let run = try Flagc.run(["owners", "config/flags", "--print", "--org", "acme"], in: repository.url)
        #expect(run.status == 0, "\(run)")
        #expect(run.stdout == """
            # Flag files and the owners of their flags (flagc owners --print).
            # Keep this block at the end of CODEOWNERS: the last matching line wins.
            /config/flags/billing.yaml @acme/team-billing
            /config/flags/web/ui.yaml @acme/team-growth @acme/team-web

            """, "\(run)")
        try repository.write(".github/CODEOWNERS", "* @acme/platform\n" + run.stdout)
        // From a subfolder, paths are still from the repository root.
        let check = try Flagc.run(["owners", ".", "--check", "../../.github/CODEOWNERS"], in: repository.url.appendingPathComponent("config/flags"))
        #expect(check.status == 0, "\(check)")
    }

    @Test func printWithoutOrganizationUsesKnownHandlesElseAtName() throws {
        let repository = try Self.repository(codeOwners: nil)
        let run = try Flagc.run(["owners", "config/flags", "--print"], in: repository.url)
        #expect(run.status == 0, "\(run)")
        #expect(run.stdoutLines.suffix(2) == ["/config/flags/billing.yaml @team-billing", "/config/flags/web/ui.yaml @acme/team-web @team-growth"], "\(run)")
    }

    @Test(arguments: [
        (["owners", "config/flags"], "pass either --check"),
        (["owners", "config/flags", "--check", "--print"], "pass either --check"),
        (["owners", "config/flags", "--check"], "none of .github/CODEOWNERS, CODEOWNERS, docs/CODEOWNERS exists"),
        (["owners", "--check", "config/flags"], "is a folder"),
        (["owners", "config/flags", "--check", "NOPE"], "does not exist"),
        (["owners", "config/flags", "--print", "--org", "@acme"], "is not an organization name"),
    ])
    func usageErrorsExitTwo(_ arguments: [String], _ message: String) throws {
        let repository = try Self.repository(codeOwners: nil)
        let run = try Flagc.run(arguments, in: repository.url)
        #expect(run.status == 2, "\(run)")
        #expect(run.stderr.contains(message), "\(run)")
    }

    @Test func flagErrorsArePrintedAsValidateDoesAndExitOne() throws {
        let repository = try Self.repository(codeOwners: "* @acme/team-billing\n")
        try repository.write("config/flags/billing.yaml", "flags:\n" + Self.flag("billing.invoice", owner: "team-biling"))
        let run = try Flagc.run(["owners", "config/flags", "--check"], in: repository.url)
        #expect(run.status == 1, "\(run)")
        #expect(run.stdout.contains("config/flags/billing.yaml:4:12: error[owner-unknown]: flag 'billing.invoice' has owner 'team-biling'"), "\(run)")
        #expect(run.stdout.contains("did you mean 'team-billing'?"), "\(run)")
    }
}
