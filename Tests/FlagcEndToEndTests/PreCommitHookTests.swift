import Foundation
import GitTestSupport
import Testing

/// The hooks of `.pre-commit-hooks.yaml`, run by the real pre-commit (PyPI) on a scratch repository that uses them
/// from a repository holding this checkout's hook file. `.ci/run` installs pre-commit in its venv and sets
/// FLAGC_PRE_COMMIT; without it these tests print SKIPPED and pass.
///
/// They run the `language: system` hooks with the built flagc on PATH. The `language: swift` hooks make pre-commit
/// build this package in release mode (minutes), so they run only with FLAGC_PRE_COMMIT_SWIFT_BUILD=1 (docs/ci.md).
@Suite(.serialized) struct PreCommitHookTests {
    static var preCommit: String? {
        ProcessInfo.processInfo.environment["FLAGC_PRE_COMMIT"].flatMap { $0.isEmpty ? nil : $0 }
    }

    static func skipped(_ test: String, _ reason: String) {
        print("SKIPPED: PreCommitHookTests.\(test): \(reason)")
    }

    /// A flag repository: two flag files, one using a segment the other declares, and a test file.
    static let flagFiles = [
        "flags/segments.yaml": "segments:\n  staff:\n    description: Employees\n    when: { groups: [staff] }\n",
        "flags/demo.yaml": """
            flags:
              demo.feature:
                description: Demo flag
                owner: team-demo
                default: false
                rules:
                  - when: { segments: [staff] }
                    serve: true

            """,
        "flags/demo.test.yaml": """
            tests:
              - name: staff get it
                flag: demo.feature
                context: { targetingKey: u1, groups: [staff] }
                expect: { value: true }

            """,
    ]

    /// A repository at `hooks` whose one commit holds this checkout's `.pre-commit-hooks.yaml`, so pre-commit can clone
    /// it at a rev: the hook file as it is in the working tree, committed or not.
    static func hookRepository() throws -> (GitRepository, rev: String) {
        let repository = try GitRepository()
        let manifest = try String(contentsOf: ScriptProcess.repositoryRoot.appendingPathComponent(".pre-commit-hooks.yaml"), encoding: .utf8)
        try repository.write(".pre-commit-hooks.yaml", manifest)
        return (repository, try repository.commit("Hooks"))
    }

    static func config(repository: String, rev: String, hooks: [String]) -> String {
        "repos:\n  - repo: \(repository)\n    rev: \(rev)\n    hooks:\n" + hooks.map { "      - id: \($0)\n" }.joined()
    }

    /// Runs `pre-commit run ARGUMENTS` in `repository`, with its own cache and (unless `builtFlagcOnPath` is false)
    /// the built flagc first on PATH.
    static func preCommitRun(_ preCommit: String, _ arguments: [String], in repository: GitRepository, home: URL, builtFlagcOnPath: Bool = true, timeout: TimeInterval = 120) throws -> ScriptRun {
        var path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        if builtFlagcOnPath { path = try Flagc.executable().deletingLastPathComponent().path + ":" + path }
        return try ScriptProcess.run([preCommit, "run"] + arguments, in: repository.url, environment: [
            "PRE_COMMIT_HOME": home.path,
            "PATH": path,
        ], timeout: timeout)
    }

