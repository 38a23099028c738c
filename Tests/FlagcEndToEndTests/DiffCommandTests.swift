import FlagRuntime
import Foundation
import GitTestSupport
import Testing

/// End-to-end tests of `flagc diff` on real git repositories built here, with fixed commit dates (so revision ids,
/// labels and the golden outputs are the same on every machine).
@Suite(.serialized) struct DiffCommandTests {
    static let now = ["--now", "2026-06-01T00:00:00Z"]
    static let config = "environments: [staging, production]\n"

    static let baseBilling = """
        flags:
          billing.invoice_auto_generate:
            description: Generate invoices automatically
            owner: team-billing
            default: false
            rules:
              - name: pilot tenants
                when: { tenants: [acme, globex] }
                serve: true
              - rollout: 10
          billing.retry_limit:
            description: Payment retries
            owner: team-billing
            variants: { low: 2, high: 5 }
            default: low
          billing.legacy_export:
            description: The old CSV export
            owner: team-billing
            default: true

        """
    static let baseUI = """
        flags:
          ui.checkout_button_color:
            description: Checkout button colour
            owner: team-ui
            variants: { blue: "#1f6feb", green: "#2da44e", red: "#cf222e" }
            default: blue
            rules:
              - when: { groups: [staff] }
                serve: green
              - split: { blue: 25, green: 25, red: 50 }
          ui.dark_mode:
            description: Dark mode
            owner: team-ui
            default: false
            rules:
              - when: { environments: [staging] }
                serve: true
              - rollout: 50

        """
    static let headBilling = """
        flags:
          billing.invoice_auto_generate:
            description: Generate invoices automatically
            owner: team-billing
            default: false
            rules:
              - name: staff
                when: { groups: [staff] }
                serve: true
              - name: pilot tenants
                when: { tenants: [acme, initech, umbrella] }
                serve: true
              - rollout: 25
          billing.retry_limit:
            description: Payment retries
            owner: team-payments
            variants: { low: 3, high: 5 }
            default: high
          billing.instant_payouts:
            description: Instant payouts
            owner: team-billing
            default: false

        """
    static let headUI = """
        flags:
          ui.checkout_button_color:
            description: Checkout button colour
            owner: team-ui
            variants: { blue: "#1f6feb", green: "#2da44e" }
            default: blue
            rules:
              - split: { blue: 50, green: 50 }
              - when: { groups: [staff] }
                serve: green
          ui.dark_theme:
            description: Dark mode
            owner: team-ui
            default: false
            rules:
              - when: { environments: [staging, production] }
                serve: true
              - rollout: 50

        """

    /// A repository with the base at `base`, the head at `head`, and a third commit that only reformats.
    static func repository() throws -> (GitRepository, base: String, head: String, reformatted: String) {
        let repository = try GitRepository()
        try repository.write("flags/flagc.yaml", config)
        try repository.write("flags/billing.yaml", baseBilling)
        try repository.write("flags/ui.yaml", baseUI)
        let base = try repository.commit("Base flags", date: "2026-01-01T00:00:00Z")
        try repository.write("flags/billing.yaml", headBilling)
        try repository.write("flags/ui.yaml", headUI)
        let head = try repository.commit("Change flags", date: "2026-01-02T00:00:00Z")
        // Comments, another layout, and a flag moved to a file of its own: nothing changes.
        try repository.write("flags/billing.yaml", "# Billing flags\n" + headBilling.replacingOccurrences(of: "variants: { low: 3, high: 5 }", with: "variants:\n      low: 3\n      high: 5"))
        let instant = "flags:\n  billing.instant_payouts:\n    owner: team-billing\n    description: Instant payouts\n    default: false\n"
        try repository.write("flags/billing.yaml", (try String(contentsOf: repository.url.appendingPathComponent("flags/billing.yaml"), encoding: .utf8))
            .replacingOccurrences(of: "  billing.instant_payouts:\n    description: Instant payouts\n    owner: team-billing\n    default: false\n", with: ""))
        try repository.write("flags/payouts.yaml", instant)
        let reformatted = try repository.commit("Reformat", date: "2026-01-03T00:00:00Z")
        return (repository, base, head, reformatted)
    }

    static func diff(_ repository: GitRepository, _ arguments: [String]) throws -> FlagcRun {
        try Flagc.run(["diff"] + arguments + now, in: repository.url)
    }

    /// Compares with `Fixtures/diff/NAME`; RECORD_SNAPSHOTS=1 rewrites it.
    static func expectGolden(_ actual: String, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        try FlagcEndToEndTests.expectGolden(actual, fixture: "diff/\(name)", sourceLocation: sourceLocation)
    }

    @Test(arguments: ["text", "markdown", "json", "github"])
    func everyKindOfChangeInEveryFormat(_ format: String) throws {
        let (repository, base, head, _) = try Self.repository()
        let run = try Self.diff(repository, [base, head, "--format", format])
        #expect(run.status == 0, "\(run)")
        #expect(run.stderr.isEmpty, "\(run)")
        try Self.expectGolden(run.stdout, "changes.\(format == "github" ? "github.txt" : format == "markdown" ? "md" : format == "json" ? "json" : "txt")")
        #expect(try Self.diff(repository, [base, head, "--format", format]).stdout == run.stdout, "deterministic")
    }

