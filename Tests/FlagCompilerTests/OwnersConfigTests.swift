import Foundation
@testable import FlagCompiler
import Testing

/// `owners:` in flagc.yaml (a list, or `from:` a CODEOWNERS file) and the `owner-unknown` rule it turns on.
@Suite struct OwnersConfigTests {
    static func flagFile(owner: String) -> String {
        "flags:\n  demo.feature:\n    description: Demo flag\n    owner: \(owner)\n    default: false\n"
    }

    static func messages(_ result: FlagCompiler.Result, _ rule: RuleID) -> [String] {
        result.diagnostics.filter { $0.rule == rule }.map(\.description)
    }

    @Test func aListDecodesAsWrittenAndAnUnknownOwnerGetsADidYouMean() throws {
        let project = try TemporaryProject([
            "flags/flagc.yaml": "owners: [team-billing, \"@acme/team-web\", alice@example.com]\n",
            "flags/demo.yaml": Self.flagFile(owner: "team-wbe"),
        ])
        let result = try project.compile()
        #expect(result.config.knownOwners?.entries == ["team-billing", "@acme/team-web", "alice@example.com"])
        #expect(Self.messages(result, .ownerUnknown) == [
            "flags/demo.yaml:4:12: error[owner-unknown]: flag 'demo.feature' has owner 'team-wbe', which is not in 'owners' of flags/flagc.yaml; did you mean 'team-web'?; fix the owner, or add it to 'owners'",
        ])
        #expect(result.snapshot == nil)
    }

    @Test(arguments: ["team-billing", "TEAM-BILLING", "team-web", "@acme/team-web", "alice@example.com", "Alice@Example.com"])
    func knownOwnersPass(_ owner: String) throws {
        let project = try TemporaryProject([
            "flags/flagc.yaml": "owners: [team-billing, \"@acme/team-web\", alice@example.com]\n",
            "flags/demo.yaml": Self.flagFile(owner: "\"\(owner)\""),
        ])
        let result = try project.compile()
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics.map(\.description))")
    }

    @Test func withoutOwnersAnyOwnerIsAccepted() throws {
        let project = try TemporaryProject(["flags/demo.yaml": Self.flagFile(owner: "anyone")])
        let result = try project.compile()
        #expect(result.config.knownOwners == nil)
        #expect(result.diagnostics.isEmpty)
    }

    @Test(arguments: [
        ("owners: CODEOWNERS\n", "'owners' must be a list or a mapping"),
        ("owners: { path: CODEOWNERS }\n", "unknown"),
        ("owners: {}\n", "without 'from'"),
        ("owners: [\"team billing\"]\n", "'owners' entry 'team billing' is not an owner"),
        ("owners: [\"@acme/\"]\n", "'owners' entry '@acme/' is not an owner"),
    ])
    func invalidOwnersAreReported(_ config: String, _ message: String) throws {
        let project = try TemporaryProject(["flags/flagc.yaml": config, "flags/demo.yaml": Self.flagFile(owner: "team-demo")])
        let result = try project.compile()
        #expect(result.hasErrors)
        #expect(result.diagnostics.contains { $0.file == "flags/flagc.yaml" && $0.location?.line == 1 && $0.message.contains(message) }, "\(result.diagnostics.map(\.description))")
    }

    @Test func fromCodeOwnersSearchesGitHubsLocationsInGitHubsOrder() throws {
        let project = try TemporaryProject([
            "flags/flagc.yaml": "owners: { from: CODEOWNERS }\n",
            "flags/demo.yaml": Self.flagFile(owner: "team-billing"),
            // GitHub reads .github/CODEOWNERS first; the others are ignored.
            ".github/CODEOWNERS": "/flags/ @acme/team-billing @alice\n",
            "CODEOWNERS": "* @acme/team-web\n",
            "docs/CODEOWNERS": "* @acme/team-docs\n",
        ])
        let result = try project.compile()
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics.map(\.description))")
        #expect(result.config.knownOwners?.entries == ["@acme/team-billing", "@alice"])
        #expect(result.config.knownOwners?.source == project.path(".github/CODEOWNERS"))

        try project.write("flags/demo.yaml", Self.flagFile(owner: "team-biling"))
        let typo = try project.compile()
        #expect(Self.messages(typo, .ownerUnknown) == [
            "flags/demo.yaml:4:12: error[owner-unknown]: flag 'demo.feature' has owner 'team-biling', which is not an owner in .github/CODEOWNERS; did you mean 'team-billing'?; fix the owner, or add a CODEOWNERS line that names it",
        ])
    }

    @Test func fromAPathIsRelativeToTheRepositoryRoot() throws {
        let project = try TemporaryProject([
            "config/flags/flagc.yaml": "owners: { from: meta/OWNERS }\n",
            "config/flags/demo.yaml": Self.flagFile(owner: "alice"),
            "meta/OWNERS": "# owners\n* @alice # everyone's reviewer\n",
        ])
        let result = try project.compile(folder: "config/flags")
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics.map(\.description))")
        #expect(result.config.knownOwners?.entries == ["@alice"])
    }

    @Test func aMissingFileSaysWhichPathsWereSearched() throws {
        let project = try TemporaryProject([
            "flags/flagc.yaml": "owners:\n  from: CODEOWNERS\n",
            "flags/demo.yaml": Self.flagFile(owner: "team-demo"),
        ])
        let result = try project.compile()
        let problems = Self.messages(result, .configInvalid)
        #expect(problems.count == 1)
        #expect(problems.first?.hasPrefix("flags/flagc.yaml:2:9: error[config-invalid]: 'owners.from' is 'CODEOWNERS', but none of .github/CODEOWNERS, CODEOWNERS, docs/CODEOWNERS exists at the repository root") == true, "\(problems)")
        #expect(Self.messages(result, .ownerUnknown).isEmpty)
    }

    @Test func rejectedCodeOwnersLinesAreErrorsOfTheirFile() throws {
        let project = try TemporaryProject([
            "flags/flagc.yaml": "owners: { from: CODEOWNERS }\n",
            "flags/demo.yaml": Self.flagFile(owner: "team-demo"),
            "CODEOWNERS": "/flags/ @acme/team-demo\n/docs/ docs-team\n",
        ])
        let result = try project.compile()
        #expect(result.diagnostics.map(\.rule) == [.codeownersInvalid])
        #expect(result.diagnostics.first?.file == "CODEOWNERS")
        #expect(result.diagnostics.first?.location?.line == 2 && result.diagnostics.first?.location?.column == 8)
    }

    @Test func repositoryRootIsWrittenLikeTheFolder() throws {
        let project = try TemporaryProject(["flags/platform/a.yaml": Self.flagFile(owner: "x")])
        #expect(FileDiscovery.repositoryRoot(above: project.path("flags/platform")) == project.path(""))
        #expect(FileDiscovery.lexicalParent("flags") == ".")
        #expect(FileDiscovery.lexicalParent(".") == "..")
        #expect(FileDiscovery.lexicalParent("../x") == "..")
        #expect(FileDiscovery.lexicalParent("/a") == "/")
        #expect(FileDiscovery.lexicalParent("a/b/") == "a")
    }
}
