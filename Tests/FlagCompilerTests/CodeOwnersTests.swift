@testable import FlagCompiler
import Testing

/// CODEOWNERS parsing and GitHub's matching rules, with the examples of GitHub's documentation
/// ("About code owners", the example CODEOWNERS file).
@Suite struct CodeOwnersTests {
    /// One pattern, one path, whether GitHub matches it.
    struct Case: CustomTestStringConvertible, Sendable {
        var pattern: String
        var path: String
        var matches: Bool
        var testDescription: String { "\(pattern) \(matches ? "matches" : "does not match") \(path)" }
    }

    static func cases(_ pattern: String, _ paths: [String: Bool]) -> [Case] {
        paths.sorted { $0.key < $1.key }.map { Case(pattern: pattern, path: $0.key, matches: $0.value) }
    }

    /// GitHub's examples, in the order of its example file.
    static let githubExamples: [Case] =
        // "* @global-owner1 @global-owner2": everything.
        cases("*", ["README.md": true, "src/app/main.swift": true])
        // "*.js @js-owner": JavaScript files at any depth.
        + cases("*.js", ["app.js": true, "web/src/app.js": true, "app.jsx": false, "app.js.map": false])
        // "/build/logs/ @doctocat": the root's build/logs and everything below.
        + cases("/build/logs/", ["build/logs/today.log": true, "build/logs/2026/01.log": true, "src/build/logs/today.log": false, "build/logs": false])
        // "docs/* docs@example.com": direct children of docs only.
        + cases("docs/*", ["docs/getting-started.md": true, "docs/build-app/troubleshooting.md": false])
        // "apps/ @octocat": an apps folder anywhere.
        + cases("apps/", ["apps/web/index.ts": true, "src/apps/web/index.ts": true, "apps": false, "myapps/index.ts": false])
        // "/docs/ @doctocat": the root's docs and everything below.
        + cases("/docs/", ["docs/a.md": true, "docs/guides/b.md": true, "src/docs/a.md": false])
        // "/scripts/ @doctocat @octocat".
        + cases("/scripts/", ["scripts/build.sh": true, "tools/scripts/build.sh": false])
        // "**/logs @octocat": a logs folder anywhere (build/logs, scripts/logs, deeply/nested/logs).
        + cases("**/logs", ["build/logs/a.txt": true, "scripts/logs/a.txt": true, "deeply/nested/logs/a.txt": true, "logs/a.txt": true, "catalogs/a.txt": false])
        // "/apps/ @octocat" then "/apps/github" with no owner.
        + cases("/apps/github", ["apps/github/main.go": true, "apps/github": true, "apps/githubber/main.go": false, "x/apps/github/main.go": false])

    /// The rest of the rules: anchoring by a middle slash, `**` in the middle, `?`, escapes, case.
    static let rules: [Case] =
        cases("foo", ["foo": true, "foo/bar": true, "bar/foo": true, "bar/foo/baz": true, "foo.txt": false])
        + cases("foo/bar", ["foo/bar": true, "foo/bar/baz": true, "baz/foo/bar": false, "foo/bart": false])
        + cases("/*", ["README.md": true, "docs/a.md": false])
        + cases("f*", ["foo": true, "foo/bar": true, "bar/foo": true, "bar/baz": false])
        + cases("foo/*/baz", ["foo/bar/baz": true, "foo/bar/baz/qux": true, "foo/baz": false])
        + cases("foo/**/bar", ["foo/bar": true, "foo/a/b/bar/c": true, "x/foo/bar": false])
        + cases("foo/**", ["foo": false, "foo/a": true, "foo/a/b": true])
        + cases("f?o", ["foo": true, "fo": false, "fooo": false])
        + cases("f\\*o", ["f*o": true, "foo": false])
        + cases("my\\ file.yaml", ["flags/my file.yaml": true, "flags/my": false])
        + cases("\\#notes", ["#notes": true])
        + cases("*.YAML", ["flags/a.yaml": false, "flags/a.YAML": true])
        + cases("/", ["a": false])

    @Test(arguments: githubExamples + rules)
    func patternMatchesAsGitHubDoes(_ example: Case) throws {
        let pattern = try #require(CodeOwnersPattern(example.pattern))
        #expect(pattern.matches(example.path) == example.matches)
    }