    @Test func theSystemHooksPassAGoodTreeAndFailABrokenOneAtItsLine() throws {
        guard let preCommit = Self.preCommit else {
            return Self.skipped(#function, "FLAGC_PRE_COMMIT is not set (.ci/run installs pre-commit and sets it)")
        }
        let (hooks, rev) = try Self.hookRepository()
        let project = try GitRepository()
        for (path, text) in Self.flagFiles { try project.write(path, text) }
        try project.write(".pre-commit-config.yaml", Self.config(repository: hooks.path, rev: rev, hooks: ["flagc-validate-system", "flagc-test-system"]))
        try project.commit("Flags")
        let home = try Sandbox()
        defer { home.remove() }

        let good = try Self.preCommitRun(preCommit, ["--all-files"], in: project, home: home.root)
        #expect(good.status == 0, "\(good)")
        #expect(good.stdout.contains("flagc validate") && good.stdout.contains("Passed"), "\(good)")

        // Only demo.yaml is handed to pre-commit, but the hook validates the whole tree, so the segment it uses from
        // segments.yaml is found (flagc validate flags/demo.yaml alone reports unknown-segment).
        let oneFile = try Self.preCommitRun(preCommit, ["--files", "flags/demo.yaml"], in: project, home: home.root)
        #expect(oneFile.status == 0, "\(oneFile)")
        #expect(!oneFile.stdout.contains("unknown-segment"), "\(oneFile)")

        try project.write("flags/demo.yaml", Self.flagFiles["flags/demo.yaml"]!.replacingOccurrences(of: "    owner: team-demo\n", with: ""))
        try project.git("add", "--all")
        let broken = try Self.preCommitRun(preCommit, ["--all-files"], in: project, home: home.root)
        #expect(broken.status == 1, "\(broken)")
        #expect(broken.stdout.contains("flags/demo.yaml:2:3: error[missing-metadata]: flag 'demo.feature' has no 'owner'"), "\(broken)")
        #expect(broken.stdout.contains("Failed"), "\(broken)")
    }

    @Test func theTestHookFailsAFailingCaseAtItsLine() throws {
        guard let preCommit = Self.preCommit else {
            return Self.skipped(#function, "FLAGC_PRE_COMMIT is not set (.ci/run installs pre-commit and sets it)")
        }
        let (hooks, rev) = try Self.hookRepository()
        let project = try GitRepository()
        for (path, text) in Self.flagFiles { try project.write(path, text) }
        try project.write("flags/demo.test.yaml", Self.flagFiles["flags/demo.test.yaml"]!.replacingOccurrences(of: "value: true", with: "value: false"))
        try project.write(".pre-commit-config.yaml", Self.config(repository: hooks.path, rev: rev, hooks: ["flagc-test-system"]))
        try project.commit("Flags")
        let home = try Sandbox()
        defer { home.remove() }

        let run = try Self.preCommitRun(preCommit, ["--all-files"], in: project, home: home.root)
        #expect(run.status == 1, "\(run)")
        #expect(run.stdout.contains("flags/demo.test.yaml:2:5: fail: staff get it"), "\(run)")
    }

    /// The `language: swift` hook: pre-commit clones this checkout's HEAD (with the working tree's hook file
    /// committed on top) and builds the package in release mode before the first run.
    @Test func theSwiftHookBuildsFlagcAndValidates() throws {
        guard let preCommit = Self.preCommit else {
            return Self.skipped(#function, "FLAGC_PRE_COMMIT is not set (.ci/run installs pre-commit and sets it)")
        }
        guard ProcessInfo.processInfo.environment["FLAGC_PRE_COMMIT_SWIFT_BUILD"] == "1" else {
            return Self.skipped(#function, "the language: swift hook builds flagc in release mode (minutes); FLAGC_PRE_COMMIT_SWIFT_BUILD=1 runs it")
        }
        let clones = try Sandbox()
        defer { clones.remove() }
        let checkout = clones.url("flagc")
        try GitRepository.git(["clone", "--quiet", ScriptProcess.repositoryRoot.path, checkout.path], in: clones.root)
        let manifest = try Data(contentsOf: ScriptProcess.repositoryRoot.appendingPathComponent(".pre-commit-hooks.yaml"))
        try manifest.write(to: checkout.appendingPathComponent(".pre-commit-hooks.yaml"))
        try GitRepository.git(["add", ".pre-commit-hooks.yaml"], in: checkout)
        try GitRepository.git(["commit", "--quiet", "--allow-empty", "--message", "The working tree's hook file"], in: checkout)
        let rev = try GitRepository.git(["rev-parse", "HEAD"], in: checkout)

        let project = try GitRepository()
        for (path, text) in Self.flagFiles { try project.write(path, text) }
        try project.write(".pre-commit-config.yaml", Self.config(repository: checkout.path, rev: rev, hooks: ["flagc-validate"]))
        try project.commit("Flags")
        // Without the built flagc on PATH, so what runs is pre-commit's own build.
        let home = clones.url("pre-commit-home")
        let run = try Self.preCommitRun(preCommit, ["--all-files"], in: project, home: home, builtFlagcOnPath: false, timeout: 1_800)
        #expect(run.status == 0, "\(run)")
        #expect(run.stdout.contains("flagc validate") && run.stdout.contains("Passed"), "\(run)")

        try project.write("flags/segments.yaml", "segments: {}\n")
        try project.git("add", "--all")
        let broken = try Self.preCommitRun(preCommit, ["--all-files"], in: project, home: home, builtFlagcOnPath: false)
        #expect(broken.status == 1, "\(broken)")
        #expect(broken.stdout.contains("flags/demo.yaml:7:28: error[unknown-segment]: segment 'staff' is not defined"), "\(broken)")
    }
}
