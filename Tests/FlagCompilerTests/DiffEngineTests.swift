@testable import FlagCompiler
import FlagRuntime
import Testing

/// The diff engine on in-memory sides: what is a change, how rules pair, and impact figures checked against
/// evaluating 100,000 generated keys through `FlagStore`.
@Suite struct DiffEngineTests {
    static let now = Timestamp.parseDateTime("2026-06-01T00:00:00Z")!

    static func flagFile(_ body: String, key: String = "demo.feature") -> String {
        let indented = body.split(separator: "\n", omittingEmptySubsequences: false).map { $0.isEmpty ? "" : "    " + $0 }.joined(separator: "\n")
        return "flags:\n  \(key):\n    description: Demo flag\n    owner: team-demo\n\(indented)\n"
    }

    static func side(_ files: [String: String], config: String? = nil, environments: [String]? = nil) -> DiffSide {
        FlagCompiler(options: .init(paths: [], now: now)).compileSide(
            label: "side", revision: nil,
            sources: files.sorted { $0.key < $1.key }.map { FlagCompiler.SourceText(path: $0.key, bytes: Array($0.value.utf8)) },
            configSource: config.map { FlagCompiler.SourceText(path: "flags/flagc.yaml", bytes: Array($0.utf8)) }, environments: environments)
    }

    static func diff(_ base: [String: String], _ head: [String: String], config: String? = nil) -> FlagDiff {
        let environments = FlagCompiler.declaredEnvironments(in: config.map { FlagCompiler.SourceText(path: "flags/flagc.yaml", bytes: Array($0.utf8)) })
        return FlagDiffer(environments: environments).diff(side(base, config: config), side(head, config: config))
    }

    // MARK: No semantic change

    @Test func formattingCommentsKeyOrderAndFileMovesAreNoChange() {
        let base = ["flags/a.yaml": Self.flagFile("default: false\nrules:\n  - when: { tenants: [acme, globex] }\n    serve: true", key: "demo.one")
                        + "  demo.two:\n    owner: team-demo\n    description: Two\n    default: true\n"]
        let head = [
            "flags/one.yaml": "# moved into its own file\nflags:\n  demo.one:\n    owner:    team-demo\n    default: false\n    description: Demo flag\n    rules:\n      - serve: true\n        when:\n          tenants:\n            - acme\n            - globex\n",
            "flags/two.yaml": "flags:\n  demo.two: { description: Two, owner: team-demo, default: true }\n",
        ]
        let diff = Self.diff(base, head)
        #expect(diff.flags.isEmpty, "\(diff.flags)")
        #expect(diff.base.id == diff.head.id)
    }

    // MARK: Rules

    @Test func insertingARuleAtTheTopIsOneInsertion() {
        let rules = "  - when: { tenants: [acme] }\n    serve: true\n  - when: { groups: [staff] }\n    serve: true\n"
        let base = ["flags/a.yaml": Self.flagFile("default: false\nrules:\n" + rules)]
        let head = ["flags/a.yaml": Self.flagFile("default: false\nrules:\n  - when: { users: [ada] }\n    serve: true\n" + rules)]
        let change = Self.diff(base, head).flags
        #expect(change.count == 1)
        #expect(change.first?.changes.map(\.kind) == ["rule-added"], "\(change)")
        #expect(change.first?.changes.first?.rule == 0)
        #expect(change.first?.risks == [.audienceWidened])
    }

    @Test func reorderedRulesAreMovesAndListMembersAreCounted() {
        let base = ["flags/a.yaml": Self.flagFile("default: false\nrules:\n  - name: a\n    when: { tenants: [acme, globex, initech] }\n    serve: true\n  - name: b\n    when: { groups: [staff] }\n    serve: false")]
        let head = ["flags/a.yaml": Self.flagFile("default: false\nrules:\n  - name: b\n    when: { groups: [staff] }\n    serve: false\n  - name: a\n    when: { tenants: [acme, umbrella, hooli] }\n    serve: true")]
        let fields = Self.diff(base, head).flags.first?.changes ?? []
        #expect(fields.map(\.kind).sorted() == ["condition-changed", "rule-moved"], "\(fields)")
        let members = fields.first { $0.kind == "condition-changed" }
        #expect(members?.summary == "rule 2 \"a\": tenant in +2 (umbrella, hooli), −2 (globex, initech)")
        #expect(members?.before == ["globex", "initech"] && members?.after == ["umbrella", "hooli"])
    }

