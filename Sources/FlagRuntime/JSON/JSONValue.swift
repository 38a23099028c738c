/// A JSON value, as stored in snapshots (object variant values, metadata) and produced by the canonical writer.
///
/// Equality and hashing follow Swift's rules for the payloads: strings (and object keys) compare by
/// canonical equivalence, and `.integer(1)` is not equal to `.double(1.0)`.
public enum JSONValue: Sendable, Hashable {
    /// The JSON `null` literal.
    case null
    /// The JSON `true` or `false` literal.
    case bool(Bool)
    /// A JSON number written without fraction or exponent that fits `Int64`.
    case integer(Int64)
    /// Any other JSON number (finite only; the writer emits `null` for infinities and NaN).
    case double(Double)
    /// A JSON string.
    case string(String)
    /// A JSON array.
    case array([JSONValue])
    /// A JSON object; key order is not significant (the writer sorts keys by their UTF-8 bytes).
    case object([String: JSONValue])
}

extension JSONValue {
    /// The member named `key` if this is an object that has one, otherwise `nil`.
    public subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    /// The payload if this is a `.string`, otherwise `nil`.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The payload if this is a `.bool`, otherwise `nil`.
    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// The payload if this is an `.integer`, otherwise `nil` (doubles are not converted).
    public var integerValue: Int64? {
        if case .integer(let value) = self { return value }
        return nil
    }

    /// The number as a `Double` if this is a `.double` or an `.integer` (possibly rounded), otherwise `nil`.
    public var doubleValue: Double? {
        switch self {
        case .double(let value): return value
        case .integer(let value): return Double(value)
        default: return nil
        }
    }

    /// The elements if this is an `.array`, otherwise `nil`.
    public var arrayValue: [JSONValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    /// The members if this is an `.object`, otherwise `nil`.
    public var objectValue: [String: JSONValue]? {
        if case .object(let value) = self { return value }
        return nil
    }

    /// Whether this is `.null`.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }
}
