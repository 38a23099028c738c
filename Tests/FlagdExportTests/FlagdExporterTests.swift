@testable import FlagCompiler
import FlagRuntime
import Foundation
import Testing

/// The shape of exported documents, without running flagd (`FlagdDifferentialTests` checks what they evaluate to).
@Suite struct FlagdExporterTests {
    static func flag(_ key: String, enabled: Bool = true, rules: [Rule] = [], metadata: FlagMetadata = FlagMetadata()) -> Flag {
        Flag(key: key, type: .boolean, enabled: enabled,
             variants: [Variant(name: "true", value: .boolean(true)), Variant(name: "false", value: .boolean(false))],
             defaultVariant: "false", rules: rules, metadata: metadata)
    }

    static func snapshot(_ flags: [Flag], environment: String? = nil, revision: String? = nil) -> Snapshot {
        let sorted = flags.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
        return Snapshot(revision: revision, environment: environment, flags: sorted)
    }

    @Test func documentFields() throws {
        let flags = [
            Self.flag("a.static", metadata: FlagMetadata(description: "Static", owner: "team-a", expires: 1_798_761_600,
                                                         values: ["ticket": .string("A-1"), "owner": .string("shadowed"), "weight": .integer(3)])),
            Self.flag("a.disabled", enabled: false, rules: [Rule(outcome: .serve(variant: "true"))]),
            Flag(key: "a.number", type: .number, variants: [Variant(name: "zero", value: .number(0)), Variant(name: "half", value: .number(0.5))], defaultVariant: "zero"),
            Flag(key: "a.integer", type: .integer, variants: [Variant(name: "max", value: .integer(.max))], defaultVariant: "max"),
            Flag(key: "a.object", type: .object, variants: [Variant(name: "o", value: .object(["k": .array([.null, .bool(true)])]))], defaultVariant: "o"),
        ]
        let snapshot = Self.snapshot(flags, environment: "production", revision: "abc")
        let document = try FlagdExporter(flagSetID: "checkout").document(for: snapshot)

        #expect(document["$schema"]?.stringValue == FlagdExporter.schemaURL)
        #expect(document["metadata"] == .object(["flagSetId": .string("checkout"), "version": .string(snapshot.id),
                                                 "revision": .string("abc"), "environment": .string("production")]))
        #expect(document["$evaluators"] == nil, "no shared checks, no $evaluators")
        let exported = try #require(document["flags"]?.objectValue)
        #expect(exported.keys.sorted() == flags.map(\.key).sorted())

        let staticFlag = try #require(exported["a.static"])
        #expect(staticFlag["state"]?.stringValue == "ENABLED")
        #expect(staticFlag["targeting"] == nil, "a flag without rules has no targeting, so flagd says STATIC")
        #expect(staticFlag["defaultVariant"]?.stringValue == "false")
        #expect(staticFlag["metadata"] == .object(["description": .string("Static"), "owner": .string("team-a"), "ticket": .string("A-1"),
                                                   "weight": .integer(3), "expires": .string("2027-01-01T00:00:00Z")]))
        #expect(exported["a.disabled"]?["state"]?.stringValue == "DISABLED")
        #expect(exported["a.disabled"]?["targeting"] != nil, "a disabled flag keeps its rules")
        #expect(exported["a.number"]?["variants"] == .object(["zero": .double(0), "half": .double(0.5)]))
        #expect(exported["a.integer"]?["variants"] == .object(["max": .integer(.max)]))
        #expect(exported["a.object"]?["variants"]?["o"] == .object(["k": .array([.null, .bool(true)])]))

        let text = String(decoding: try FlagdExporter().bytes(for: snapshot), as: UTF8.self)
        #expect(text.contains(#""zero": 0.0"#), "number values keep a fraction, so readers keep them floating-point")
        #expect(text.contains("9223372036854775807"), "integers are written exactly")
    }

    @Test func bytesAreDeterministicAndParseToTheDocument() throws {
        let flags = (0..<20).map { index in
            Self.flag("f.k\(index)", rules: [Rule(name: "r", from: 10, until: 20, conditions: [.attribute(name: "plan", op: .in, operand: .strings(["b", "a"]))],
                                                  outcome: .split(Split(seed: "s", buckets: [.init(variant: "true", weight: 2500), .init(variant: "false", weight: 7500)])))])
        }
        let exporter = FlagdExporter()
        let bytes = try exporter.bytes(for: Self.snapshot(flags))
        #expect(try exporter.bytes(for: Self.snapshot(flags.reversed())) == bytes)
        #expect(bytes.last == UInt8(ascii: "\n"))
        #expect(try JSONValue(parsing: bytes) == exporter.document(for: Self.snapshot(flags)))
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.contains("\n      \"targeting\": {\n        \"if\": [\n          {\"and\":"), "each rule of the if chain on its own line")
    }

    @Test func rulesBecomeAnIfChainInOrder() throws {
        let rules = [
            Rule(name: "window", from: 100, until: 200, outcome: .serve(variant: "true")),
            Rule(conditions: [.environment(["staging"]), .attribute(name: "targetingKey", op: .in, operand: .strings(["u1"]))], outcome: .serve(variant: "false")),
            Rule(outcome: .split(Split(seed: "seed-ü", bucketBy: "tenant", buckets: [.init(variant: "true", weight: 0), .init(variant: "false", weight: 10_000)]))),
        ]
        let document = try FlagdExporter().document(for: Self.snapshot([Self.flag("f.chain", rules: rules)]))
        let chain = try #require(document["flags"]?["f.chain"]?["targeting"]?["if"]?.arrayValue)
        func v(_ name: String) -> JSONValue { .object(["var": .string(name)]) }
        func op(_ name: String, _ arguments: JSONValue...) -> JSONValue { .object([name: .array(arguments)]) }
        #expect(chain == [
            op("and", op("<=", .integer(100), v("$flagd.timestamp")), op("<", v("$flagd.timestamp"), .integer(200))),
            .string("true"),
            op("and", op("in", v("environment"), .array([.string("staging")])), op("in", v("targetingKey"), .array([.string("u1")]))),
            .string("false"),
            op("===", op("cat", v("tenant")), v("tenant")),
            op("fractional", op("cat", .string("seed-ü"), v("tenant")), .array([.string("true"), .integer(0)]), .array([.string("false"), .integer(10_000)])),
            .null,
        ])
    }

    @Test func typedOperatorsCarryGuards() throws {
        func targeting(_ condition: Condition) throws -> JSONValue {
            let flag = Self.flag("f.one", rules: [Rule(conditions: [condition], outcome: .serve(variant: "true"))])
            let document = try FlagdExporter().document(for: Self.snapshot([flag]))
            return try #require(document["flags"]?["f.one"]?["targeting"]?["if"]?.arrayValue?.first)
        }
        let plan = JSONValue.object(["var": .string("plan")])
        let isString = JSONValue.object(["===": .array([.object(["cat": .array([plan])]), plan])])
        #expect(try targeting(.attribute(name: "plan", op: .eq, operand: .string("pro"))) == .object(["===": .array([plan, .string("pro")])]))
        #expect(try targeting(.attribute(name: "plan", op: .neq, operand: .string("pro"))) == .object(["and": .array([isString, .object(["!==": .array([plan, .string("pro")])])])]))
        #expect(try targeting(.attribute(name: "plan", op: .exists, operand: .boolean(false))) == .object(["===": .array([plan, .null])]))
        #expect(try targeting(.attribute(name: "plan", op: .contains, operand: .string("x"))) == .object(["in": .array([.string("x"), plan])]))
        let numeric = try targeting(.attribute(name: "plan", op: .gte, operand: .number(10)))
        #expect(numeric["and"]?.arrayValue?.last == .object([">=": .array([plan, .double(10)])]))
        #expect(numeric["and"]?.arrayValue?.count == 3, "number guard (two parts) and the comparison")
        // Pairings the compiler never produces match nothing, as in FlagRuntime.
        #expect(try targeting(.attribute(name: "plan", op: .lt, operand: .string("x"))) == .bool(false))
        // Segments: any of them, each all of its conditions; an empty segment always holds.
        #expect(try targeting(.segments([ResolvedSegment(name: "a", conditions: []), ResolvedSegment(name: "b", conditions: [.environment(["x"])])])) == .bool(true))
    }

    @Test func versionAndTimeChecksAreSharedPerAttribute() throws {
        let rules = [
            Rule(conditions: [.attribute(name: "app_version", op: .semverGte, operand: .string("v2.4.0"))], outcome: .serve(variant: "true")),
            Rule(conditions: [.attribute(name: "app_version", op: .semverLt, operand: .string("3.0.0"))], outcome: .serve(variant: "true")),
            Rule(conditions: [.attribute(name: "signed_up", op: .before, operand: .timestamp(0))], outcome: .serve(variant: "true")),
            Rule(conditions: [.attribute(name: "versión", op: .semverEq, operand: .string("1.0.0"))], outcome: .serve(variant: "true")),
        ]
        let document = try FlagdExporter().document(for: Self.snapshot([Self.flag("f.a", rules: rules), Self.flag("f.b", rules: rules)]))
        let evaluators = try #require(document["$evaluators"]?.objectValue)
        #expect(evaluators.keys.sorted() == ["flagc.rfc3339_seconds.signed_up", "flagc.rfc3339_valid.signed_up", "flagc.semver_form.app_version"],
                "one entry per check and attribute; the non-ASCII name stays inline")
        let text = JSONWriter(style: .compact).string(document["flags"]!["f.a"]!)
        #expect(text.contains(#"{"$ref":"flagc.semver_form.app_version"}"#))
        #expect(text.contains(#"{"sem_ver":[{"var":"app_version"},">=","2.4.0"]}"#), "the operand without its leading v, as flagd's schema wants")
        #expect(!text.contains("flagc.semver_form.versi"))
    }

    @Test func namesFlagdCannotReadAreReported() throws {
        let flags = [
            Self.flag("f.dotted", rules: [
                Rule(outcome: .serve(variant: "true")),
                Rule(name: "nested", conditions: [.segments([ResolvedSegment(name: "s", conditions: [.attribute(name: "user.plan", op: .exists, operand: .boolean(true))])])],
                     outcome: .serve(variant: "true")),
                Rule(outcome: .split(Split(seed: "s", bucketBy: "$flagd", buckets: [.init(variant: "true", weight: 10_000)]))),
            ]),
            Flag(key: "f.line\nbreak", type: .string, variants: [Variant(name: "a\u{2028}b", value: .string("x"))], defaultVariant: "a\u{2028}b"),
        ]
        #expect(throws: FlagdExportError.self) { try FlagdExporter().document(for: Self.snapshot(flags)) }
        do {
            _ = try FlagdExporter().document(for: Self.snapshot(flags))
        } catch {
            let lines = error.problems.map(\.description)
            #expect(lines.count == 4, "\(lines)")
            #expect(lines.contains { $0.hasPrefix("flag 'f.dotted', rule 2 (\"nested\"): attribute 'user.plan' has a '.'") }, "\(lines)")
            #expect(lines.contains { $0.hasPrefix("flag 'f.dotted', rule 3: attribute '$flagd' is where flagd puts its own values") }, "\(lines)")
            #expect(lines.contains { $0.contains("the flag key has a line break") }, "\(lines)")
            #expect(lines.contains { $0.contains("variant name \"a\u{2028}b\" has a line break") }, "\(lines)")
        }
    }

    @Test func theRepositoryFlagsExport() throws {
        for environment in [nil, "production"] as [String?] {
            let snapshot = try Compilation.snapshot(paths: [FlagdPython.repositoryRoot.appendingPathComponent("flags").path], environment: environment)
            let document = try FlagdExporter().document(for: snapshot)
            #expect(document["flags"]?.objectValue?.count == snapshot.flags.count)
            #expect(document["metadata"]?["version"]?.stringValue == snapshot.id)
        }
    }
}

@Suite struct JSONLogicFoldingTests {
    @Test func andOrFoldConstantsAndFlatten() {
        let x = JSONValue.object(["var": .string("x")]), y = JSONValue.object(["var": .string("y")])
        #expect(JSONLogic.and([]) == .bool(true))
        #expect(JSONLogic.or([]) == .bool(false))
        #expect(JSONLogic.and([.bool(true), x]) == x)
        #expect(JSONLogic.and([x, .bool(false)]) == .bool(false))
        #expect(JSONLogic.or([.bool(false), x, .bool(true)]) == .bool(true))
        #expect(JSONLogic.and([x, JSONLogic.and([x, y])]) == .object(["and": .array([x, x, y])]))
        #expect(JSONLogic.not(.bool(true)) == .bool(false))
        #expect(JSONLogic.not(.array([x])) == .object(["!": .array([.array([x])])]), "a literal array stays one argument")
    }
}