    // MARK: Flags

    @Test func fieldsVariantsRenamesAndRisks() {
        let base = [
            "flags/a.yaml": Self.flagFile("variants: { blue: blue, green: green, red: red }\ndefault: blue\nexpires: 2026-12-31T00:00:00Z", key: "ui.color")
                + "  ui.old_name:\n    description: Demo flag\n    owner: team-demo\n    default: false\n    rules:\n      - rollout: 30\n"
                + "  ui.gone:\n    description: Gone\n    owner: team-demo\n    default: false\n",
        ]
        let head = [
            "flags/a.yaml": Self.flagFile("enabled: false\nvariants: { blue: navy, green: green }\ndefault: green\nexpires: 2027-01-31T00:00:00Z", key: "ui.color")
                .replacingOccurrences(of: "owner: team-demo", with: "owner: team-ui")
                + "  ui.new_name:\n    description: Demo flag\n    owner: team-demo\n    default: false\n    rules:\n      - rollout: 30\n",
        ]
        let flags = Self.diff(base, head).flags
        #expect(flags.map(\.key) == ["ui.color", "ui.gone", "ui.new_name"])
        let color = flags[0]
        #expect(color.changes.map(\.kind) == ["enabled", "default", "variant-removed", "variant-value", "owner", "expires"], "\(color.changes)")
        #expect(color.risks == [.defaultChanged, .killSwitchToggled, .rolloutDecreased, .variantRemoved])
        #expect(flags[1].kind == .removed && flags[1].risks == [.flagRemoved])
        let renamed = flags[2]
        #expect(renamed.kind == .renamed && renamed.renamedFrom == "ui.old_name", "\(renamed)")
        // The rollout is seeded by the key, so the rename reassigns everybody.
        #expect(renamed.risks == [.flagRenamed, .reshuffle], "\(renamed)")
    }

    @Test func perEnvironmentChangesAndChangesTheSameEverywhere() {
        let config = "environments: [staging, production]\n"
        let base = ["flags/a.yaml": Self.flagFile("default: false\nrules:\n  - when: { environments: [staging] }\n    serve: true", key: "demo.staging_only")
                        + "  demo.everywhere:\n    description: E\n    owner: team-demo\n    default: false\n"]
        let head = ["flags/a.yaml": Self.flagFile("default: false\nrules:\n  - when: { environments: [staging, production] }\n    serve: true", key: "demo.staging_only")
                        + "  demo.everywhere:\n    description: E\n    owner: team-demo\n    default: true\n"]
        let flags = Self.diff(base, head, config: config).flags
        #expect(flags.map { "\($0.key) \($0.environment ?? "*")" } == ["demo.everywhere *", "demo.staging_only production"], "\(flags)")
        #expect(flags[1].changes.map(\.kind) == ["rule-added"])
    }

    // MARK: Impact

    /// Evaluates `count` generated keys on both sides and returns the share whose variant changes.
    static func sampledShare(_ base: Snapshot, _ head: Snapshot, flag: String, count: Int = 100_000) throws -> (share: Double, transitions: [String: Double]) {
        let before = try FlagStore(snapshot: base), after = try FlagStore(snapshot: head)
        var changed = 0
        var transitions: [String: Int] = [:]
        for index in 0..<count {
            let context = EvaluationContext(targetingKey: "user-\(index)")
            let old = before.details(flag, context: context).variant ?? "-", new = after.details(flag, context: context).variant ?? "-"
            if old != new {
                changed += 1
                transitions["\(old)→\(new)", default: 0] += 1
            }
        }
        return (Double(changed) / Double(count), transitions.mapValues { Double($0) / Double(count) })
    }

    /// Three standard errors of a sampled share (at least 0.1 points).
    static func tolerance(_ share: Double, _ count: Int = 100_000) -> Double {
        max(0.001, 3 * (share * (1 - share) / Double(count)).squareRoot())
    }

