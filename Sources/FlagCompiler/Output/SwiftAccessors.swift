import FlagRuntime
import Foundation

/// Swift source with a typed `FlagHandle` per flag, in a namespace per module: what `flagc generate swift` and the
/// `FlagAccessors` build plugin write, so that a service reads `store.isEnabled(Flags.billing.invoiceAutoGenerate)`
/// and a removed or misspelled flag is a compile error.
///
/// ```swift
/// let source = try SwiftAccessors(snapshot: snapshot, now: now).source()
/// ```
///
/// - A flag `billing.invoice_auto_generate` is `Flags.billing.invoiceAutoGenerate`: the key's first segment is the
///   namespace, the rest its camelCase name. A key without a dot is a member of `Flags` itself.
/// - Booleans are `FlagHandle<Bool>`, integers `Int`, numbers `Double`, objects `[String: JSONValue]`. A string
///   flag gets an enum of its variants (case names from the variant names, raw values the values), unless two
///   variants hold the same value: then it is `String`.
/// - The default of each handle is the value of the flag's `default` variant.
/// - Documentation comments carry the description, owner, type, expiry and key; a flag past `expires` at `now` is
///   `@available(*, deprecated, message: …)`, so code that still reads it warns.
public struct SwiftAccessors: Sendable {
    /// A name the generator could not give: two flags that map to one Swift name.
    public struct Collision: Error, Sendable, CustomStringConvertible {
        /// The Swift name, for example `Flags.billing.invoiceAutoGenerate`.
        public var name: String
        /// The flag keys that map to it.
        public var keys: [String]

        /// What is wrong and what to do.
        public var description: String {
            "flags \(keys.map { "'\($0)'" }.joined(separator: " and ")) both become \(name); rename one of them"
        }
    }

    /// The flags, sorted by key.
    public var snapshot: Snapshot
    /// Flag types (`type:` in the flag files) by key, for the comments.
    public var kinds: [String: FlagKind]
    /// "Now" for deprecating expired flags (Unix seconds).
    public var now: Int64
    /// `public` or `internal` (the default: the accessors belong to the module that reads them).
    public var access: String
    /// The name of the outer namespace.
    public var namespace: String

    /// Creates a generator.
    public init(snapshot: Snapshot, kinds: [String: FlagKind] = [:], now: Int64, access: String = "internal", namespace: String = "Flags") {
        self.snapshot = snapshot
        self.kinds = kinds
        self.now = now
        self.access = access
        self.namespace = namespace
    }

