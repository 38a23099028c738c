import Foundation
@testable import FlagCompiler
import Testing

/// Runs every rule's examples: the rule fires on its triggering example and the non-triggering one is clean.
@Suite struct RuleCatalogTests {
    /// Rules that discovery reports about a path as a whole, with no line and column.
    static let pathRules: Set<RuleID> = [.fileUnreadable, .symlinkOutside]

    @Test(arguments: RuleCatalog.all.map(\.id))
    func ruleFiresOnItsTriggeringExample(_ id: RuleID) throws {
        let rule = try #require(RuleCatalog.all.first { $0.id == id })
        let result = try TemporaryProject(example: rule.triggering).compile()
        let fired = result.diagnostics.filter { $0.rule == id }
        #expect(!fired.isEmpty, "rule \(id.rawValue) did not fire; got \(result.diagnostics.map(\.description))")
        for diagnostic in fired {
            #expect(diagnostic.severity == id.defaultSeverity)
            if !Self.pathRules.contains(id) {
                #expect(diagnostic.location != nil, "\(diagnostic) has no line and column")
            }
        }
        if id.defaultSeverity == .error {
            #expect(result.snapshot == nil, "an error must block the snapshot")
        }
    }

    @Test(arguments: RuleCatalog.all.map(\.id))
    func nonTriggeringExampleIsClean(_ id: RuleID) throws {
        let rule = try #require(RuleCatalog.all.first { $0.id == id })
        let result = try TemporaryProject(example: rule.nonTriggering).compile()
        #expect(result.diagnostics.isEmpty, "expected no diagnostics for \(id.rawValue); got \(result.diagnostics.map(\.description))")
        #expect(result.snapshot != nil)
    }

    @Test(arguments: RuleID.allCases)
    func everyRuleHasExactlyOneDescription(_ id: RuleID) {
        #expect(RuleCatalog.all.filter { $0.id == id }.count == 1, "\(id.rawValue) must be described once in RuleCatalog.all")
    }

    @Test func catalogIsSortedAndEveryRuleHasAFailingExample() {
        #expect(RuleCatalog.all.map(\.id) == RuleID.allCases.sorted())
        #expect(RuleCatalog.all.filter { $0.triggering.isEmpty }.map(\.id) == [])
    }

    /// `checkedIn` names exactly the source files that mention the rule's case (`.keyNaming`), outside the
    /// rule list itself (`RuleID.swift`) and the catalog.
    @Test(arguments: RuleCatalog.all.map(\.id))
    func checkedInNamesTheFilesThatReportTheRule(_ id: RuleID) throws {
        let rule = try #require(RuleCatalog.all.first { $0.id == id })
        let sources = packageRoot.appendingPathComponent("Sources/FlagCompiler")
        let mention = try Regex("\\.\(String(describing: id))\\b")
        var reporting: Set<String> = []
        for path in try FileManager.default.subpathsOfDirectory(atPath: sources.path) where path.hasSuffix(".swift") && !["Diagnostics/RuleID.swift", "Validation/RuleCatalog.swift"].contains(path) {
            let text = try String(contentsOf: sources.appendingPathComponent(path), encoding: .utf8)
            if text.contains(mention) { reporting.insert(path) }
        }
        #expect(Set(rule.checkedIn) == reporting, "\(id.rawValue): checkedIn is \(rule.checkedIn), the files that report it are \(reporting.sorted())")
        #expect(Set(rule.checkedIn).count == rule.checkedIn.count)
        if rule.checkedIn.contains(where: { $0.hasPrefix("Validation/") }) {
            let camel = id.rawValue.split(separator: "-").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
            #expect(rule.checkedIn == ["Validation/Rules/\(camel).swift"], "a cross-file rule has one file, named after its id")
        }
    }
}
