@testable import FlagCompiler
import FlagRuntime
import Foundation
import Testing

/// The OpenFeature Operator resources: their YAML layout, the embedded flagSpec (the flagd document), the CRD's
/// requirements and Kubernetes names. `Tests/FlagcEndToEndTests/OpenFeatureOperatorCompileTests` validates whole
/// files against the operator's CRDs.
@Suite struct OpenFeatureOperatorExporterTests {
    static let snapshot = FlagdExporterTests.snapshot([
        FlagdExporterTests.flag("billing.new_invoices", metadata: FlagMetadata(description: "New invoices", owner: "team-billing")),
        FlagdExporterTests.flag("ui.retired", enabled: false),
        Flag(key: "ui.ratio", type: .number, variants: [Variant(name: "tiny", value: .number(1e-7)), Variant(name: "huge", value: .number(1e16))],
             defaultVariant: "huge"),
    ], environment: "production", revision: "r1")

    /// The two documents of a file, and the flagSpec read back from the first.
    static func parts(_ bytes: [UInt8]) throws -> (featureFlag: String, source: String, flagSpec: JSONValue) {
        let text = String(decoding: bytes, as: UTF8.self)
        let documents = text.components(separatedBy: "\n---\n")
        try #require(documents.count == 2, "two YAML documents: \(text)")
        let lines = documents[0].split(separator: "\n", omittingEmptySubsequences: false)
        let start = try #require(lines.firstIndex(of: "  flagSpec:"), "\(text)")
        let specLines = lines[(start + 1)...].filter { !$0.isEmpty }
        #expect(specLines.allSatisfy { $0.hasPrefix("    ") }, "the flow node is indented under flagSpec")
        let json = specLines.map { String($0.dropFirst(4)) }.joined(separator: "\n")
        return (documents[0], documents[1], try JSONValue(parsing: Array(json.utf8)))
    }