    /// The source text; deterministic for the same flags and the same day.
    public func source() throws(Collision) -> String {
        var modules: [String: [(name: String, flag: Flag)]] = [:]
        var taken: [String: String] = [:]
        for flag in snapshot.flags {
            let segments = flag.key.split(separator: ".").map(String.init)
            let module = segments.count > 1 ? Self.identifier(segments[0], capitalised: false) : ""
            let name = Self.identifier(segments.count > 1 ? segments.dropFirst().joined(separator: "_") : flag.key, capitalised: false)
            let full = ([namespace] + (module.isEmpty ? [] : [module]) + [name]).joined(separator: ".")
            if let other = taken[full] { throw Collision(name: full, keys: [other, flag.key]) }
            taken[full] = flag.key
            modules[module, default: []].append((name, flag))
        }
        let prefix = access == "internal" ? "" : access + " "
        var lines = [
            "// Written by `flagc generate swift` from \(snapshot.flags.count) flag\(snapshot.flags.count == 1 ? "" : "s"). Do not edit: generate it again when the flags change.",
            "import FlagRuntime",
            "",
            "/// The project's flags as typed handles: `store.isEnabled(\(namespace).module.flagName)`.",
            "\(prefix)enum \(namespace) {",
        ]
        for flag in modules[""] ?? [] { lines += member(flag.name, flag.flag, indent: "    ", prefix: prefix) }
        for module in modules.keys.sorted() where !module.isEmpty {
            if lines.last != "\(prefix)enum \(namespace) {" { lines.append("") }
            lines.append("    /// The flags of the module `\(module.trimmingCharacters(in: ["`"]))`.")
            lines.append("    \(prefix)enum \(module) {")
            var first = true
            for flag in modules[module]! {
                if !first { lines.append("") }
                first = false
                lines += member(flag.name, flag.flag, indent: "        ", prefix: prefix)
            }
            lines.append("    }")
        }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    /// One flag: its comment, its value enum when it has one, its handle.
    private func member(_ name: String, _ flag: Flag, indent: String, prefix: String) -> [String] {
        var lines: [String] = []
        func comment(_ text: String) { lines.append(indent + "///" + (text.isEmpty ? "" : " " + text)) }
        let defaultValue = flag.variants.first { $0.name == flag.defaultVariant }?.value
        var type: String
        var literal: String
        var enumeration: [String] = []
        switch flag.type {
        case .boolean:
            type = "Bool"
            literal = defaultValue == .boolean(true) ? "true" : "false"
        case .integer:
            type = "Int"
            if case .integer(let value)? = defaultValue { literal = String(value) } else { literal = "0" }
        case .number:
            type = "Double"
            if case .number(let value)? = defaultValue { literal = Self.doubleLiteral(value) } else { literal = "0" }
        case .object:
            type = "[String: JSONValue]"
            literal = defaultValue.map { Self.jsonLiteral($0.jsonValue) } ?? "[:]"
        case .string:
            let values = flag.variants.compactMap { variant -> (String, String)? in
                guard case .string(let value) = variant.value else { return nil }
                return (variant.name, value)
            }
            let cases = values.map { Self.identifier($0.0, capitalised: false) }
            if Set(values.map(\.1)).count == values.count, Set(cases).count == cases.count, !values.isEmpty {
                type = Self.identifier(name.trimmingCharacters(in: ["`"]), capitalised: true)
                if case .string(let value)? = defaultValue, let index = values.firstIndex(where: { $0.1 == value }) {
                    literal = "." + cases[index].trimmingCharacters(in: ["`"])
                } else {
                    literal = "." + cases[0].trimmingCharacters(in: ["`"])
                }
                enumeration.append("\(indent)/// The values of `\(flag.key)`, by variant.")
                enumeration.append("\(indent)\(prefix)enum \(type): String, FlagValueConvertible, CaseIterable, Sendable {")
                for (index, value) in values.enumerated() {
                    enumeration.append("\(indent)    case \(cases[index]) = \(Self.stringLiteral(value.1))")
                }
                enumeration.append("\(indent)}")
                enumeration.append("")
            } else {
                type = "String"
                if case .string(let value)? = defaultValue { literal = Self.stringLiteral(value) } else { literal = "\"\"" }
            }
        }
        lines += enumeration
        if let description = flag.metadata.description {
            for line in description.split(separator: "\n", omittingEmptySubsequences: false) { comment(String(line)) }
            comment("")
        }
        comment("- Key: `\(flag.key)`")
        if let owner = flag.metadata.owner { comment("- Owner: \(owner)") }
        if let kind = kinds[flag.key] { comment("- Type: \(kind.rawValue)") }
        if let expires = flag.metadata.expires { comment("- Expires: \(FlagExpired.describeExpiry(expires).replacingOccurrences(of: "at the end of ", with: ""))") }
        if !flag.enabled { comment("- Disabled: every evaluation gives the default.") }
        if let expires = flag.metadata.expires, expires <= now {
            let message = "flag '\(flag.key)' expired \(FlagExpired.describeExpiry(expires)); remove it and the code that reads it"
            lines.append("\(indent)@available(*, deprecated, message: \(Self.stringLiteral(message)))")
        }
        lines.append("\(indent)\(prefix)static let \(name) = FlagHandle<\(type)>(\(Self.stringLiteral(flag.key)), default: \(literal))")
        return lines
    }

    /// A Swift identifier from a name: words split at `.`, `_`, `-` and spaces, camelCase (first letter upper when
    /// `capitalised`), other characters dropped, `_` in front of a leading digit, keywords in backticks.
    static func identifier(_ text: String, capitalised: Bool) -> String {
        let words = text.split { $0 == "." || $0 == "_" || $0 == "-" || $0 == " " }.map { word in
            String(word.unicodeScalars.filter { ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) })
        }.filter { !$0.isEmpty }
        var name = ""
        for (index, word) in words.enumerated() {
            name += index == 0 && !capitalised ? word.prefix(1).lowercased() + word.dropFirst() : word.prefix(1).uppercased() + word.dropFirst()
        }
        if name.isEmpty { name = "_" }
        if let first = name.unicodeScalars.first, ("0"..."9").contains(first) { name = "_" + name }
        return keywords.contains(name) ? "`\(name)`" : name
    }

    private static let keywords: Set<String> = [
        "associatedtype", "class", "deinit", "enum", "extension", "fileprivate", "func", "import", "init", "inout", "internal", "let",
        "open", "operator", "private", "precedencegroup", "protocol", "public", "rethrows", "static", "struct", "subscript",
        "typealias", "var", "break", "case", "catch", "continue", "default", "defer", "do", "else", "fallthrough", "for", "guard",
        "if", "in", "repeat", "return", "throw", "switch", "where", "while", "Any", "as", "await", "false", "is", "nil", "self",
        "Self", "super", "throws", "true", "try", "Type",
    ]

    /// A string literal with `"`, `\` and control characters escaped.
    static func stringLiteral(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    result += "\\u{\(String(scalar.value, radix: 16))}"
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }

    private static func doubleLiteral(_ value: Double) -> String {
        let text = JSONWriter(style: .compact).string(.double(value))
        return text.contains(".") || text.contains("e") || text.contains("E") ? text : text + ".0"
    }

    /// A `JSONValue` literal (the runtime's literal conformances), for object defaults.
    static func jsonLiteral(_ value: JSONValue) -> String {
        switch value {
        case .null: "nil"
        case .bool(let flag): flag ? "true" : "false"
        case .integer(let integer): String(integer)
        case .double(let double): doubleLiteral(double)
        case .string(let string): stringLiteral(string)
        case .array(let items): "[" + items.map(jsonLiteral).joined(separator: ", ") + "]"
        case .object(let members):
            members.isEmpty ? "[:]" : "[" + members.keys.sorted().map { "\(stringLiteral($0)): \(jsonLiteral(members[$0]!))" }.joined(separator: ", ") + "]"
        }
    }
}