    @Test(arguments: [
        ("rollout: 10", "rollout: 25", 0.15, false),
        ("rollout: 40", "rollout: 5", 0.35, false),
        ("split: { blue: 25, green: 25, red: 50 }", "split: { blue: 50, green: 25, red: 25 }", 0.5, false),
        ("split: { blue: 25, green: 25, red: 50 }", "split: { red: 50, blue: 25, green: 25 }", 1.0, false),
        ("split: { blue: 50, green: 50 }", "split: { blue: 50, green: 50 }\n    seed: reshuffled", 0.5, true),
    ])
    func impactMatchesEvaluation(_ before: String, _ after: String, _ expected: Double, _ reshuffle: Bool) throws {
        let variants = before.hasPrefix("rollout") ? "default: false" : "variants: { blue: blue, green: green, red: red }\ndefault: blue"
        let base = Self.side(["flags/a.yaml": Self.flagFile("\(variants)\nrules:\n  - \(before)")])
        let head = Self.side(["flags/a.yaml": Self.flagFile("\(variants)\nrules:\n  - \(after)")])
        let field = try #require(FlagDiffer(environments: []).diff(base, head).flags.first?.changes.first { $0.impact != nil })
        let impact = try #require(field.impact)
        #expect(abs(impact.share - expected) < 1e-9, "\(impact)")
        #expect(impact.reshuffle == reshuffle && impact.exact == !reshuffle)
        let sampled = try Self.sampledShare(base.snapshot, head.snapshot, flag: "demo.feature")
        #expect(abs(sampled.share - impact.share) <= Self.tolerance(impact.share), "computed \(impact.share), sampled \(sampled.share)")
        for transition in impact.transitions {
            let observed = sampled.transitions["\(transition.from)→\(transition.to)"] ?? 0
            #expect(abs(observed - transition.share) <= Self.tolerance(transition.share), "\(transition.from)→\(transition.to): \(transition.share) vs \(observed)")
        }
    }

    @Test func aLoweredRolloutLosesUsersAndARaisedOneDoesNot() {
        func risks(_ from: Int, _ to: Int) -> [DiffRisk] {
            Self.diff(["flags/a.yaml": Self.flagFile("default: false\nrules:\n  - rollout: \(from)")],
                      ["flags/a.yaml": Self.flagFile("default: false\nrules:\n  - rollout: \(to)")]).flags.first?.risks ?? []
        }
        #expect(risks(10, 25) == [])
        #expect(risks(25, 10) == [.rolloutDecreased])
    }

    @Test func aBrokenSideIsComparedAsFarAsItCompiles() {
        let broken = Self.side(["flags/a.yaml": Self.flagFile("default: false", key: "demo.good") + "  demo.bad:\n    description: Bad\n    owner: team-demo\n    default: maybe\n"])
        #expect(broken.hasErrors)
        #expect(broken.snapshot.flags.map(\.key) == ["demo.good"])
        let fixed = Self.side(["flags/a.yaml": Self.flagFile("default: false", key: "demo.good") + "  demo.bad:\n    description: Bad\n    owner: team-demo\n    default: true\n"])
        let diff = FlagDiffer(environments: []).diff(broken, fixed)
        #expect(diff.flags.map { "\($0.kind) \($0.key)" } == ["added demo.bad"])
    }

    // MARK: Found in review

    @Test func twoConditionsOnOneAttributeAreComparedAsAMultiset() {
        let base = ["flags/a.yaml": Self.flagFile("default: false\nrules:\n  - when: { tenants: [acme, globex], attributes: { tenant: [globex] } }\n    serve: true")]
        let head = ["flags/a.yaml": Self.flagFile("default: false\nrules:\n  - when: { tenants: [acme, globex], attributes: { tenant: [acme, globex, initech] } }\n    serve: true")]
        let fields = Self.diff(base, head).flags.first?.changes ?? []
        #expect(fields.map(\.summary) == ["rule 1: tenant in +2 (acme, initech)"], "\(fields)")
        #expect(Self.diff(base, head).flags.first?.risks == [.audienceWidened])
    }

    @Test(arguments: [
        ("rollout: 90", "rollout: 100", false),
        ("rollout: 50", "rollout: 20", true),
        ("serve: true", "serve: false", true),
        ("serve: true", "rollout: 10", true),
        ("rollout: 10", "serve: true", false),
        ("rollout: 10", "serve: false", true),
    ])
    func rolloutDecreasedFollowsTheTrueValue(_ before: String, _ after: String, _ decreased: Bool) {
        for variants in ["", "variants: { live: true, dark: false }\n"] {
            func rule(_ outcome: String) -> String {
                let named = variants.isEmpty ? outcome : outcome.replacingOccurrences(of: "serve: true", with: "serve: live").replacingOccurrences(of: "serve: false", with: "serve: dark")
                return Self.flagFile("\(variants)default: \(variants.isEmpty ? "false" : "dark")\nrules:\n  - when: { tenants: [acme] }\n    \(named)")
            }
            let risks = Self.diff(["flags/a.yaml": rule(before)], ["flags/a.yaml": rule(after)]).flags.first?.risks ?? []
            #expect(risks.contains(.rolloutDecreased) == decreased, "\(before) → \(after) \(variants): \(risks)")
        }
    }

