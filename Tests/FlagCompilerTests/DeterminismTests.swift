@testable import FlagCompiler
import FlagRuntime
import Foundation
import Testing

/// The same flags give the same bytes and id, whatever the comments, file names, file order or key order.
@Suite struct DeterminismTests {
    static let billing = """
        module: billing
        flags:
          billing.checkout_button_color:
            description: Colour of the checkout button.
            owner: team-growth
            variants: { blue: "#1f6feb", green: "#2da44e", red: "#cf222e" }
            default: blue
            rules:
              - when:
                  tenants: [acme]
                  attributes: { plan: [pro, enterprise], app_version: { semver_gte: 2.4.0, semver_lt: 3.0.0 } }
                  segments: [staff]
                split: { blue: 33, green: 33, red: 34 }
                bucket_by: tenant
        """
    static let segments = "segments:\n  staff:\n    when: { groups: [staff] }\n"

    @Test func compilingTwiceGivesTheSameBytes() throws {
        let project = try TemporaryProject(["flags/billing.yaml": DeterminismTests.billing, "flags/segments.yaml": DeterminismTests.segments])
        let first = try #require(try project.compile().snapshot)
        let second = try #require(try project.compile().snapshot)
        #expect(first.jsonBytes() == second.jsonBytes())
    }

    @Test func commentsFileNamesAndKeyOrderDoNotChangeTheSnapshot() throws {
        let original = try #require(try TemporaryProject(["flags/billing.yaml": DeterminismTests.billing, "flags/segments.yaml": DeterminismTests.segments]).compile().snapshot)
        let reshuffled = DeterminismTests.billing
            .replacingOccurrences(of: "                  tenants: [acme]\n", with: "")
            .replacingOccurrences(of: "                  segments: [staff]\n", with: "                  segments: [staff]  # the staff segment\n                  tenants: [acme]\n")
            .replacingOccurrences(of: "{ semver_gte: 2.4.0, semver_lt: 3.0.0 }", with: "{ semver_lt: 3.0.0, semver_gte: 2.4.0 }")
            .replacingOccurrences(of: "{ plan: [pro, enterprise], app_version:", with: "{ app_version:")
            .replacingOccurrences(of: "semver_gte: 2.4.0 } }", with: "semver_gte: 2.4.0 }, plan: [pro, enterprise] }")
        #expect(reshuffled != DeterminismTests.billing)
        let other = try #require(try TemporaryProject(["flags/z/money.yml": "# moved\n" + reshuffled, "flags/a.yaml": DeterminismTests.segments]).compile().snapshot)
        #expect(other.id == original.id)
        #expect(other.jsonBytes() == original.jsonBytes())
    }

    @Test func aChangedWeightChangesTheID() throws {
        let original = try #require(try TemporaryProject(["flags/billing.yaml": DeterminismTests.billing, "flags/segments.yaml": DeterminismTests.segments]).compile().snapshot)
        let changed = try #require(try TemporaryProject([
            "flags/billing.yaml": DeterminismTests.billing.replacingOccurrences(of: "blue: 33, green: 33", with: "blue: 34, green: 32"),
            "flags/segments.yaml": DeterminismTests.segments,
        ]).compile().snapshot)
        #expect(changed.id != original.id)
    }

    @Test func environmentSpecialisationDropsOtherEnvironments() throws {
        let yaml = RuleCatalog.flag("""
            default: false
            rules:
              - when: { environments: [staging] }
                serve: true
              - when: { environments: [production], users: [ada] }
                serve: true
            """)
        let project = try TemporaryProject(["flags/demo.yaml": yaml])
        let all = try #require(try project.compile().snapshot)
        #expect(all.flags[0].rules.count == 2)
        #expect(all.environment == nil)
        let production = try #require(try project.compile(environment: "production").snapshot)
        #expect(production.environment == "production")
        #expect(production.flags[0].rules == [Rule(conditions: [.attribute(name: "targetingKey", op: .in, operand: .strings(["ada"]))], outcome: .serve(variant: "true"))])
        #expect(production.id != all.id)
    }

    @Test func segmentsAreInlinedAndDecidedForTheEnvironment() throws {
        let yaml = RuleCatalog.flag("""
            default: false
            rules:
              - when: { segments: [outer] }
                serve: true
            """) + """
            segments:
              outer:
                when: { segments: [staging_only, staff] }
              staging_only:
                when: { environments: [staging] }
              staff:
                when: { groups: [staff] }
            """
        let project = try TemporaryProject(["flags/demo.yaml": yaml])
        let all = try #require(try project.compile().snapshot)
        let staff = ResolvedSegment(name: "staff", conditions: [.attribute(name: "groups", op: .intersects, operand: .strings(["staff"]))])
        #expect(all.flags[0].rules[0].conditions == [.segments([ResolvedSegment(name: "outer", conditions: [
            .segments([ResolvedSegment(name: "staging_only", conditions: [.environment(["staging"])]), staff]),
        ])])])
        // In staging the inner segment always matches, so the whole rule matches everyone.
        let staging = try #require(try project.compile(environment: "staging").snapshot)
        #expect(staging.flags[0].rules[0].conditions.isEmpty)
        // In production only the staff segment is left.
        let production = try #require(try project.compile(environment: "production").snapshot)
        #expect(production.flags[0].rules[0].conditions == [.segments([ResolvedSegment(name: "outer", conditions: [.segments([staff])])])])
    }

    @Test func rulesDocumentationListsEveryRule() throws {
        let doc = try String(contentsOf: packageRoot.appendingPathComponent("docs/flag-format.md"), encoding: .utf8)
        for rule in RuleID.allCases {
            #expect(doc.contains("| `\(rule.rawValue)` |"), "docs/flag-format.md does not list \(rule.rawValue)")
        }
    }
}
