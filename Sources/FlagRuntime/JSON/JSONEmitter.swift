/// Writes canonical JSON straight from typed values, without building a `JSONValue` tree first.
///
/// The output is byte-identical to `JSONWriter` for the same document, provided the caller writes each
/// object's keys in sorted (UTF-8 byte) order; debug builds check that order.
package struct JSONEmitter: ~Copyable {
    /// (A `JSONOutput` cannot be copied, so neither can the emitter; it is only ever passed `inout`.)
    private var bytes: JSONOutput
    private let style: JSONWriter.Style
    /// Whether the current container is indented.
    private var pretty: Bool { style.indents(atDepth: max(0, open.count - 1)) }
    /// For each open container: whether it has a member yet, and (debug only) the last key written.
    private var open: [(hasMember: Bool, lastKey: String?)] = []

    package init(style: JSONWriter.Style, capacity: Int = 0) {
        self.style = style
        bytes = JSONOutput(capacity: capacity)
    }

    /// An emitter that only hashes the compact document it is given; `finishDigest()` gives its SHA-256.
    package init(hashingCompact: Void) {
        style = .compact
        bytes = JSONOutput(hashing: ())
    }

    /// The SHA-256 of the finished compact document, for an emitter created with `init(hashingCompact:)`.
    package mutating func finishDigest() -> [UInt8] {
        bytes.digest()
    }

    /// The finished document (a final newline in pretty style, as `JSONWriter` writes it).
    package mutating func finish() -> [UInt8] {
        if style.indents(atDepth: 0) { bytes.append(UInt8(ascii: "\n")) }
        return bytes.bytes()
    }

    package mutating func beginObject() { begin(UInt8(ascii: "{")) }
    package mutating func endObject() { end(UInt8(ascii: "}")) }
    package mutating func beginArray() { begin(UInt8(ascii: "[")) }
    package mutating func endArray() { end(UInt8(ascii: "]")) }

    /// Starts an object member; the value is written next.
    package mutating func key(_ key: String) {
        #if DEBUG
        assert(open.last?.lastKey.map { precedesByUTF8($0, key) } ?? true, "keys must be written in sorted order: \(key)")
        if !open.isEmpty { open[open.count - 1].lastKey = key }
        #endif
        separate()
        JSONWriter.appendString(key, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        if pretty { bytes.append(UInt8(ascii: " ")) }
    }

    /// Starts an array element.
    package mutating func element() {
        separate()
    }

    package mutating func string(_ value: String) { JSONWriter.appendString(value, to: &bytes) }
    package mutating func integer(_ value: Int64) { JSONWriter.appendInteger(value, to: &bytes) }
    package mutating func bool(_ value: Bool) { JSONWriter.appendASCII(value ? "true" : "false", to: &bytes) }

    /// Writes a value already rendered as compact JSON (such as `FlagMetadataJSON.bytes`), as it is; only for
    /// compact output, where a value's bytes do not depend on its depth.
    package mutating func rawValue(_ json: [UInt8]) {
        assert(!style.indents(atDepth: open.count), "a pre-rendered value is compact")
        json.withUnsafeBufferPointer { bytes.append($0) }
    }

    /// Writes a generic value at the current depth.
    package mutating func value(_ value: JSONValue) {
        JSONWriter.write(value, into: &bytes, style: style, indent: open.count)
    }

    package mutating func member(_ name: String, _ text: String) {
        key(name)
        string(text)
    }

    /// A member whose value is an array of strings.
    package mutating func member(_ name: String, strings: [String]) {
        key(name)
        beginArray()
        for index in strings.indices {
            element()
            string(strings[index])
        }
        endArray()
    }

    package mutating func member(_ name: String, _ number: Int64) {
        key(name)
        integer(number)
    }

    private mutating func begin(_ byte: UInt8) {
        bytes.append(byte)
        open.append((false, nil))
    }

    private mutating func end(_ byte: UInt8) {
        let container = open.removeLast()
        if style.indents(atDepth: open.count) && container.hasMember { JSONWriter.newline(indent: open.count, to: &bytes) }
        bytes.append(byte)
    }

    private mutating func separate() {
        guard !open.isEmpty else { return }
        if open[open.count - 1].hasMember { bytes.append(UInt8(ascii: ",")) }
        open[open.count - 1].hasMember = true
        if pretty { JSONWriter.newline(indent: open.count, to: &bytes) }
    }
}
