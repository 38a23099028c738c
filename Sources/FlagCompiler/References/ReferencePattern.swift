/// A template for a name under which code may use a flag, such as `Flags.{camel}` or `FLAG_{UPPER}`
/// (`refs.patterns` in `flagc.yaml`).
///
/// Placeholders, shown for `billing.invoice_auto_generate`:
///
/// | placeholder | expands to |
/// | --- | --- |
/// | `{key}` | `billing.invoice_auto_generate` |
/// | `{camel}` | `billingInvoiceAutoGenerate` |
/// | `{Camel}` | `BillingInvoiceAutoGenerate` |
/// | `{snake}` | `billing_invoice_auto_generate` |
/// | `{UPPER}` | `BILLING_INVOICE_AUTO_GENERATE` |
///
/// `flagc refs` always looks for `{key}` and `{camel}`; a template adds another name. Outside its placeholders a
/// template holds only ASCII letters, digits, `_` and `.`, since names are matched as whole tokens of those bytes.
public struct ReferencePattern: Sendable, Hashable {
    /// The template as written.
    public let template: String

    /// The placeholders a template may use.
    public static let placeholders = ["{key}", "{camel}", "{Camel}", "{snake}", "{UPPER}"]

    /// The names flagc refs looks for without any template.
    static let builtIn = [ReferencePattern(template: "{key}"), ReferencePattern(template: "{camel}")]

    /// Why a template was refused.
    public struct Problem: Error, Sendable, CustomStringConvertible {
        /// What is wrong and what to do.
        public var description: String
    }

    private init(template: String) {
        self.template = template
    }

    /// Checks a template: at least one placeholder, nothing but letters, digits, `_` and `.` around them.
    public static func parse(_ template: String) -> Result<ReferencePattern, Problem> {
        var rest = template
        var placeholderCount = 0
        for placeholder in placeholders {
            let parts = rest.components(separatedBy: placeholder)
            placeholderCount += parts.count - 1
            rest = parts.joined(separator: "")
        }
        guard placeholderCount > 0 else {
            return .failure(Problem(description: "has no placeholder; use one of \(placeholders.joined(separator: ", ")), as in 'Flags.{camel}'"))
        }
        if let bad = rest.unicodeScalars.first(where: { !ReferencePattern.isNameScalar($0) }) {
            return .failure(Problem(description: "holds '\(bad)'; outside placeholders a pattern may hold only ASCII letters, digits, '_' and '.'"))
        }
        return .success(ReferencePattern(template: template))
    }

    /// The name this template gives a flag key.
    public func expand(_ key: String) -> String {
        var text = template
        if text.contains("{key}") { text = text.replacingOccurrences(of: "{key}", with: key) }
        if text.contains("{camel}") { text = text.replacingOccurrences(of: "{camel}", with: ReferencePattern.camelCase(key, upperFirst: false)) }
        if text.contains("{Camel}") { text = text.replacingOccurrences(of: "{Camel}", with: ReferencePattern.camelCase(key, upperFirst: true)) }
        if text.contains("{snake}") { text = text.replacingOccurrences(of: "{snake}", with: ReferencePattern.snakeCase(key)) }
        if text.contains("{UPPER}") { text = text.replacingOccurrences(of: "{UPPER}", with: ReferencePattern.snakeCase(key).uppercased()) }
        return text
    }

    /// `billing.invoice_auto_generate` → `billingInvoiceAutoGenerate`: the key split at `.`, `_` and `-`, each
    /// word after the first capitalised (the first too with `upperFirst`), the rest of each word kept as written.
    static func camelCase(_ key: String, upperFirst: Bool) -> String {
        var result = ""
        for (index, word) in key.split(whereSeparator: { $0 == "." || $0 == "_" || $0 == "-" }).enumerated() {
            if index == 0 && !upperFirst {
                result += word
            } else {
                result += word.prefix(1).uppercased() + word.dropFirst()
            }
        }
        return result
    }

    /// `billing.invoice_auto_generate` → `billing_invoice_auto_generate`.
    static func snakeCase(_ key: String) -> String {
        String(key.map { $0 == "." || $0 == "-" ? "_" : $0 })
    }

    static func isNameScalar(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "_" || scalar == ".")
    }
}
