import Foundation
import GitTestSupport
import Testing

/// `scripts/flagc-action.sh`, the GitHub Action's work, run as GitHub runs it: the variables a runner sets, a real git
/// repository with a base branch and a pull request's commit, and `FLAGC` pointing at the built binary. Checks what a
/// reviewer sees: the annotations on standard output, the step summary, the step outputs and the exit status.
/// Needs bash, git and python3 (the script reads the counts from flagc's JSON with it).
@Suite struct ActionScriptTests {
    static let script = ScriptProcess.repositoryRoot.appendingPathComponent("scripts/flagc-action.sh")

    static let baseFlags = """
        flags:
          demo.feature:
            description: Demo flag
            owner: team-demo
            default: false

        """
    static let passingTest = """
        tests:
          - name: off for everyone
            flag: demo.feature
            expect: { value: false }

        """

    /// A repository whose `main` (also `origin/main`, as after actions/checkout with fetch-depth: 0) holds
    /// `baseFiles`, with a branch `pull-request` checked out whose one commit writes `pullRequestFiles`.
    static func pullRequest(base baseFiles: [String: String], head pullRequestFiles: [String: String]) throws -> GitRepository {
        let repository = try GitRepository()
        for (path, text) in baseFiles { try repository.write(path, text) }
        try repository.commit("Base", date: "2026-01-01T00:00:00Z")
        try repository.git("update-ref", "refs/remotes/origin/main", "main")
        try repository.git("checkout", "--quiet", "-b", "pull-request")
        for (path, text) in pullRequestFiles { try repository.write(path, text) }
        try repository.commit("Pull request", date: "2026-01-02T00:00:00Z")
        return repository
    }

    /// What one run of the script left behind.
    struct ActionRun: CustomStringConvertible {
        var process: ScriptRun
        /// The step summary file's contents.
        var summary: String
        /// The step outputs, `name=value` lines as a dictionary.
        var outputs: [String: String]
        var status: Int32 { process.status }
        var stdout: String { process.stdout }
        var description: String { "\(process)\n--- step summary ---\n\(summary)" }
    }

