/// A YAML node with the position where it starts. Anchors, aliases and tags never reach this stage:
/// the parser reports them and leaves them out.
struct YAMLNode: Sendable {
    enum Content: Sendable {
        case scalar(YAMLScalar)
        case sequence([YAMLNode])
        case mapping([YAMLPair])
    }

    var content: Content
    var location: SourceLocation

    var scalar: YAMLScalar? {
        if case .scalar(let scalar) = content { return scalar }
        return nil
    }

    var sequence: [YAMLNode]? {
        if case .sequence(let items) = content { return items }
        return nil
    }

    /// An empty plain scalar, `~` or `null`.
    var isNull: Bool {
        scalar.map { $0.isPlain && $0.resolved == .null } ?? false
    }

    var mapping: [YAMLPair]? {
        if case .mapping(let pairs) = content { return pairs }
        return nil
    }

    /// A short name of the node's kind for messages: "a list", "a mapping", "the string 'x'", "a number".
    var kindDescription: String {
        switch content {
        case .sequence: "a list"
        case .mapping: "a mapping"
        case .scalar(let scalar):
            switch scalar.resolved {
            case .null: "an empty value"
            case .bool: "a boolean"
            case .integer, .float: "a number"
            case .string: "a string"
            }
        }
    }
}

/// A key and its value in a YAML mapping.
struct YAMLPair: Sendable {
    let key: YAMLNode
    let value: YAMLNode
    /// The key's text (keys are scalars: the parser reports any other key). Stored rather than computed
    /// because duplicate-key and field lookups compare it many times.
    let name: String

    init(key: YAMLNode, value: YAMLNode) {
        self.key = key
        self.value = value
        self.name = key.scalar?.value ?? ""
    }
}

/// A scalar's text and whether it was written plain (unquoted), which decides how it resolves.
struct YAMLScalar: Sendable {
    var value: String
    var isPlain: Bool

    /// The YAML 1.2 core-schema reading of the scalar: quoted scalars are always strings.
    var resolved: ResolvedScalar {
        isPlain ? ResolvedScalar(plain: value) : .string(value)
    }

    /// Whether YAML 1.1 readers would read this as an octal number although YAML 1.2 reads it as decimal: `010`.
    var isYAML11Octal: Bool {
        guard isPlain else { return false }
        var digits = Substring(value)
        if digits.first == "-" || digits.first == "+" { digits = digits.dropFirst() }
        return digits.count > 1 && digits.first == "0" && digits.utf8.allSatisfy { $0 >= 48 && $0 <= 57 }
    }

    /// Whether YAML 1.1 readers (PyYAML, many editors and CI tools) would read this as a boolean
    /// although YAML 1.2 reads it as a string: y, yes, n, no, on, off in any case.
    var isYAML11Boolean: Bool {
        guard isPlain, value.utf8.count <= 3 else { return false }
        switch value.lowercased() {
        case "y", "yes", "n", "no", "on", "off": return true
        default: return false
        }
    }
}

/// A plain scalar resolved by the YAML 1.2 core schema.
enum ResolvedScalar: Sendable, Equatable {
    case null
    case bool(Bool)
    case integer(Int64)
    case float(Double)
    case string(String)

    init(plain text: String) {
        // Every keyword is at most five bytes long; most plain scalars are longer names and skip the comparisons.
        if text.utf8.count <= 5 {
            switch text {
            case "", "~", "null", "Null", "NULL": self = .null; return
            case "true", "True", "TRUE": self = .bool(true); return
            case "false", "False", "FALSE": self = .bool(false); return
            default: break
            }
        }
        if let number = ResolvedScalar.number(text) {
            self = number
        } else {
            self = .string(text)
        }
    }

    /// Why a plain scalar that YAML reads as a number cannot be kept exactly as a flag value, or nil: an
    /// integer beyond 64 bits (it would become an approximate number), YAML's `.inf` and `.nan` (no flag value
    /// or JSON number holds them), or a float beyond the double range.
    static func unrepresentableNumber(_ text: String) -> String? {
        guard let first = text.utf8.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") || first == UInt8(ascii: ".") || (first >= 48 && first <= 57) else {
            return nil
        }
        let unsigned = first == UInt8(ascii: "-") || first == UInt8(ascii: "+") ? text.dropFirst() : Substring(text)
        if [".inf", ".Inf", ".INF"].contains(unsigned) {
            return "'\(text)' is YAML's infinity, which no flag value or JSON number can hold; quote it ('\(text)') if you mean the text, or write a finite number"
        }
        if [".nan", ".NaN", ".NAN"].contains(text) {
            return "'\(text)' is YAML's not-a-number, which no flag value or JSON number can hold; quote it ('\(text)') if you mean the text, or write a number"
        }
        switch number(text) {
        case .float(let value)? where unsigned.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }):
            return "the integer \(text) does not fit in 64 bits (\(Int64.min) … \(Int64.max)) and would become the approximate number \(value); quote it to keep it as text, or use a smaller number"
        case nil where Double(text)?.isInfinite == true:
            return "the number \(text) is beyond the range of a 64-bit floating-point number; quote it to keep it as text, or use a smaller number"
        default:
            return nil
        }
    }

    /// Decimal integers and floats of the core schema; `.inf` and `.nan` stay strings (flag values must be finite).
    private static func number(_ text: String) -> ResolvedScalar? {
        guard let first = text.utf8.first else { return nil }
        guard first == UInt8(ascii: "-") || first == UInt8(ascii: "+") || first == UInt8(ascii: ".") || (first >= 48 && first <= 57) else {
            return nil
        }
        // Scans the string's own UTF-8 storage: `Array(text.utf8)` cost an allocation per plain scalar.
        var storage = text
        return storage.withUTF8 { bytes -> ResolvedScalar? in
            var index = 0
            if bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") { index += 1 }
            let integerStart = index
            while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 { index += 1 }
            let integerDigits = index - integerStart
            if index == bytes.count {
                guard integerDigits > 0 else { return nil }
                let digits = first == UInt8(ascii: "+") ? String(text.dropFirst()) : text
                if let value = Int64(digits) { return .integer(value) }
                return Double(digits).map { .float($0) }
            }
            var fractionDigits = 0
            if bytes[index] == UInt8(ascii: ".") {
                index += 1
                let fractionStart = index
                while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 { index += 1 }
                fractionDigits = index - fractionStart
            }
            guard integerDigits + fractionDigits > 0 else { return nil }
            if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
                index += 1
                if index < bytes.count, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") { index += 1 }
                let exponentStart = index
                while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 { index += 1 }
                guard index > exponentStart else { return nil }
            }
            guard index == bytes.count, let value = Double(text), value.isFinite else { return nil }
            return .float(value)
        }
    }
}