    @Test func lastMatchingLineWinsAndALineWithoutOwnersUnowns() throws {
        let text = """
            # This is a comment.
            *       @global-owner1 @global-owner2
            *.js    @js-owner #This is an inline comment.
            /apps/  @octocat
            /apps/github

            """
        let (file, problems) = CodeOwners.parse(Array(text.utf8), path: "CODEOWNERS")
        #expect(problems.diagnostics.isEmpty)
        #expect(file.rules.count == 4)
        #expect(file.rule(for: "README.md")?.owners == ["@global-owner1", "@global-owner2"])
        #expect(file.rule(for: "web/app.js")?.owners == ["@js-owner"])
        #expect(file.rule(for: "apps/web/app.js")?.owners == ["@octocat"])
        let unowning = try #require(file.rule(for: "apps/github/app.js"))
        #expect(unowning.owners.isEmpty)
        #expect(unowning.location.line == 5 && unowning.location.column == 1)
        #expect(file.owners == ["@global-owner1", "@global-owner2", "@js-owner", "@octocat"])
    }

    @Test func escapedSpacesAndHashesArePartOfThePattern() throws {
        let (file, problems) = CodeOwners.parse(Array("flags/my\\ flags/\\#1.yaml @acme/web # the first\n".utf8), path: "CODEOWNERS")
        #expect(problems.diagnostics.isEmpty)
        #expect(file.rule(for: "flags/my flags/#1.yaml")?.owners == ["@acme/web"])
    }

    @Test(arguments: [
        ("/flags/ team-billing\n", 1, 9, "'team-billing' is not an owner"),
        ("/flags/ @acme/web @@x\n", 1, 19, "'@@x' is not an owner"),
        ("!/flags/ @acme/web\n", 1, 1, "no '!' negation"),
        ("\n  flags/[ab].yaml @acme/web\n", 2, 3, "no '[ ]' character ranges"),
        ("flags/***/x @acme/web\n", 1, 1, "three '*'"),
    ])
    func linesGitHubRejectsAreReportedAndSkipped(_ text: String, _ line: Int, _ column: Int, _ message: String) {
        let (file, problems) = CodeOwners.parse(Array(text.utf8), path: ".github/CODEOWNERS")
        #expect(file.rules.isEmpty)
        let problem = problems.diagnostics.first
        #expect(problems.diagnostics.count == 1)
        #expect(problem?.rule == .codeownersInvalid)
        #expect(problem?.location?.line == line && problem?.location?.column == column)
        #expect(problem?.description.hasPrefix(".github/CODEOWNERS:\(line):\(column): error[codeowners-invalid]:") == true)
        #expect(problem?.message.contains(message) == true, "\(problem?.message ?? "")")
    }

    @Test func ownersAreUsersTeamsOrEmails() {
        #expect(OwnerHandle("@alice")?.shortForm == "alice")
        #expect(OwnerHandle("@acme/team-billing")?.shortForm == "team-billing")
        #expect(OwnerHandle("alice@example.com")?.shortForm == "alice@example.com")
        for invalid in ["alice", "@", "@acme/", "@/team", "alice@localhost", "@a b", "@acme/team/x"] {
            #expect(OwnerHandle(invalid) == nil, "\(invalid)")
        }
    }

    @Test func aFlagOwnerNamesAHandleByItOrItsShortFormIgnoringCase() {
        #expect(KnownOwners.owner("team-billing", names: "@acme/team-billing"))
        #expect(KnownOwners.owner("@ACME/Team-Billing", names: "@acme/team-billing"))
        #expect(KnownOwners.owner("alice", names: "@alice"))
        #expect(KnownOwners.owner("Alice@Example.com", names: "alice@example.com"))
        #expect(KnownOwners.owner("team-billing", names: "team-billing"))
        #expect(!KnownOwners.owner("acme", names: "@acme/team-billing"))
        #expect(!KnownOwners.owner("@other/team-billing", names: "@acme/team-billing"))
        #expect(!KnownOwners.owner("alice", names: "alice@example.com"))
    }

    @Test func printedHandlesPreferKnownOnesThenTheOrganization() {
        let handles = ["@acme/team-billing", "@bob"]
        #expect(OwnersCheck.handle(for: "team-billing", handles: handles, organization: "other") == "@acme/team-billing")
        #expect(OwnersCheck.handle(for: "bob", handles: handles, organization: nil) == "@bob")
        #expect(OwnersCheck.handle(for: "team-web", handles: handles, organization: "acme") == "@acme/team-web")
        #expect(OwnersCheck.handle(for: "team-web", handles: handles, organization: nil) == "@team-web")
        #expect(OwnersCheck.handle(for: "carol@example.com", handles: handles, organization: "acme") == "carol@example.com")
        #expect(OwnersCheck.escape("flags/my flags/#1.yaml") == "flags/my\\ flags/\\#1.yaml")
    }
}