    @Test func theOutputNamesWhatChanged() throws {
        let (repository, base, head, _) = try Self.repository()
        let text = try Self.diff(repository, [base, head]).stdout
        for expected in [
            "7 flags changed: 2 added, 2 removed, 1 renamed, 3 modified",
            "→ ui.dark_theme (renamed from ui.dark_mode) [staging]",
            "reshuffle: seed 'ui.dark_mode' → 'ui.dark_theme'",
            "rule 1 \"staff\" added",
            "tenant in +2 (initech, umbrella), −1 (globex)",
            "15.00 % of the rule's audience changes variant (exact): false → true 15.00 %",
            "variant 'red' removed",
                        "default 'low' (2) → 'high' (5)",
        ] {
            #expect(text.contains(expected), "missing \(expected) in\n\(text)")
        }
    }

    @Test func formattingCommentsAndMovesAreNoChange() throws {
        let (repository, _, head, reformatted) = try Self.repository()
        let run = try Self.diff(repository, [head, reformatted])
        #expect(run.status == 0, "\(run)")
        #expect(run.stdout.contains("no flag changed"), "\(run)")
        let json = try JSONValue(parsing: try Self.diff(repository, [head, reformatted, "--format", "json"]).stdout)
        #expect(json["base"]?["id"] == json["head"]?["id"])
    }

    @Test func theWorkingTreeIsTheDefaultHeadAndNothingIsCheckedOut() throws {
        let (repository, base, _, _) = try Self.repository()
        try repository.write("flags/ui.yaml", Self.baseUI.replacingOccurrences(of: "rollout: 50", with: "rollout: 60"))
        let status = try repository.git("status", "--porcelain")
        let run = try Self.diff(repository, [base])
        #expect(run.status == 0, "\(run)")
        #expect(run.stdout.contains("working tree"), "\(run)")
        #expect(run.stdout.contains("rollout") || run.stdout.contains("split true 50.00 %, false 50.00 % → split true 60.00 %"), "\(run)")
        #expect(try repository.git("status", "--porcelain") == status, "the work tree and index are untouched")
    }

    @Test func failOnTurnsRisksIntoAFailingExit() throws {
        let (repository, base, head, _) = try Self.repository()
        let failing = try Self.diff(repository, [base, head, "--fail-on", "flag-removed,reshuffle"])
        #expect(failing.status == 1, "\(failing)")
        #expect(failing.stderr.contains("--fail-on: flag-removed"), "\(failing)")
        #expect(try Self.diff(repository, [base, head, "--fail-on", "type-changed"]).status == 0)
        let unknown = try Self.diff(repository, [base, head, "--fail-on", "flag-gone"])
        #expect(unknown.status == 2 && unknown.stderr.contains("is not a risk id"), "\(unknown)")
    }

    @Test func aBrokenHeadFailsAndABrokenBaseIsCompared() throws {
        let (repository, base, head, _) = try Self.repository()
        try repository.write("flags/ui.yaml", Self.headUI.replacingOccurrences(of: "default: blue", with: "default: purple"))
        let brokenHead = try repository.commit("Break", date: "2026-01-04T00:00:00Z")
        let failing = try Self.diff(repository, [head, brokenHead])
        #expect(failing.status == 1, "\(failing)")
        #expect(failing.stdout.contains("flags/ui.yaml:"), "reported as validate reports it: \(failing)")
        let repaired = try Self.diff(repository, [brokenHead, head])
        #expect(repaired.status == 0, "\(repaired)")
        #expect(repaired.stderr.contains("warning: the base"), "\(repaired)")
        #expect(repaired.stdout.contains("+ ui.checkout_button_color"), "the broken flag reads as added: \(repaired)")
        _ = base
    }

    @Test func usageErrors() throws {
        let (repository, base, _, _) = try Self.repository()
        let unknown = try Self.diff(repository, ["orgin/main"])
        #expect(unknown.status == 2 && unknown.stderr.contains("orgin/main"), "\(unknown)")
        let outside = FileManager.default.temporaryDirectory.appendingPathComponent("flagc-not-a-repo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: outside) }
        let notARepository = try Flagc.run(["diff", "main"], in: outside)
        #expect(notARepository.status == 2 && notARepository.stderr.lowercased().contains("repository"), "\(notARepository)")
        let environment = try Self.diff(repository, [base, "--env", "prod"])
        #expect(environment.status == 2 && environment.stderr.contains("staging, production"), "\(environment)")
        let none = try Self.diff(repository, [])
        #expect(none.status == 2, "\(none)")
        let typo = try Self.diff(repository, [base, "--config", "flags/flagc.yml"])
        #expect(typo.status == 2 && typo.stderr.contains("exists on neither side"), "\(typo)")
    }

    @Test func populationCountsWhoChanges() throws {
        let (repository, base, head, _) = try Self.repository()
        let lines = (0..<2_000).map { "{\"targetingKey\": \"user-\($0)\", \"tenant\": \"\(["acme", "globex", "initech", "hooli"][$0 % 4])\"}" }
        try repository.write("population.jsonl", lines.joined(separator: "\n") + "\n")
        let run = try Self.diff(repository, [base, head, "--population", "population.jsonl", "--env", "production", "--format", "json"])
        #expect(run.status == 0, "\(run)")
        let json = try JSONValue(parsing: run.stdout)
        #expect(json["populationSize"] == 2_000)
        guard case .array(let flags)? = json["flags"],
              let invoice = flags.first(where: { $0["key"] == "billing.invoice_auto_generate" }),
              case .integer(let changed)? = invoice["population"]?["changed"] else {
            Issue.record("no population figure: \(run.stdout.prefix(2_000))")
            return
        }
        // Of 500 contexts each: globex leaves the pilot (75 % of them then miss the 25 % rollout: 375), initech joins it
        // (90 % had not been in the 10 % rollout: 450), hooli stays in the rollout (10 → 25 %: 75), acme keeps the
        // pilot. About 900, give or take the sampling.
        #expect(changed > 800 && changed < 1_000, "\(changed)")
    }
}
