import Foundation
import Testing

/// `scripts/gitlab-codequality.py`, which turns flagc's JSON reports into GitLab's Code Quality format (the GitLab CI
/// job of docs/ci.md), run on real `flagc validate` and `flagc test` output. Needs python3 on PATH; prints SKIPPED
/// without it.
@Suite struct GitLabCodeQualityTests {
    static let script = ScriptProcess.repositoryRoot.appendingPathComponent("scripts/gitlab-codequality.py")

    static var hasPython: Bool {
        (try? ScriptProcess.run(["python3", "--version"], in: URL(fileURLWithPath: "/")))?.status == 0
    }

    /// Runs the converter on `reports` (files in the sandbox) and parses the array it writes.
    static func convert(_ reports: [String], in sandbox: Sandbox) throws -> (ScriptRun, [[String: Any]]) {
        let run = try ScriptProcess.run(["python3", script.path] + reports + ["--output", "gl-code-quality-report.json"], in: sandbox.root)
        guard run.status == 0 else { return (run, []) }
        let parsed = try JSONSerialization.jsonObject(with: try sandbox.contents("gl-code-quality-report.json"))
        return (run, try #require(parsed as? [[String: Any]], "not an array: \(parsed)"))
    }

    @Test func validateAndTestReportsBecomeCodeQualityIssues() throws {
        guard Self.hasPython else { return print("SKIPPED: GitLabCodeQualityTests: no python3 on PATH") }
        try withSandbox { sandbox in
            try sandbox.write("flags/demo.yaml", booleanFlag("demo.feature") + "  demo.other:\n    description: No owner\n    default: false\n  demo.twin:\n    description: No owner either\n    default: false\n")
            let validate = try sandbox.flagc(["validate", "flags", "--format", "json"] + fixedNow)
            #expect(validate.status == 1, "\(validate)")
            try sandbox.write("validate.json", validate.stdout)
            try sandbox.write("tests/demo.yaml", booleanFlag("demo.feature"))
            try sandbox.write("tests/demo.test.yaml", "tests:\n  - name: on\n    flag: demo.feature\n    expect: { value: true }\n")
            let test = try sandbox.flagc(["test", "tests", "--format", "json"] + fixedNow)
            #expect(test.status == 1, "\(test)")
            try sandbox.write("test.json", test.stdout)

            let (run, issues) = try Self.convert(["validate.json", "test.json"], in: sandbox)
            #expect(run.status == 0, "\(run)")
            #expect(issues.count == 3, "\(issues)")
            let first = try #require(issues.first)
            #expect(first["check_name"] as? String == "missing-metadata")
            #expect(first["severity"] as? String == "major")
            #expect((first["description"] as? String)?.hasPrefix("missing-metadata: flag 'demo.other' has no 'owner'") == true)
            let location = try #require(first["location"] as? [String: Any])
            #expect(location["path"] as? String == "flags/demo.yaml")
            #expect((location["lines"] as? [String: Any])?["begin"] as? Int == 6)
            let last = try #require(issues.last)
            #expect(last["check_name"] as? String == "flagc-test")
            #expect(last["description"] as? String == "test 'on' (demo.feature) failed: value: expected true, got false")
            #expect(((last["location"] as? [String: Any])?["lines"] as? [String: Any])?["begin"] as? Int == 2)
            // Every fingerprint is distinct, and stays the same when the lines move.
            let fingerprints = issues.compactMap { $0["fingerprint"] as? String }
            #expect(Set(fingerprints).count == 3)
            try sandbox.write("flags/demo.yaml", "# a comment that moves every line\n" + (try String(contentsOf: sandbox.url("flags/demo.yaml"), encoding: .utf8)))
            try sandbox.write("validate.json", try sandbox.flagc(["validate", "flags", "--format", "json"] + fixedNow).stdout)
            let (_, moved) = try Self.convert(["validate.json"], in: sandbox)
            #expect(moved.compactMap { $0["fingerprint"] as? String } == Array(fingerprints.prefix(2)))
        }
    }

    @Test func aCleanTreeIsAnEmptyReportAndOtherJSONIsRefused() throws {
        guard Self.hasPython else { return print("SKIPPED: GitLabCodeQualityTests: no python3 on PATH") }
        try withSandbox { sandbox in
            try sandbox.write("flags/demo.yaml", booleanFlag())
            try sandbox.write("validate.json", try sandbox.flagc("validate", "flags", "--format", "json").stdout)
            let (run, issues) = try Self.convert(["validate.json"], in: sandbox)
            #expect(run.status == 0, "\(run)")
            #expect(issues.isEmpty)

            try sandbox.write("other.json", "{\"diagnostics\": []}")
            let (refused, _) = try Self.convert(["other.json"], in: sandbox)
            #expect(refused.status == 2, "\(refused)")
            #expect(refused.stderr.contains("not a flagc JSON report"), "\(refused)")
        }
    }
}
