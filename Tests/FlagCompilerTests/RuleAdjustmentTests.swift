import Foundation
@testable import FlagCompiler
import FlagRuntime
import Testing

/// Severities under the team's control: `rules:` in flagc.yaml, `# flagc:ignore RULE-ID reason`, SARIF and
/// repository-relative paths.
@Suite struct RuleAdjustmentTests {
    /// Two flags past their `expires`, one with a rule whose window has passed, one key that breaks the convention.
    static let flags = """
        flags:
          demo.feature:
            description: Demo flag
            owner: team-demo
            expires: 2026-05-01
            default: false
            rules:
              - until: 2026-01-01T00:00:00Z
                serve: true
              - rollout: 10
          demo.other:
            description: Demo flag
            owner: team-demo
            expires: 2026-05-01
            default: false
          Demo.Bad_Key:
            description: Demo flag
            owner: team-demo
            default: false

        """

    static func rules(_ result: FlagCompiler.Result) -> [String] {
        result.diagnostics.map { "\($0.location?.line ?? 0):\($0.severity.rawValue)[\($0.rule.rawValue)]" }
    }

    @Test func levelsRaiseLowerAndTurnOffRules() throws {
        let plain = try TemporaryProject(["flags/demo.yaml": Self.flags]).compile()
        #expect(Self.rules(plain) == ["5:warning[flag-expired]", "8:warning[window-passed]", "14:warning[flag-expired]", "16:error[key-naming]"])
        #expect(plain.snapshot == nil)

        let adjusted = try TemporaryProject([
            "flags/demo.yaml": Self.flags,
            "flags/flagc.yaml": "rules:\n  flag-expired: error\n  window-passed: off\n  key-naming: warning\n",
        ]).compile()
        #expect(Self.rules(adjusted) == ["5:error[flag-expired]", "14:error[flag-expired]", "16:warning[key-naming]"])
        // A warning raised to an error blocks the snapshot, like any error.
        #expect(adjusted.hasErrors && adjusted.snapshot == nil)

        let relaxed = try TemporaryProject([
            "flags/demo.yaml": Self.flags,
            "flags/flagc.yaml": "rules: { key-naming: off, flag-expired: warning }\n",
        ]).compile()
        #expect(Self.rules(relaxed) == ["5:warning[flag-expired]", "8:warning[window-passed]", "14:warning[flag-expired]"])
        #expect(relaxed.snapshot?.flags.count == 3)
    }

    @Test func rulesThatMakeASnapshotWrongCannotBeChanged() throws {
        let result = try TemporaryProject([
            "flags/demo.yaml": Self.flags,
            "flags/flagc.yaml": "rules:\n  split-sum: off\n  flag-expird: error\n  window-passed: loud\n",
        ]).compile()
        let messages = result.diagnostics.filter { $0.rule == .configInvalid }.map(\.message)
        #expect(messages.count == 3)
        #expect(messages[0].hasPrefix("'split-sum' cannot be changed in 'rules': its errors make the snapshot wrong"))
        #expect(messages[1] == "'rules' names no rule 'flag-expird'; did you mean 'flag-expired'?; flagc rules lists them")
        #expect(messages[2] == "'rules.window-passed' is 'loud'; write error, warning or off")
    }

