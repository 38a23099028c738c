@testable import FlagCompiler
import Testing

/// Runs every rule's examples: the rule fires on its triggering example and the non-triggering one is clean.
@Suite struct RuleCatalogTests {
    @Test(arguments: RuleCatalog.all.filter { !$0.triggering.isEmpty }.map(\.id))
    func ruleFiresOnItsTriggeringExample(_ id: RuleID) throws {
        let rule = try #require(RuleCatalog.all.first { $0.id == id })
        let result = try TemporaryProject(rule.triggering).compile()
        let fired = result.diagnostics.filter { $0.rule == id }
        #expect(!fired.isEmpty, "rule \(id.rawValue) did not fire; got \(result.diagnostics.map(\.description))")
        for diagnostic in fired {
            #expect(diagnostic.severity == id.defaultSeverity)
            #expect(diagnostic.location != nil, "\(diagnostic) has no line and column")
        }
        if id.defaultSeverity == .error {
            #expect(result.snapshot == nil, "an error must block the snapshot")
        }
    }

    @Test(arguments: RuleCatalog.all.map(\.id))
    func nonTriggeringExampleIsClean(_ id: RuleID) throws {
        let rule = try #require(RuleCatalog.all.first { $0.id == id })
        let result = try TemporaryProject(rule.nonTriggering).compile()
        #expect(result.diagnostics.isEmpty, "expected no diagnostics for \(id.rawValue); got \(result.diagnostics.map(\.description))")
        #expect(result.snapshot != nil)
    }

    @Test func everyRuleHasExamples() {
        #expect(Set(RuleCatalog.all.map(\.id)) == Set(RuleID.allCases))
        // The rules without a triggering example need things a file map cannot hold (an unreadable file, a
        // symbolic link); end-to-end tests (`IntegrityTests`) cover them.
        #expect(RuleCatalog.all.filter { $0.triggering.isEmpty }.map(\.id) == [.fileUnreadable, .symlinkOutside])
    }
}
