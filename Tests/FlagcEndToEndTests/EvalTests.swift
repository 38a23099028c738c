import FlagRuntime
import FlagRuntimeTesting
import Foundation
import Testing

/// End-to-end tests of `flagc eval`: compile a small flags folder with the real binary, then evaluate from the
/// snapshot it wrote and check standard output, standard error and the exit status.
///
/// Where a result depends on hashing (rollouts, splits), the expected value comes from `FlagStore` loading the same
/// snapshot in-process, so the tests pin that the command answers exactly as the runtime library does.
@Suite("flagc eval")
struct EvalTests {
    // MARK: - Fixture

    /// The flags every test compiles (with `--now 2026-06-01`, so no window has passed).
    static let flags = #"""
        flags:
          demo.invoice:
            description: Automatic invoices
            owner: team-demo
            default: false
            rules:
              - name: pilot tenants
                when: { tenants: [acme] }
                serve: true
              - rollout: 50
          demo.colour:
            description: Button colour experiment
            owner: team-demo
            variants: { blue: "#00f", green: "#0f0", red: "#f00" }
            default: blue
            rules:
              - name: staff
                when: { groups: [staff] }
                serve: green
              - name: experiment
                when: { attributes: { plan: [pro] } }
                split: { blue: 34, green: 33, red: 33 }
          demo.staging:
            description: On in staging only
            owner: team-demo
            default: false
            rules:
              - when: { environments: [staging] }
                serve: true
          demo.launch:
            description: On during the July launch window
            owner: team-demo
            default: false
            rules:
              - name: launch window
                from: 2026-07-01T00:00:00Z
                until: 2026-08-01T00:00:00Z
                serve: true
          demo.seats:
            description: Seat tier
            owner: team-demo
            variants: { small: 1, large: 10 }
            default: small
            rules:
              - when: { attributes: { seats: { gte: 20 } } }
                serve: large
          demo.beta:
            description: Beta programme
            owner: team-demo
            default: false
            rules:
              - name: beta group
                when: { groups: [beta] }
                serve: true
              - name: opted in
                when: { attributes: { opt_in: { eq: true } } }
                serve: true
          demo.off:
            description: Switched off
            owner: team-demo
            enabled: false
            default: true
          demo.texts:
            description: Strings that need escaping
            owner: team-demo
            variants:
              plain: "hello"
              tricky: "say \"hi\"\\now\n\ttab \u0001 é"
            default: plain
            rules:
              - name: "the \"tricky\" rule"
                when: { users: [escaper] }
                serve: tricky
          demo.ratio:
            description: A number flag
            owner: team-demo
            variants: { low: 0.25, high: 2 }
            default: low
            rules:
              - when: { tenants: [acme] }
                serve: high
          demo.settings:
            description: An object flag
            owner: team-demo
            variants:
              compact: { limit: 3, labels: [a, b], nested: { enabled: true } }
            default: compact