    /// Runs the script in `repository` with GitHub's variables; `variables` add to or replace them.
    static func runAction(in repository: GitRepository, _ variables: [String: String] = [:]) throws -> ActionRun {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        try sandbox.write("summary.md", "")
        try sandbox.write("output.txt", "")
        var environment = [
            "FLAGC": try Flagc.executable().path,
            "GITHUB_ACTIONS": "true",
            "GITHUB_WORKSPACE": repository.path,
            "GITHUB_STEP_SUMMARY": sandbox.url("summary.md").path,
            "GITHUB_OUTPUT": sandbox.url("output.txt").path,
            "RUNNER_TEMP": sandbox.url("runner-temp").path,
            "INPUT_PATHS": "flags",
            "INPUT_FORMATS": "github,markdown",
            "INPUT_STRICT": "false",
            "INPUT_FAIL_ON": "error",
            "INPUT_DIFF_BASE": "",
        ]
        environment.merge(variables) { _, new in new }
        let process = try ScriptProcess.run(["bash", script.path], in: sandbox.root, environment: environment)
        let summary = String(decoding: try sandbox.contents("summary.md"), as: UTF8.self)
        var outputs: [String: String] = [:]
        for line in String(decoding: try sandbox.contents("output.txt"), as: UTF8.self).split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            outputs[String(line[..<equals])] = String(line[line.index(after: equals)...])
        }
        return ActionRun(process: process, summary: summary, outputs: outputs)
    }

    static let pullRequestEvent = ["GITHUB_EVENT_NAME": "pull_request", "GITHUB_BASE_REF": "main", "GITHUB_HEAD_REF": "pull-request"]

    @Test func aCleanPullRequestPassesWithTheDiffInTheSummary() throws {
        let repository = try Self.pullRequest(
            base: ["flags/demo.yaml": Self.baseFlags, "flags/demo.test.yaml": Self.passingTest],
            head: ["flags/demo.yaml": Self.baseFlags + "  demo.other:\n    description: Another flag\n    owner: team-demo\n    default: true\n"]
        )
        let run = try Self.runAction(in: repository, Self.pullRequestEvent)
        #expect(run.status == 0, "\(run)")
        // The added flag is marked where it is declared.
        #expect(run.stdout.contains("::notice file=flags/demo.yaml,line=6,col=3,title=flagc diff%3A + demo.other::added (boolean, default 'true', 0 rules)"), "\(run)")
        #expect(run.summary.hasPrefix("## flagc\n\n| check | result |\n| --- | --- |\n"), "\(run)")
        #expect(run.summary.contains("| validate | ✅ 0 errors, 0 warnings in 2 files |"), "\(run)")
        #expect(run.summary.contains("| test | ✅ 1 passed, 0 failed |"), "\(run)")
        #expect(run.summary.contains("| diff | 1 flag changed against `origin/main` |"), "\(run)")
        #expect(run.summary.contains("## flagc diff: origin/main ("), "\(run)")
        #expect(run.summary.contains("### + `demo.other`"), "\(run)")
        #expect(run.outputs["errors"] == "0")
        #expect(run.outputs["warnings"] == "0")
        #expect(run.outputs["tests-passed"] == "1")
        #expect(run.outputs["tests-failed"] == "0")
        #expect(run.outputs["changed-flags"] == "1")
        #expect(run.outputs["result"] == "success")
        let reports = try #require(run.outputs["report-dir"])
        #expect(reports.hasSuffix("/runner-temp/flagc-reports"))
    }

    @Test func aBrokenFlagFileFailsWithAnAnnotationAtItsLine() throws {
        let repository = try Self.pullRequest(
            base: ["flags/demo.yaml": Self.baseFlags, "flags/demo.test.yaml": Self.passingTest],
            head: ["flags/demo.yaml": Self.baseFlags + "  demo.other:\n    description: No owner\n    default: true\n"]
        )
        let run = try Self.runAction(in: repository, Self.pullRequestEvent)
        #expect(run.status == 1, "\(run)")
        #expect(run.stdout.contains("::error file=flags/demo.yaml,line=6,col=3,title=flagc missing-metadata::flag 'demo.other' has no 'owner'"), "\(run)")
        #expect(run.summary.contains("| validate | ❌ 1 error, 0 warnings in 2 files |"), "\(run)")
        // Test and diff would only repeat the errors.
        #expect(run.summary.contains("| test | ➖ not run: the flag files have errors |"), "\(run)")
        #expect(run.summary.contains("| diff | ➖ not run: the flag files have errors |"), "\(run)")
        #expect(!run.summary.contains("## flagc diff"), "\(run)")
        #expect(run.outputs["errors"] == "1")
        #expect(run.outputs["result"] == "failure")
    }

    @Test func aFailingTestCaseFailsWithAnAnnotationAtTheCase() throws {
        let failing = Self.passingTest.replacingOccurrences(of: "value: false", with: "value: true")
        let repository = try Self.pullRequest(
            base: ["flags/demo.yaml": Self.baseFlags, "flags/demo.test.yaml": Self.passingTest],
            head: ["flags/demo.test.yaml": failing]
        )
        let run = try Self.runAction(in: repository, Self.pullRequestEvent)
        #expect(run.status == 1, "\(run)")
        #expect(run.stdout.contains("::error file=flags/demo.test.yaml,line=2,col=5,title=flagc test%3A off for everyone::value: expected true, got false"), "\(run)")
        #expect(run.summary.contains("| test | ❌ 0 passed, 1 failed |"), "\(run)")
        #expect(run.summary.contains("| diff | 0 flags changed against `origin/main` |"), "\(run)")
        #expect(run.outputs["tests-failed"] == "1")
        #expect(run.outputs["result"] == "failure")
    }

    @Test func aBaseBranchMissingFromTheCloneIsExplained() throws {
        let repository = try Self.pullRequest(base: ["flags/demo.yaml": Self.baseFlags], head: [:])
        // No origin to fetch from, as in a shallow clone whose fetch of the base fails.
        let run = try Self.runAction(in: repository, ["GITHUB_EVENT_NAME": "pull_request", "GITHUB_BASE_REF": "release"])
        #expect(run.status == 1, "\(run)")
        #expect(run.stdout.contains("::error title=flagc diff::the diff base 'origin/release' is not in this clone; fetch the base branch: use actions/checkout with fetch-depth: 0"), "\(run)")
        #expect(run.summary.contains("| diff | ❌ base `origin/release` not found"), "\(run)")
        #expect(run.summary.contains("| validate | ✅ 0 errors, 0 warnings in 1 file |"), "\(run)")
        #expect(run.summary.contains("| test | ➖ no test files (*.test.yaml) |"), "\(run)")
    }

    @Test func anExplicitDiffBaseWorksOutsidePullRequestsAndNoneTurnsTheDiffOff() throws {
        let repository = try Self.pullRequest(
            base: ["flags/demo.yaml": Self.baseFlags],
            head: ["flags/demo.yaml": Self.baseFlags.replacingOccurrences(of: "default: false", with: "default: true")]
        )
        let explicit = try Self.runAction(in: repository, ["GITHUB_EVENT_NAME": "push", "INPUT_DIFF_BASE": "main"])
        #expect(explicit.status == 0, "\(explicit)")
        #expect(explicit.summary.contains("| diff | 1 flag changed against `main` |"), "\(explicit)")
        #expect(explicit.stdout.contains("::warning file=flags/demo.yaml,line=2,col=3,title=flagc diff%3A ~ demo.feature::default 'false' → 'true' (risks: default-changed)"), "\(explicit)")

        let off = try Self.runAction(in: repository, Self.pullRequestEvent.merging(["INPUT_DIFF_BASE": "none"]) { _, new in new })
        #expect(off.status == 0, "\(off)")
        #expect(!off.summary.contains("| diff |"), "\(off)")
        #expect(off.outputs["changed-flags"] == "")
    }

    @Test func aDiffRiskNamedInDiffFailOnFailsTheStep() throws {
        let repository = try Self.pullRequest(
            base: ["flags/demo.yaml": Self.baseFlags + "  demo.old:\n    description: Old\n    owner: team-demo\n    default: false\n"],
            head: ["flags/demo.yaml": Self.baseFlags]
        )
        let shown = try Self.runAction(in: repository, Self.pullRequestEvent)
        #expect(shown.status == 0, "\(shown)")
        #expect(shown.summary.contains("⚠️ `flag-removed`"), "\(shown)")

        let failing = try Self.runAction(in: repository, Self.pullRequestEvent.merging(["INPUT_DIFF_FAIL_ON": "flag-removed,reshuffle"]) { _, new in new })
        #expect(failing.status == 1, "\(failing)")
        #expect(failing.stdout.contains("::error title=flagc diff::the pull request has risks that fail this check (diff-fail-on: flag-removed,reshuffle): flag-removed"), "\(failing)")
        #expect(failing.summary.contains("| diff | ❌ 1 flag changed against `origin/main`, with the risks flag-removed (diff-fail-on) |"), "\(failing)")
        #expect(failing.summary.contains("### - `demo.old`"), "\(failing)")
        #expect(failing.outputs["result"] == "failure")
    }

    /// An expired flag is a warning: it fails the step only when warnings are asked to.
    @Test(arguments: [
        (["INPUT_FAIL_ON": "error"], Int32(0)),
        (["INPUT_FAIL_ON": "warning"], Int32(1)),
        (["INPUT_STRICT": "true"], Int32(1)),
    ])
    func warningsFailOnlyWhenAsked(inputs: [String: String], expectedStatus: Int32) throws {
        let expired = Self.baseFlags + "    expires: 2020-01-01\n"
        let repository = try Self.pullRequest(base: ["flags/demo.yaml": Self.baseFlags], head: ["flags/demo.yaml": expired])
        let run = try Self.runAction(in: repository, inputs.merging(["GITHUB_EVENT_NAME": "push"]) { _, new in new })
        #expect(run.status == expectedStatus, "\(run)")
        #expect(run.stdout.contains("::warning file=flags/demo.yaml,line=6,col=14,title=flagc flag-expired::"), "\(run)")
        #expect(run.outputs["warnings"] == "1")
        #expect(run.summary.contains(expectedStatus == 0 ? "| validate | ✅ 0 errors, 1 warning in 1 file |" : "| validate | ❌ 0 errors, 1 warning in 1 file, warnings fail (strict) |"), "\(run)")
    }

    @Test func textFormatWritesPlainDiagnosticsAndNoSummary() throws {
        let repository = try Self.pullRequest(base: ["flags/demo.yaml": Self.baseFlags], head: ["flags/extra.yaml": "flags:\n  demo.extra:\n    description: x\n    default: false\n"])
        let run = try Self.runAction(in: repository, ["INPUT_FORMATS": "text"])
        #expect(run.status == 1, "\(run)")
        #expect(run.stdout.contains("flags/extra.yaml:2:3: error[missing-metadata]: flag 'demo.extra' has no 'owner'"), "\(run)")
        #expect(!run.stdout.contains("::error"), "\(run)")
        #expect(run.summary == "", "\(run)")
    }

    @Test(arguments: [
        ["INPUT_FAIL_ON": "critical"],
        ["INPUT_STRICT": "sometimes"],
        ["INPUT_FORMATS": "github,sarif"],
    ])
    func aBadInputIsAUsageError(inputs: [String: String]) throws {
        let repository = try Self.pullRequest(base: ["flags/demo.yaml": Self.baseFlags], head: [:])
        let run = try Self.runAction(in: repository, inputs)
        #expect(run.status == 2, "\(run)")
        #expect(run.stdout.hasPrefix("::error title=flagc action::"), "\(run)")
    }
}