    @Test func catchAllsAndWindowsPairAsChangedRules() {
        func flag(_ rule: String) -> [String: String] { ["flags/a.yaml": Self.flagFile("default: false\nrules:\n  - \(rule)")] }
        let serve = Self.diff(flag("serve: true"), flag("serve: false")).flags.first
        #expect(serve?.changes.map(\.kind) == ["serve"], "\(String(describing: serve))")
        #expect(serve?.risks == [.rolloutDecreased])
        let window = Self.diff(flag("from: 2030-01-01T00:00:00Z\n    serve: true"), flag("from: 2031-01-01T00:00:00Z\n    serve: true")).flags.first
        #expect(window?.changes.map(\.kind) == ["rule-window"], "\(String(describing: window))")
        #expect(window?.risks == [], "a later start narrows the audience")
        let outcome = Self.diff(flag("rollout: 30"), flag("serve: false")).flags.first?.changes.first
        #expect(outcome?.kind == "serve" && outcome?.impact?.transitions.first?.from == "true")
    }

    @Test func aRenameThatKeepsItsBucketsIsARenameWithoutReshuffle() {
        let base = ["flags/a.yaml": Self.flagFile("default: false\nrules:\n  - rollout: 25", key: "app.old_name")]
        let head = ["flags/a.yaml": Self.flagFile("default: false\nrules:\n  - rollout: 25\n    seed: app.old_name", key: "app.new_name")]
        let flags = Self.diff(base, head).flags
        #expect(flags.map(\.kind) == [.renamed] && flags.first?.risks == [.flagRenamed], "\(flags)")
    }

    @Test func renamingThousandsOfFlagsPairsEachOnce() {
        func file(_ prefix: String) -> String {
            "flags:\n" + (0..<3_000).map { "  \(prefix).flag_\($0):\n    description: F\n    owner: o\n    variants: { a: \($0), b: -1 }\n    default: a\n" }.joined()
        }
        let flags = Self.diff(["flags/a.yaml": file("old")], ["flags/a.yaml": file("new")]).flags
        #expect(flags.count == 3_000 && flags.allSatisfy { $0.kind == .renamed && $0.renamedFrom == $0.key.replacingOccurrences(of: "new.", with: "old.") })
    }

    @Test func rulesLimitedToEnvironmentsAreLocatedWhereTheyAreWritten() {
        let config = "environments: [staging, prod]\n"
        let file = Self.flagFile("""
            default: false
            rules:
              - when: { environments: [staging] }
                serve: true
              - when: { environments: [prod] }
                serve: true
              - name: pilot
                when: { tenants: [acme] }
                serve: true
            """)
        let side = Self.side(["flags/a.yaml": file], config: config, environments: ["staging", "prod"])
        // In staging the pilot is the second lowered rule; it is the third written rule, on line 11. In prod the
        // first lowered rule is the second written one, on line 9.
        #expect(side.location(of: "demo.feature", rule: 1, environment: "staging")?.location.line == 11)
        #expect(side.location(of: "demo.feature", rule: 0, environment: "prod")?.location.line == 9)
        #expect(side.location(of: "demo.feature", rule: 1, environment: nil)?.location.line == 9, "without an environment, lowered is written")
    }

    @Test func theSampleIsMeasuredWhenOneSideAddsAnEnvironment() {
        let base = Self.side(["flags/a.yaml": Self.flagFile("default: false\nrules:\n  - rollout: 10")], config: "environments: [prod]\n", environments: ["dev", "prod"])
        let head = Self.side(["flags/a.yaml": Self.flagFile("default: false\nrules:\n  - rollout: 60")], config: "environments: [dev, prod]\n", environments: ["dev", "prod"])
        var diff = FlagDiffer(environments: ["dev", "prod"]).diff(base, head)
        diff.measure(population: (0..<1_000).map { EvaluationContext(targetingKey: "u-\($0)") }, base: base, head: head, now: Self.now)
        let population = diff.flags.first?.population
        #expect(population?.total == 1_000 && (population?.changed ?? 0) > 400, "\(String(describing: population))")
    }
}