        """#

    /// The snapshot path, relative to the sandbox.
    static let snapshot = "build/snapshot.json"

    /// Compiles `flags` into `build/snapshot.json` in the sandbox.
    static func compile(_ sandbox: Sandbox) throws {
        try sandbox.write("flags/demo.yaml", flags)
        let run = try sandbox.flagc(["compile", "flags", "--out", "build"] + fixedNow)
        guard run.status == 0 else { throw SetupError(description: "compiling the eval fixture failed:\n\(run)") }
    }

    /// Runs `flagc eval build/snapshot.json ARGUMENTS`.
    static func eval(_ sandbox: Sandbox, _ arguments: [String]) throws -> FlagcRun {
        try sandbox.flagc(["eval", snapshot] + arguments)
    }

    /// Runs `flagc eval … --format json` and parses its single output line.
    static func evalJSON(_ sandbox: Sandbox, _ arguments: [String]) throws -> (run: FlagcRun, object: [String: JSONValue]) {
        let run = try eval(sandbox, arguments + ["--format", "json"])
        let object = try #require(try JSONValue(parsing: run.stdout.trimmingCharacters(in: .newlines)).objectValue, "\(run)")
        return (run, object)
    }

    /// The runtime library's answer for the same snapshot, context and time.
    static func expected(_ sandbox: Sandbox, _ flag: String, _ context: EvaluationContext, environment: String? = nil, at: Int64 = 0) throws -> EvaluationDetails<FlagValue?> {
        let store = try FlagStore(contentsOfFile: sandbox.url(snapshot).path, environment: environment, clock: FixedClock(at))
        return store.details(flag, context: context)
    }

    /// The snapshot id's first 12 characters.
    static func shortID(_ sandbox: Sandbox) throws -> String {
        String(try SnapshotLoader.load(contentsOfFile: sandbox.url(snapshot).path).id.prefix(12))
    }

    /// Runs `body` in a fresh sandbox with the fixture compiled.
    static func withProject(_ body: (Sandbox) throws -> Void) throws {
        try withSandbox { sandbox in
            try compile(sandbox)
            try body(sandbox)
        }
    }

    // MARK: - Evaluation

    @Test func booleanTenantRuleThenRollout() throws {
        try Self.withProject { sandbox in
            let acme = try Self.eval(sandbox, ["demo.invoice", "--targeting-key", "u1", "--attr", "tenant=acme"])
            #expect(acme.status == 0, "\(acme)")
            #expect(acme.stdout == "demo.invoice = true (variant true, reason TARGETING_MATCH, rule 1 \"pilot tenants\")\n", "\(acme)")
            #expect(acme.stderr.isEmpty, "\(acme)")

            // Other tenants fall through to the 50 % rollout on the targeting key: find a user on each side
            // with the library, then check the binary agrees.
            var sides: [Bool: String] = [:]
            for index in 0..<64 where sides.count < 2 {
                let user = "user-\(index)"
                let details = try Self.expected(sandbox, "demo.invoice", EvaluationContext(targetingKey: user, attributes: ["tenant": "globex"]))
                #expect(details.reason == .split && details.ruleIndex == 1)
                if case .boolean(let value)? = details.value, sides[value] == nil { sides[value] = user }
            }
            #expect(sides.count == 2, "a 50 % rollout put 64 users on one side")
            for (value, user) in sides {
                let run = try Self.eval(sandbox, ["demo.invoice", "--targeting-key", user, "--attr", "tenant=globex"])
                #expect(run.status == 0, "\(run)")
                #expect(run.stdout == "demo.invoice = \(value) (variant \(value), reason SPLIT, rule 2)\n", "\(run)")
            }

            // Without a targeting key the rollout cannot bucket: the default variant.
            let anonymous = try Self.eval(sandbox, ["demo.invoice", "--attr", "tenant=globex"])
            #expect(anonymous.status == 0, "\(anonymous)")
            #expect(anonymous.stdout == "demo.invoice = false (variant false, reason DEFAULT)\n", "\(anonymous)")
        }
    }

    @Test func splitFlagReportsVariantReasonAndRule() throws {
        try Self.withProject { sandbox in
            var seen: Set<String> = []
            for user in ["ada", "bob", "cyd", "dee", "eve", "fay"] {
                let (run, object) = try Self.evalJSON(sandbox, ["demo.colour", "--targeting-key", user, "--attr", "plan=pro"])
                let expected = try Self.expected(sandbox, "demo.colour", EvaluationContext(targetingKey: user, attributes: ["plan": "pro"]))
                #expect(run.status == 0, "\(run)")
                #expect(object["reason"] == .string("SPLIT"), "\(run)")
                #expect(object["ruleIndex"] == .integer(1), "\(run)")
                #expect(object["ruleName"] == .string("experiment"), "\(run)")
                #expect(object["variant"]?.stringValue == expected.variant, "\(run)")
                #expect(object["value"] == expected.value?.jsonValue, "\(run)")
                seen.insert(object["variant"]?.stringValue ?? "")

                let text = try Self.eval(sandbox, ["demo.colour", "--targeting-key", user, "--attr", "plan=pro"])
                let value = JSONWriter(style: .compact).string(expected.value?.jsonValue ?? .null)
                #expect(text.stdout == "demo.colour = \(value) (variant \(expected.variant ?? "?"), reason SPLIT, rule 2 \"experiment\")\n", "\(text)")
            }
            #expect(seen.count > 1, "six users all got \(seen)")

            // The earlier serve rule wins over the split.
            let staff = try Self.eval(sandbox, ["demo.colour", "--targeting-key", "ada", "--attr", "plan=pro", "--attr", #"groups:=["staff"]"#])
            #expect(staff.stdout == "demo.colour = \"#0f0\" (variant green, reason TARGETING_MATCH, rule 1 \"staff\")\n", "\(staff)")
        }
    }

    @Test func environmentFromEnvAndFromContext() throws {
        try Self.withProject { sandbox in
            let staging = try Self.eval(sandbox, ["demo.staging", "--env", "staging"])
            #expect(staging.status == 0, "\(staging)")
            #expect(staging.stdout == "demo.staging = true (variant true, reason TARGETING_MATCH, rule 1)\n", "\(staging)")

            let none = try Self.eval(sandbox, ["demo.staging"])
            #expect(none.stdout == "demo.staging = false (variant false, reason DEFAULT)\n", "\(none)")
            let production = try Self.eval(sandbox, ["demo.staging", "--env", "production"])
            #expect(production.stdout == "demo.staging = false (variant false, reason DEFAULT)\n", "\(production)")

            // The context's environment overrides --env, as EvaluationContext.environment overrides the store's.
            let overridden = try Self.eval(sandbox, ["demo.staging", "--env", "staging", "--context", #"{"environment":"production"}"#])
            #expect(overridden.stdout == "demo.staging = false (variant false, reason DEFAULT)\n", "\(overridden)")
            let fromContext = try Self.eval(sandbox, ["demo.staging", "--context", #"{"environment":"staging"}"#])
            #expect(fromContext.stdout == "demo.staging = true (variant true, reason TARGETING_MATCH, rule 1)\n", "\(fromContext)")
        }
    }

    @Test func envMustMatchASnapshotCompiledForOneEnvironment() throws {
        try Self.withProject { sandbox in
            let compile = try sandbox.flagc(["compile", "flags", "--out", "prod", "--env", "production"] + fixedNow)
            try #require(compile.status == 0, "\(compile)")
            let other = try sandbox.flagc(["eval", "prod/snapshot.json", "demo.staging", "--env", "staging"])
            #expect(other.status == 2, "\(other)")
            #expect(other.stdout.isEmpty, "\(other)")
            #expect(other.stderr.contains("compiled for environment 'production'"), "\(other)")

            try sandbox.write("flags/flagc.yaml", "environments: [development, staging, production]\n")
            let compileAll = try sandbox.flagc(["compile", "flags", "--out", "all"] + fixedNow)
            try #require(compileAll.status == 0, "\(compileAll)")
            let typo = try sandbox.flagc(["eval", "all/snapshot.bin", "demo.staging", "--env", "prod"])
            #expect(typo.status == 2 && typo.stdout.isEmpty, "\(typo)")
            #expect(typo.stderr.contains("environment 'prod' is not one of the snapshot's environments: development, staging, production"), "\(typo)")

            for arguments in [["--env", "production"], []] {
                let run = try sandbox.flagc(["eval", "prod/snapshot.json", "demo.staging"] + arguments)
                #expect(run.status == 0, "\(run)")
                #expect(run.stdout == "demo.staging = false (variant false, reason STATIC)\n", "\(run)")
            }
        }
    }

    @Test(arguments: [
        ("2026-07-15T12:00:00Z", true),
        ("2026-07-01T00:00:00Z", true),  // from is inclusive
        ("2026-06-30T23:59:59Z", false),
        ("2026-07-01T01:00:00+02:00", false),  // 2026-06-30T23:00:00Z
        ("2026-08-01T00:00:00Z", false),  // until is exclusive
        ("2026-07-31T23:59:59.999Z", true),
    ])
    func atInsideAndOutsideTheRuleWindow(at: String, inside: Bool) throws {
        try Self.withProject { sandbox in
            let run = try Self.eval(sandbox, ["demo.launch", "--at", at])
            #expect(run.status == 0, "\(run)")
            let expected = inside
                ? "demo.launch = true (variant true, reason TARGETING_MATCH, rule 1 \"launch window\")\n"
                : "demo.launch = false (variant false, reason DEFAULT)\n"
            #expect(run.stdout == expected, "\(run)")
        }
    }

    @Test func attrStringAndTypedForms() throws {
        try Self.withProject { sandbox in
            let cases: [([String], String)] = [
                (["demo.seats", "--attr", "seats:=25"], "demo.seats = 10 (variant large, reason TARGETING_MATCH, rule 1)"),
                (["demo.seats", "--attr", "seats:=20"], "demo.seats = 10 (variant large, reason TARGETING_MATCH, rule 1)"),
                (["demo.seats", "--attr", "seats:=19.5"], "demo.seats = 1 (variant small, reason DEFAULT)"),
                // A string is not a number: gte never matches it.
                (["demo.seats", "--attr", "seats=25"], "demo.seats = 1 (variant small, reason DEFAULT)"),
                (["demo.beta", "--attr", #"groups:=["x","beta"]"#], #"demo.beta = true (variant true, reason TARGETING_MATCH, rule 1 "beta group")"#),
                (["demo.beta", "--attr", #"groups:=["x","y"]"#], "demo.beta = false (variant false, reason DEFAULT)"),
                (["demo.beta", "--attr", "groups:=[]"], "demo.beta = false (variant false, reason DEFAULT)"),
                (["demo.beta", "--attr", "opt_in:=true"], #"demo.beta = true (variant true, reason TARGETING_MATCH, rule 2 "opted in")"#),
                (["demo.beta", "--attr", "opt_in=true"], "demo.beta = false (variant false, reason DEFAULT)"),
                // The last --attr for a name wins; a value may itself contain '=' and ':='.
                (["demo.beta", "--attr", "opt_in:=true", "--attr", "opt_in:=false"], "demo.beta = false (variant false, reason DEFAULT)"),
                (["demo.invoice", "--attr", "tenant=acme", "--attr", "note=a=b:=c"], #"demo.invoice = true (variant true, reason TARGETING_MATCH, rule 1 "pilot tenants")"#),
            ]
            for (arguments, line) in cases {
                let run = try Self.eval(sandbox, arguments)
                #expect(run.status == 0, "\(run)")
                #expect(run.stdout == line + "\n", "\(run)")
            }
        }
    }

    @Test func contextJSONAndWhatOverridesIt() throws {
        try Self.withProject { sandbox in
            let context = #"{"targetingKey":"u7","tenant":"acme","seats":30,"groups":["beta"],"opt_in":false,"plan":"pro"}"#
            for (flag, line) in [
                ("demo.invoice", #"demo.invoice = true (variant true, reason TARGETING_MATCH, rule 1 "pilot tenants")"#),
                ("demo.seats", "demo.seats = 10 (variant large, reason TARGETING_MATCH, rule 1)"),
                ("demo.beta", #"demo.beta = true (variant true, reason TARGETING_MATCH, rule 1 "beta group")"#),
                ("demo.ratio", "demo.ratio = 2.0 (variant high, reason TARGETING_MATCH, rule 1)"),
            ] {
                let run = try Self.eval(sandbox, [flag, "--context", context])
                #expect(run.status == 0, "\(run)")
                #expect(run.stdout == line + "\n", "\(run)")
            }

            // --attr and --targeting-key are applied after --context.
            let attrWins = try Self.eval(sandbox, ["demo.invoice", "--context", context, "--attr", "tenant=globex", "--targeting-key", "u8"])
            let expected = try Self.expected(sandbox, "demo.invoice", EvaluationContext(targetingKey: "u8", attributes: ["tenant": "globex"]))
            #expect(expected.reason == .split)
            let value = expected.value == .boolean(true) ? "true" : "false"
            #expect(attrWins.stdout == "demo.invoice = \(value) (variant \(value), reason SPLIT, rule 2)\n", "\(attrWins)")

            // The split buckets on the targeting key from the context.
            let split = try Self.evalJSON(sandbox, ["demo.colour", "--context", context])
            let splitExpected = try Self.expected(sandbox, "demo.colour", EvaluationContext(targetingKey: "u7", attributes: ["plan": "pro"]))
            #expect(split.object["variant"]?.stringValue == splitExpected.variant, "\(split.run)")
        }
    }

    @Test func explainSaysWhyEarlierRulesDidNotMatch() throws {
        try Self.withProject { sandbox in
            let id = try Self.shortID(sandbox)
            let run = try Self.eval(sandbox, ["demo.invoice", "--targeting-key", "u1", "--attr", "tenant=globex", "--env", "staging", "--explain"])
            #expect(run.status == 0, "\(run)")
            let lines = run.stdoutLines
            #expect(lines.count == 4, "\(run)")
            #expect(lines.first == "snapshot \(id), environment 'staging'", "\(run)")
            #expect(lines.dropFirst().first == #"  rule 1 (pilot tenants): no match: attribute 'tenant' ("globex") is not in ["acme"]"#, "\(run)")
            #expect(lines.dropFirst(2).first?.hasPrefix("  rule 2: matched: split on the targeting key with seed 'demo.invoice' chose ") == true, "\(run)")
            #expect(lines.last?.hasPrefix("demo.invoice = ") == true && lines.last?.hasSuffix("reason SPLIT, rule 2)") == true, "\(run)")

            let window = try Self.eval(sandbox, ["demo.launch", "--at", "2026-08-01T00:00:00Z", "--explain"])
            #expect(window.stdoutLines == [
                "snapshot \(id), environment (none), at 2026-08-01T00:00:00Z",
                "  rule 1 (launch window): no match: ended at 2026-08-01T00:00:00Z",
                "demo.launch = false (variant false, reason DEFAULT)",
            ], "\(window)")

            let json = try Self.evalJSON(sandbox, ["demo.seats", "--attr", "seats=25", "--explain"])
            #expect(json.object["explanation"] == .array([.string(#"rule 1: no match: attribute 'seats' ("25") does not satisfy gte 20"#)]), "\(json.run)")
            #expect(Set(json.object.keys) == ["flag", "value", "variant", "reason", "explanation"], "\(json.run)")
        }
    }

    @Test func formatJSONHasExactlyTheDocumentedKeys() throws {
        try Self.withProject { sandbox in
            let writer = JSONWriter(style: .compact)
            let cases: [([String], Set<String>, Int32)] = [
                (["demo.invoice", "--attr", "tenant=acme"], ["flag", "value", "variant", "reason", "ruleIndex", "ruleName"], 0),
                (["demo.staging", "--env", "staging"], ["flag", "value", "variant", "reason", "ruleIndex"], 0),
                (["demo.seats"], ["flag", "value", "variant", "reason"], 0),
                (["demo.settings"], ["flag", "value", "variant", "reason"], 0),
                (["demo.off"], ["flag", "reason"], 0),
                (["demo.nope"], ["flag", "reason", "errorCode", "errorMessage"], 1),
            ]
            for (arguments, keys, status) in cases {
                let (run, object) = try Self.evalJSON(sandbox, arguments)
                #expect(run.status == status, "\(run)")
                #expect(Set(object.keys) == keys, "\(run)")
                // One line, canonical compact JSON.
                #expect(run.stdout == writer.string(.object(object)) + "\n", "\(run)")
            }
            let (_, accepted) = try Self.evalJSON(sandbox, ["demo.invoice", "--attr", "tenant=acme"])
            #expect(accepted == [
                "flag": .string("demo.invoice"), "value": .bool(true), "variant": .string("true"), "reason": .string("TARGETING_MATCH"),
                "ruleIndex": .integer(0), "ruleName": .string("pilot tenants"),
            ])
            let (settingsRun, _) = try Self.evalJSON(sandbox, ["demo.settings"])
            #expect(settingsRun.stdout == #"{"flag":"demo.settings","reason":"STATIC","value":{"labels":["a","b"],"limit":3,"nested":{"enabled":true}},"variant":"compact"}"# + "\n")
        }
    }

    @Test func unknownFlagIsAnErrorWithExitStatusOne() throws {
        try Self.withProject { sandbox in
            let id = try Self.shortID(sandbox)
            let text = try Self.eval(sandbox, ["demo.nope", "--targeting-key", "u1"])
            #expect(text.status == 1, "\(text)")
            #expect(text.stdout == "demo.nope: error FLAG_NOT_FOUND: flag 'demo.nope' is not in snapshot \(id) (reason ERROR)\n", "\(text)")
            #expect(text.stderr.isEmpty, "\(text)")

            let (json, object) = try Self.evalJSON(sandbox, ["demo.nope"])
            #expect(json.status == 1, "\(json)")
            #expect(object == [
                "flag": .string("demo.nope"), "reason": .string("ERROR"), "errorCode": .string("FLAG_NOT_FOUND"),
                "errorMessage": .string("flag 'demo.nope' is not in snapshot \(id)"),
            ], "\(json)")
        }
    }

    @Test func disabledFlagGivesReasonDisabledAndExitsZero() throws {
        try Self.withProject { sandbox in
            let text = try Self.eval(sandbox, ["demo.off", "--targeting-key", "u1"])
            #expect(text.status == 0, "\(text)")
            #expect(text.stdout == "demo.off = (caller's default) (reason DISABLED)\n", "\(text)")
            let (json, object) = try Self.evalJSON(sandbox, ["demo.off"])
            #expect(json.status == 0, "\(json)")
            #expect(object == ["flag": .string("demo.off"), "reason": .string("DISABLED")], "\(json)")
        }
    }

    // MARK: - Bad snapshots

    @Test func truncatedSnapshotCannotBeLoaded() throws {
        try Self.withProject { sandbox in
            let bytes = try sandbox.contents(Self.snapshot)
            try bytes.prefix(bytes.count / 2).write(to: sandbox.url(Self.snapshot))
            let run = try Self.eval(sandbox, ["demo.invoice"])
            #expect(run.status == 1, "\(run)")
            #expect(run.stdout.isEmpty, "\(run)")
            #expect(run.stderr.hasPrefix("error: cannot load \(Self.snapshot): not valid JSON"), "\(run)")

            let batch = try sandbox.flagc(["eval", Self.snapshot, "--batch", "-"])
            #expect(batch.status == 1, "\(batch)")
            #expect(batch.stderr.hasPrefix("error: cannot load "), "\(batch)")
        }
    }

    @Test func editedSnapshotFailsTheIdCheck() throws {
        try Self.withProject { sandbox in
            let text = String(decoding: try sandbox.contents(Self.snapshot), as: UTF8.self)
            let edited = text.replacingOccurrences(of: "\"#0f0\"", with: "\"#0f1\"")
            #expect(edited != text)
            try sandbox.write(Self.snapshot, edited)
            let run = try Self.eval(sandbox, ["demo.colour"])
            #expect(run.status == 1, "\(run)")
            #expect(run.stdout.isEmpty, "\(run)")
            #expect(run.stderr.hasPrefix("error: cannot load \(Self.snapshot): the id "), "\(run)")
            #expect(run.stderr.contains("does not match the content"), "\(run)")
        }
    }

    @Test func missingSnapshotCannotBeLoaded() throws {
        try withSandbox { sandbox in
            let run = try sandbox.flagc(["eval", "nowhere/snapshot.json", "demo.invoice"])
            #expect(run.status == 1, "\(run)")
            #expect(run.stderr == "error: cannot load nowhere/snapshot.json: No such file or directory\n", "\(run)")
        }
    }

    // MARK: - Usage errors

    @Test(arguments: [
        (["demo.seats", "--attr", "seats"], "name=value"),
        (["demo.seats", "--attr", "=25"], "no attribute name"),
        (["demo.seats", "--attr", "seats:=abc"], "name:=JSON"),
        (["demo.seats", "--attr", "seats:=null"], "null"),
        (["demo.seats", "--attr", #"groups:=["a",1]"#], "array of strings"),
        (["demo.seats", "--attr", #"seats:={"a":1}"#], "an object"),
        (["demo.seats", "--attr", "targetingKey:=5"], "must be a string"),
        (["demo.launch", "--at", "2026-07-01"], "RFC 3339"),
        (["demo.launch", "--at", "2026-07-01 00:00:00Z"], "2026-01-01T00:00:00Z"),
        (["demo.launch", "--at", "2026-07-01T00:00:00"], "RFC 3339"),
        (["demo.seats", "--context", "{seats: 1}"], "not valid JSON"),
        (["demo.seats", "--context", "[1]"], "must be a JSON object"),
        (["demo.seats", "--context", #"{"seats":25,"plan":null}"#], "member 'plan' is null"),
        (["demo.seats", "--context", #"{"targetingKey":7}"#], "member 'targetingKey' is a number"),
        (["demo.seats", "--context", #"{"meta":{"a":1}}"#], "member 'meta' is an object"),
        (["demo.seats", "--batch", "requests.jsonl"], "drop the FLAG argument"),
        (["--batch", "requests.jsonl", "--explain"], "--explain"),
        (["--batch", "requests.jsonl", "--format", "text"], "--format text"),
        (["--batch", "requests.jsonl", "--attr", "a=b"], "--batch"),
        ([], "missing FLAG"),
        (["demo.seats", "--format", "yaml"], "yaml"),
    ])
    func usageErrorsExitTwo(arguments: [String], message: String) throws {
        try Self.withProject { sandbox in
            try sandbox.write("requests.jsonl", #"{"flag":"demo.seats"}"# + "\n")
            let run = try Self.eval(sandbox, arguments)
            #expect(run.status == 2, "\(run)")
            #expect(run.stdout.isEmpty, "\(run)")
            #expect(run.stderr.contains(message), "\(run)")
        }
    }

    @Test func attrUsageErrorNamesTheAcceptedForms() throws {
        try Self.withProject { sandbox in
            let run = try Self.eval(sandbox, ["demo.seats", "--attr", "seats"])
            #expect(run.status == 2, "\(run)")
            #expect(run.stderr.contains("name=value for a string, or name:=JSON for a number, boolean or list of strings"), "\(run)")
            #expect(run.stderr.contains("flagc eval"), "\(run)")
        }
    }

    // MARK: - Batch

    /// Request lines with the single-shot arguments that must give the same result; nil marks lines that are
    /// not requests (blank: no output; a parse error: checked separately).
    static let batchLines: [(line: String, arguments: [String]?)] = [
        (#"{"flag":"demo.invoice","context":{"targetingKey":"u1","tenant":"acme"}}"#, ["demo.invoice", "--targeting-key", "u1", "--attr", "tenant=acme"]),
        (#"{"flag":"demo.invoice","context":{"targetingKey":"u2","tenant":"globex"}}"#, ["demo.invoice", "--targeting-key", "u2", "--attr", "tenant=globex"]),
        ("", nil),
        (#"{"flag":"demo.colour","context":{"targetingKey":"u3","plan":"pro"}}"#, ["demo.colour", "--context", #"{"targetingKey":"u3","plan":"pro"}"#]),
        ("this is not json", nil),
        (#"{"flag":"demo.nope","context":{"targetingKey":"u1"}}"#, ["demo.nope", "--targeting-key", "u1"]),
        ("   ", nil),
        (#"{"flag":"demo.staging","env":"staging"}"#, ["demo.staging", "--env", "staging"]),
        (#"{"flag":"demo.staging"}"#, ["demo.staging"]),
        (#"{"flag":"demo.launch","at":"2026-07-15T00:00:00Z"}"#, ["demo.launch", "--at", "2026-07-15T00:00:00Z"]),
        (#"{"flag":"demo.launch","at":"2026-08-15T00:00:00Z"}"#, ["demo.launch", "--at", "2026-08-15T00:00:00Z"]),
        (#"{"flag":"demo.seats","context":{"seats":25}}"#, ["demo.seats", "--attr", "seats:=25"]),
        (#"{"flag":"demo.off"}"#, ["demo.off"]),
        (#"{"flag":"demo.texts","context":{"targetingKey":"escaper"}}"#, ["demo.texts", "--targeting-key", "escaper"]),
        (#"{"flag":"demo.ratio","context":{"tenant":"acme"}}"#, ["demo.ratio", "--attr", "tenant=acme"]),
        (#"{"flag":"demo.ratio"}"#, ["demo.ratio"]),
        (#"{"flag":"demo.settings"}"#, ["demo.settings"]),
        (#"{"flag":"demo.beta","context":{"groups":["beta"]},"env":null}"#, ["demo.beta", "--attr", #"groups:=["beta"]"#]),
    ]

    @Test func batchAnswersEachLineInOrderLikeSingleShot() throws {
        try Self.withProject { sandbox in
            // CRLF on one line, and no newline after the last.
            var input = Self.batchLines.map(\.line).joined(separator: "\n")
            input = input.replacingOccurrences(of: #"{"flag":"demo.staging"}"#, with: "{\"flag\":\"demo.staging\"}\r")
            try sandbox.write("requests.jsonl", input)
            let run = try Self.eval(sandbox, ["--batch", "requests.jsonl"])
            #expect(run.status == 0, "\(run)")
            #expect(run.stderr.isEmpty, "\(run)")

            let answered = Self.batchLines.enumerated().filter { !$0.element.line.trimmingCharacters(in: .whitespaces).isEmpty }
            let output = run.stdoutLines
            try #require(output.count == answered.count, "\(run)")
            for (outputLine, (index, request)) in zip(output, answered) {
                guard let arguments = request.arguments else {
                    let object = try #require(try JSONValue(parsing: outputLine).objectValue)
                    #expect(Set(object.keys) == ["line", "reason", "errorCode", "errorMessage"], "\(outputLine)")
                    #expect(object["line"] == .integer(Int64(index + 1)), "\(outputLine)")
                    #expect(object["reason"] == .string("ERROR") && object["errorCode"] == .string("PARSE_ERROR"), "\(outputLine)")
                    #expect(object["errorMessage"]?.stringValue?.hasPrefix("not valid JSON") == true, "\(outputLine)")
                    continue
                }
                let single = try Self.eval(sandbox, arguments + ["--format", "json"])
                #expect(outputLine + "\n" == single.stdout, "line \(index + 1): \(request.line)\nbatch:  \(outputLine)\nsingle: \(single)")
            }
        }
    }

    @Test func batchReportsBadLinesAndGoesOn() throws {
        try Self.withProject { sandbox in
            let lines = [
                #"{"flag":"demo.seats"}"#,
                #"[1,2]"#,
                #"{"context":{}}"#,
                #"{"flag":7}"#,
                #"{"flag":"demo.seats","ctx":{}}"#,
                #"{"flag":"demo.seats","context":{"seats":null}}"#,
                #"{"flag":"demo.seats","context":[]}"#,
                #"{"flag":"demo.launch","at":"tomorrow"}"#,
                #"{"flag":"demo.seats","env":1}"#,
                #"{"flag":"demo.seats","context":{"seats":25}}"#,
            ]
            try sandbox.write("requests.jsonl", lines.joined(separator: "\n") + "\n\n")
            let run = try Self.eval(sandbox, ["--batch", "requests.jsonl"])
            #expect(run.status == 0, "\(run)")
            let messages = try run.stdoutLines.map { try #require(try JSONValue(parsing: $0).objectValue) }
            try #require(messages.count == lines.count, "\(run)")
            #expect(messages.first?["reason"] == .string("DEFAULT"))
            #expect(messages.last?["reason"] == .string("TARGETING_MATCH"))
            let expectedErrors: [(Int, String)] = [
                (2, "a line must be a JSON object"),
                (3, "member 'flag' is missing"),
                (4, "member 'flag' is a number"),
                (5, "unknown member 'ctx'"),
                (6, "context: member 'seats' is null"),
                (7, "member 'context' is an array"),
                (8, "member 'at' ('tomorrow') is not an RFC 3339 timestamp"),
                (9, "member 'env' is a number"),
            ]
            for (line, message) in expectedErrors {
                let object = messages[line - 1]
                #expect(object["line"] == .integer(Int64(line)), "\(object)")
                #expect(object["errorCode"] == .string("PARSE_ERROR"), "\(object)")
                #expect(object["errorMessage"]?.stringValue?.hasPrefix(message) == true, "\(object)")
            }
        }
    }

    @Test func batchReadsStandardInputAndUsesEnvAndAtAsDefaults() throws {
        try Self.withProject { sandbox in
            let input = [
                #"{"flag":"demo.launch"}"#,
                #"{"flag":"demo.launch","at":"2026-09-01T00:00:00Z"}"#,
                #"{"flag":"demo.staging"}"#,
                #"{"flag":"demo.staging","env":"production"}"#,
                #"{"flag":"demo.staging","env":"production","context":{"environment":"staging"}}"#,
            ].joined(separator: "\n") + "\n"
            try sandbox.write("requests.jsonl", input)
            let run = try Flagc.run(
                ["eval", Self.snapshot, "--batch", "-", "--at", "2026-07-10T00:00:00Z", "--env", "staging"],
                in: sandbox.root, standardInput: sandbox.url("requests.jsonl")
            )
            #expect(run.status == 0, "\(run)")
            #expect(run.stdoutLines == [
                #"{"flag":"demo.launch","reason":"TARGETING_MATCH","ruleIndex":0,"ruleName":"launch window","value":true,"variant":"true"}"#,
                #"{"flag":"demo.launch","reason":"DEFAULT","value":false,"variant":"false"}"#,
                #"{"flag":"demo.staging","reason":"TARGETING_MATCH","ruleIndex":0,"value":true,"variant":"true"}"#,
                #"{"flag":"demo.staging","reason":"DEFAULT","value":false,"variant":"false"}"#,
                #"{"flag":"demo.staging","reason":"TARGETING_MATCH","ruleIndex":0,"value":true,"variant":"true"}"#,
            ], "\(run)")
        }
    }

    @Test func batchOfManyLinesMatchesTheLibrary() throws {
        try Self.withProject { sandbox in
            let count = 5_000
            var input = ""
            for index in 0..<count {
                input += #"{"flag":"demo.colour","context":{"targetingKey":"user-\#(index)","plan":"pro"}}"# + "\n"
            }
            try sandbox.write("requests.jsonl", input)
            let run = try Self.eval(sandbox, ["--batch", "requests.jsonl"])
            #expect(run.status == 0, "\(run.status) \(run.stderr)")
            let lines = run.stdoutLines
            try #require(lines.count == count)
            let store = try FlagStore(contentsOfFile: sandbox.url(Self.snapshot).path)
            var mismatches = 0
            for (index, line) in lines.enumerated() {
                let expected = store.details("demo.colour", context: EvaluationContext(targetingKey: "user-\(index)", attributes: ["plan": "pro"]))
                let object = try JSONValue(parsing: line)
                if object["variant"]?.stringValue != expected.variant { mismatches += 1 }
            }
            #expect(mismatches == 0)
        }
    }

    @Test func batchFileThatCannotBeReadExitsOne() throws {
        try Self.withProject { sandbox in
            let run = try Self.eval(sandbox, ["--batch", "missing.jsonl"])
            #expect(run.status == 1, "\(run)")
            #expect(run.stderr == "error: cannot read missing.jsonl: No such file or directory\n", "\(run)")
        }
    }
}