    @Test func anIgnoreCommentSilencesOneRuleOnTheFlagOrRuleBelowIt() throws {
        let flags = Self.flags
            .replacingOccurrences(of: "  demo.feature:\n", with: "  # flagc:ignore flag-expired kept until the migration ends\n  demo.feature:\n")
            .replacingOccurrences(of: "      - until:", with: "      # flagc:ignore window-passed,flag-expired the pilot's rule stays for the audit\n      - until:")
        let result = try TemporaryProject(["flags/demo.yaml": flags]).compile()
        // demo.other's expiry is not covered: the comment covers demo.feature's lines only.
        #expect(Self.rules(result) == ["16:warning[flag-expired]", "18:error[key-naming]"])
        #expect(result.ignored.map { "\($0.diagnostic.rule.rawValue) at \($0.diagnostic.location!) by \($0.comment): \($0.reason)" } == [
            "flag-expired at 6:14 by 2:3: kept until the migration ends",
            "window-passed at 10:16 by 9:7: the pilot's rule stays for the audit",
        ])
        let json = DiagnosticFormatter(format: .json).report(result.diagnostics, ignored: result.ignored, fileCount: 1)
        #expect(json.contains("\"reason\": \"kept until the migration ends\""))
        #expect(json.contains("\"ignored\": 2"))
        let text = DiagnosticFormatter(format: .text).report(result.diagnostics, ignored: result.ignored, fileCount: 1)
        #expect(text.hasSuffix("1 error, 1 warning in 1 file (2 ignored by '# flagc:ignore')\n"))
    }

    @Test(arguments: [
        ("  # flagc:ignore\n", "'# flagc:ignore' names no rule"),
        ("  # flagc:ignore flag-expired\n", "'# flagc:ignore flag-expired' gives no reason"),
        ("  # flagc:ignore split-sum because\n", "'split-sum' cannot be ignored: it makes the snapshot wrong"),
        ("  # flagc:ignore flag-expird typo\n", "'# flagc:ignore' names no rule 'flag-expird'; did you mean 'flag-expired'?"),
    ])
    func malformedIgnoreCommentsAreErrors(comment: String, message: String) throws {
        let result = try TemporaryProject(["flags/demo.yaml": Self.flags.replacingOccurrences(of: "  demo.other:\n", with: comment + "  demo.other:\n")]).compile()
        let invalid = try #require(result.diagnostics.first { $0.rule == .ignoreInvalid })
        #expect(invalid.message.hasPrefix(message), "\(invalid.message)")
        #expect(invalid.location == SourceLocation(line: 11, column: 3))
        // A malformed comment silences nothing.
        #expect(result.ignored.isEmpty)
        let trailing = try TemporaryProject(["flags/demo.yaml": Self.flags + "# flagc:ignore flag-expired nothing below\n"]).compile()
        #expect(trailing.diagnostics.contains { $0.rule == .ignoreInvalid && $0.message.contains("is not followed by a flag, rule or segment") })
    }

    @Test func sarifHasTheCatalogRelatedLocationsAndSuppressions() throws {
        let flags = Self.flags.replacingOccurrences(of: "  demo.feature:\n", with: "  # flagc:ignore flag-expired kept until the migration ends\n  demo.feature:\n")
        let project = try TemporaryProject(["flags/demo.yaml": flags, "flags/more.yaml": "flags:\n  demo.other:\n    description: Again\n    owner: team-demo\n    default: false\n"])
        let result = try project.compile()
        let sarif = DiagnosticFormatter(format: .sarif, toolVersion: "9.9.9").report(result.diagnostics, ignored: result.ignored, fileCount: 2)
        guard case .object(let document)? = try? JSONValue(parsing: sarif), case .array(let runs)? = document["runs"], case .object(let run)? = runs.first,
              case .object(let tool)? = run["tool"], case .object(let driver)? = tool["driver"], case .array(let rules)? = driver["rules"],
              case .array(let results)? = run["results"] else {
            Issue.record("not the SARIF shape: \(sarif.prefix(400))")
            return
        }
        #expect(document["version"] == .string("2.1.0") && driver["version"] == .string("9.9.9"))
        #expect(rules.count == RuleCatalog.all.count)
        // Each result's ruleIndex points at its rule.
        for case .object(let result) in results {
            guard case .integer(let index)? = result["ruleIndex"], case .object(let rule) = rules[Int(index)] else { Issue.record("no ruleIndex"); continue }
            #expect(rule["id"] == result["ruleId"])
        }
        #expect(sarif.contains("\"justification\": \"kept until the migration ends\""))
        #expect(sarif.contains("\"relatedLocations\""))
        #expect(sarif.contains("\"uri\": \"flags/more.yaml\""))
    }

    @Test func machinePathsAreFromTheRepositoryRoot() throws {
        let project = try TemporaryProject([:])
        try FileManager.default.createDirectory(atPath: project.path("services/api my"), withIntermediateDirectories: true)
        let paths = RepositoryPaths(currentDirectory: project.path("services/api my"))
        #expect(paths.fromRoot("flags/a.yaml") == "services/api my/flags/a.yaml")
        #expect(paths.fromRoot("../../flags/a.yaml") == "flags/a.yaml")
        #expect(paths.fromRoot(project.path("flags/b.yaml")) == "flags/b.yaml")
        #expect(paths.fromRoot("/elsewhere/c.yaml") == "/elsewhere/c.yaml")
        #expect(paths.fromRoot("../../../outside.yaml") == "../../../outside.yaml")
        #expect(SARIFLog.uri("services/api my/flags/ü.yaml") == "services/api%20my/flags/%C3%BC.yaml")
        let diagnostic = Diagnostic(.flagExpired, file: "flags/a.yaml", at: SourceLocation(line: 2, column: 3), "expired",
                                    related: [Diagnostic.Related(file: "../../flags/b.yaml", location: SourceLocation(line: 4, column: 5), message: "first defined here")])
        let github = DiagnosticFormatter(format: .github, paths: paths).report([diagnostic], fileCount: 1)
        #expect(github == """
            ::warning file=services/api my/flags/a.yaml,line=2,col=3,title=flagc flag-expired::expired
            ::notice file=flags/b.yaml,line=4,col=5,title=flagc flag-expired::first defined here (see services/api my/flags/a.yaml:2)

            """)
        // Text is for people in this folder: paths as given.
        #expect(DiagnosticFormatter(format: .text, paths: paths).report([diagnostic], fileCount: 1).hasPrefix("flags/a.yaml:2:3: warning[flag-expired]"))
    }
}
