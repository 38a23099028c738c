import Foundation
@testable import FlagCompiler
import FlagRuntime
import Testing

/// Golden tests: the exact diagnostics (rule, line, column, message) for a corpus of broken files, and the
/// compiled snapshot of the repository's own `flags/`.
@Suite struct GoldenTests {
    /// Every rule's triggering example, compiled separately and reported together, as `flagc validate` prints them.
    @Test func ruleExamplesDiagnostics() throws {
        var output = ""
        for rule in RuleCatalog.all {
            let result = try TemporaryProject(example: rule.triggering).compile()
            output += "## \(rule.id.rawValue)\n"
            output += DiagnosticFormatter(format: .text).report(result.diagnostics, fileCount: result.files.count)
        }
        try expectGolden(output, file: fixturesRoot.appendingPathComponent("rule-examples.diagnostics.txt"))
    }

    /// A folder of broken files with many problems each: every problem in every file is reported, in order.
    @Test func brokenCorpusDiagnostics() throws {
        let corpus = fixturesRoot.appendingPathComponent("broken")
        let files = try FileManager.default.contentsOfDirectory(atPath: corpus.path).sorted()
        var contents: [String: String] = [:]
        for file in files {
            contents["flags/\(file)"] = try String(contentsOf: corpus.appendingPathComponent(file), encoding: .utf8)
        }
        let result = try TemporaryProject(contents).compile()
        #expect(result.snapshot == nil)
        let text = DiagnosticFormatter(format: .text).report(result.diagnostics, fileCount: result.files.count)
        try expectGolden(text, file: fixturesRoot.appendingPathComponent("broken.diagnostics.txt"))
        let json = DiagnosticFormatter(format: .json).report(result.diagnostics, fileCount: result.files.count)
        try expectGolden(json, file: fixturesRoot.appendingPathComponent("broken.diagnostics.json"))
        let github = DiagnosticFormatter(format: .github).report(result.diagnostics, fileCount: result.files.count)
        try expectGolden(github, file: fixturesRoot.appendingPathComponent("broken.diagnostics.github.txt"))
    }

    /// The snapshot of the repository's `flags/`, for all environments and for production.
    @Test(arguments: [nil, "production"] as [String?])
    func exampleFlagsSnapshot(environment: String?) throws {
        let flags = packageRoot.appendingPathComponent("flags").path
        let result = try FlagCompiler(options: .init(paths: [flags], environment: environment, now: Timestamp.parseDateTime("2026-11-21T00:00:00Z"))).compile()
        #expect(result.diagnostics.isEmpty, "flags/ must compile cleanly: \(result.diagnostics.map(\.description))")
        let snapshot = try #require(result.snapshot)
        let name = environment.map { "flags.\($0).snapshot.json" } ?? "flags.snapshot.json"
        try expectGolden(String(decoding: snapshot.jsonBytes(), as: UTF8.self), file: fixturesRoot.appendingPathComponent(name))
    }
}