    @Test func resourcesAndTheirFlagSpec() throws {
        let exporter = OpenFeatureOperatorExporter(name: "checkout-flags", namespace: "checkout", flagSetID: "checkout")
        let bytes = try exporter.bytes(for: Self.snapshot)
        #expect(try exporter.bytes(for: Self.snapshot) == bytes, "the same snapshot gives the same bytes")
        let (featureFlag, source, flagSpec) = try Self.parts(bytes)

        let header = featureFlag.split(separator: "\n").drop { $0.hasPrefix("#") }.prefix(9).joined(separator: "\n")
        #expect(header == """
            apiVersion: core.openfeature.dev/v1beta1
            kind: FeatureFlag
            metadata:
              labels:
                app.kubernetes.io/managed-by: flagc
              name: "checkout-flags"
              namespace: "checkout"
            spec:
              flagSpec:
            """)
        #expect(featureFlag.contains("#   openfeature.dev/featureflagsource: \"checkout/checkout-flags\"\n"), "the comment names the pod annotation")
        #expect(source == """
            apiVersion: core.openfeature.dev/v1beta1
            kind: FeatureFlagSource
            metadata:
              labels:
                app.kubernetes.io/managed-by: flagc
              name: "checkout-flags"
              namespace: "checkout"
            spec:
              sources:
                - provider: kubernetes
                  source: "checkout/checkout-flags"

            """)

        // The flagSpec is the flagd document, less the `$schema` the CRD does not declare.
        guard case .object(var expected) = try FlagdExporter(flagSetID: "checkout").document(for: Self.snapshot) else {
            Issue.record("the flagd document is an object")
            return
        }
        expected["$schema"] = nil
        #expect(flagSpec == .object(expected))
        #expect(flagSpec["flags"]?["ui.retired"]?["state"] == .string("DISABLED"))
        #expect(flagSpec["flags"]?["ui.retired"]?["defaultVariant"] == .string("false"), "a disabled flag keeps its default variant")
        // Floats keep a fraction, so that YAML 1.1 readers read them as numbers.
        #expect(featureFlag.contains(#""huge": 1.0e+16"#) && featureFlag.contains(#""tiny": 1.0e-07"#), "\(featureFlag)")
    }

    @Test func defaultNameAndNamespace() throws {
        let (featureFlag, source, _) = try Self.parts(try OpenFeatureOperatorExporter().bytes(for: Self.snapshot))
        #expect(featureFlag.contains("  name: \"flagc\"\n  namespace: \"default\"\n"))
        #expect(source.contains("      source: \"default/flagc\"\n"))
    }

    @Test func aFlagFlagdCannotExpressIsAnErrorNamingIt() throws {
        let broken = FlagdExporterTests.snapshot([FlagdExporterTests.flag("demo.line\nbreak")])
        #expect {
            try OpenFeatureOperatorExporter().bytes(for: broken)
        } throws: { error in
            (error as? FlagdExportError)?.problems.map(\.flagKey) == ["demo.line\nbreak"]
        }
    }

    @Test func theCRDRequiresADefaultVariantAStateAndVariants() {
        let flagSpec: JSONValue = .object(["flags": .object([
            "a.fine": .object(["state": "ENABLED", "variants": .object(["on": true]), "defaultVariant": "on"]),
            "b.no_default": .object(["state": "ENABLED", "variants": .object(["on": true])]),
            "c.unknown_default": .object(["state": "DISABLED", "variants": .object(["on": true]), "defaultVariant": "off"]),
            "d.no_state": .object(["variants": .object(["on": true]), "defaultVariant": "on"]),
            "e.no_variants": .object(["state": "ENABLED", "defaultVariant": "on"]),
        ])])
        let problems = OpenFeatureOperatorExporter.crdProblems(flagSpec)
        #expect(problems.map(\.flagKey) == ["b.no_default", "c.unknown_default", "d.no_state", "e.no_variants"])
        #expect(problems.first?.description == "flag 'b.no_default': has no default variant, which the OpenFeature Operator's FeatureFlag requires (defaultVariant); give the flag a default")
        #expect(OpenFeatureOperatorExporter.crdProblems(.object([:])).count == 1)
    }

    @Test(arguments: ["flagc", "a", "checkout-flags", "flags.production", "1e3", "true", String(repeating: "a", count: 63)])
    func validNames(_ name: String) {
        #expect(OpenFeatureOperatorExporter.nameProblem(name) == nil)
        #expect(OpenFeatureOperatorExporter.namespaceProblem(name) == nil || name.contains("."))
    }

    @Test(arguments: ["", "Flags", "flags_prod", "-flags", "flags-", "a..b", ".a", "flags/prod", "fläg", String(repeating: "a", count: 64)])
    func invalidNames(_ name: String) {
        #expect(OpenFeatureOperatorExporter.nameProblem(name) != nil)
        #expect(OpenFeatureOperatorExporter.namespaceProblem(name) != nil)
    }

    @Test func namesAreQuotedSoYAMLKeepsThemStrings() throws {
        let (featureFlag, _, _) = try Self.parts(try OpenFeatureOperatorExporter(name: "true", namespace: "null").bytes(for: Self.snapshot))
        #expect(featureFlag.contains("  name: \"true\"\n  namespace: \"null\"\n"))
    }
}

/// JSON text embedded in YAML: the same value for a JSON reader, and nothing a YAML 1.1 reader reads differently.
@Suite struct YAMLFlowJSONTests {
    static func embed(_ text: String) -> String {
        String(decoding: YAMLFlowJSON.embeddable(Array(text.utf8)), as: UTF8.self)
    }

    @Test(arguments: [
        (#"[1e+16,-2e-07,1E5,1.5e+300,0.5,-0.0,12,-3]"#, #"[1.0e+16,-2.0e-07,1.0E5,1.5e+300,0.5,-0.0,12,-3]"#),
        (#"{"1e5":"1e5 x","k":[true,false,null]}"#, #"{"1e5":"1e5 x","k":[true,false,null]}"#),
        ("\"a\u{2028}b\u{2029}c\u{85}d\u{7F}e\u{9F}f\u{FEFF}g\u{FFFE}\u{FFFF}\"", #""a\u2028b\u2029c\u0085d\u007fe\u009ff\ufeffg\ufffe\uffff""#),
        (#""quote \" then 1e5 and \\" ,2e3"#, #""quote \" then 1e5 and \\" ,2.0e3"#),
        ("\"é ü € 😀 \u{A0}\"", "\"é ü € 😀 \u{A0}\""),
    ])
    func rewrites(_ input: String, _ expected: String) {
        #expect(Self.embed(input) == expected)
    }

    @Test func theValueIsUnchanged() throws {
        let value: JSONValue = .object([
            "numbers": .array([.double(1e16), .double(1e-7), .double(-1e300), .double(0.1), .integer(Int64.max)]),
            "text": .string("line\u{2028}separator \u{85} \u{7F} \u{FEFF} \u{9B} \"1e5\" \\"),
        ])
        let embedded = YAMLFlowJSON.embeddable(JSONWriter(style: .pretty).bytes(value))
        #expect(try JSONValue(parsing: embedded) == value)
    }
}
