@testable import FlagCompiler
import Testing

/// The multi-name matcher of `flagc refs`: token boundaries, dotted parts, quoted candidates.
@Suite struct ReferenceMatcherTests {
    static let matcher = ReferenceMatcher(names: [
        ("billing.retry_limit", 0), ("billingRetryLimit", 0),
        ("billing.invoice_auto_generate", 1), ("billingInvoiceAutoGenerate", 1),
    ])

    static func found(_ text: String) -> [String] {
        let bytes = Array(text.utf8)
        return matcher.scan(bytes).map { hit in
            (hit.name < 0 ? "?" : "\(hit.name):") + String(decoding: bytes[hit.start..<hit.end], as: UTF8.self)
        }
    }

    @Test(arguments: [
        ("flags.isEnabled(\"billing.retry_limit\")", ["0:billing.retry_limit"]),
        ("billing.retry_limit_v2 and xbilling.retry_limit", []),
        ("let n = Flags.billingRetryLimit", ["0:billingRetryLimit"]),
        ("switch .billingInvoiceAutoGenerate {", ["1:billingInvoiceAutoGenerate"]),
        ("see billing.invoice_auto_generate.", ["1:billing.invoice_auto_generate"]),
        ("billingRetryLimits billingRetryLimité", []),
        ("billing.retry_limit.billing.invoice_auto_generate", ["0:billing.retry_limit", "1:billing.invoice_auto_generate"]),
        ("'billing.retry_limt' \"os.path\" billing.other", ["?billing.retry_limt", "?os.path"]),
        ("`billing.retry_limit'", ["0:billing.retry_limit"]),
        ("\"billing.x'", []),
    ])
    func boundaries(_ text: String, _ expected: [String]) {
        #expect(Self.found(text) == expected, "\(text)")
    }

    @Test func camelCaseAndTemplates() throws {
        #expect(ReferencePattern.camelCase("billing.invoice_auto_generate", upperFirst: false) == "billingInvoiceAutoGenerate")
        let upper = try ReferencePattern.parse("FLAG_{UPPER}").get()
        #expect(upper.expand("billing.retry_limit") == "FLAG_BILLING_RETRY_LIMIT")
        #expect(try ReferencePattern.parse("Flags.{Camel}").get().expand("ui.dark_mode") == "Flags.UiDarkMode")
        #expect(throws: ReferencePattern.Problem.self) { try ReferencePattern.parse("Flags.camel").get() }
        #expect(throws: ReferencePattern.Problem.self) { try ReferencePattern.parse("isOn({key})").get() }
    }

    @Test func unknownKeys() {
        let classifier = UnknownKeyClassifier(keys: ["billing.invoice_auto_generate", "billing.retry_limit"], config: ProjectConfig())
        #expect(classifier.classify("billing.invoice_auto_generat") == .some("billing.invoice_auto_generate"))
        #expect(classifier.classify("billing.new_export") == .some(nil))
        #expect(classifier.classify("package.json") == nil)
        #expect(classifier.classify("billing.Not-A-Key") == nil)
    }
}
