/// Finds many names at once in a file's bytes, in one pass, at token boundaries.
///
/// A token is a maximal run of name bytes: ASCII letters, digits, `_`, `.`, bytes of 0x80 and above (so a
/// name inside a longer non-ASCII identifier is not found), and any other byte some name contains (a key with
/// `-` under a custom naming pattern). Each token is looked up whole in an open-addressing hash table of the
/// names; a token with dots is also tried at its dot-bounded parts, leftmost and longest first, so
/// `Flags.billingInvoiceAutoGenerate`, `.billingInvoiceAutoGenerate` and `billing.invoice_auto_generate.` are
/// found, while `billing.retry_limit_v2` is not `billing.retry_limit`. Only tokens whose length lies between
/// the shortest and the longest name are hashed. A dotted token in quotes (`"…"`, `'…'`, `` `…` ``) in which no
/// name is found is handed back as a candidate, for the unknown-key check.
///
/// ```swift
/// let matcher = ReferenceMatcher(names: [("billing.invoice_auto_generate", 0), ("billingInvoiceAutoGenerate", 0)])
/// let hits = matcher.scan(Array(#"if flags.enabled("billing.invoice_auto_generate") {"#.utf8))
/// ```
struct ReferenceMatcher: Sendable {
    /// A name found (`name` ≥ 0, the value given with it) or a quoted dotted token no name matched (`name` -1),
    /// at the byte range `start..<end`.
    struct Hit: Sendable, Equatable {
        var name: Int
        var start: Int
        var end: Int
    }

    private static let tokenByte: UInt8 = 1
    private static let dot: UInt8 = 2

    /// For each byte: 0 (a boundary), `tokenByte` or `dot`.
    private let classes: [UInt8]
    /// Every name's bytes, one after another.
    private let nameBytes: [UInt8]
    private let nameStarts: [Int]
    private let nameLengths: [Int]
    private let nameValues: [Int]
    /// Indexes into the names, -1 where empty; a power of two long, at most half full.
    private let table: [Int]
    private let minimumLength: Int
    private let maximumLength: Int

    /// A matcher for these names; when two names are equal, the first one's value is reported.
    init(names: [(name: String, value: Int)]) {
        var classes = [UInt8](repeating: 0, count: 256)
        for byte in UInt8(ascii: "a")...UInt8(ascii: "z") { classes[Int(byte)] = Self.tokenByte }
        for byte in UInt8(ascii: "A")...UInt8(ascii: "Z") { classes[Int(byte)] = Self.tokenByte }
        for byte in UInt8(ascii: "0")...UInt8(ascii: "9") { classes[Int(byte)] = Self.tokenByte }
        for byte in 0x80...0xFF { classes[byte] = Self.tokenByte }
        classes[Int(UInt8(ascii: "_"))] = Self.tokenByte
        for (name, _) in names {
            for byte in name.utf8 where classes[Int(byte)] == 0 && byte > 0x20 && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "'") && byte != UInt8(ascii: "`") {
                classes[Int(byte)] = Self.tokenByte
            }
        }
        classes[Int(UInt8(ascii: "."))] = Self.dot
        self.classes = classes

        var capacity = 16
        while capacity < names.count * 2 { capacity *= 2 }
        var table = [Int](repeating: -1, count: capacity)
        var bytes: [UInt8] = []
        var starts: [Int] = [], lengths: [Int] = [], values: [Int] = []
        var minimum = Int.max, maximum = 0
        for (name, value) in names where !name.isEmpty {
            let utf8 = Array(name.utf8)
            var slot = Int(truncatingIfNeeded: Self.hash(utf8[...])) & (capacity - 1)
            var duplicate = false
            while table[slot] >= 0 {
                let other = table[slot]
                if lengths[other] == utf8.count && bytes[starts[other]..<starts[other] + lengths[other]].elementsEqual(utf8) {
                    duplicate = true
                    break
                }
                slot = (slot + 1) & (capacity - 1)
            }
            if duplicate { continue }
            table[slot] = starts.count
            starts.append(bytes.count)
            lengths.append(utf8.count)
            values.append(value)
            bytes.append(contentsOf: utf8)
            minimum = min(minimum, utf8.count)
            maximum = max(maximum, utf8.count)
        }
        self.table = table
        self.nameBytes = bytes
        self.nameStarts = starts
        self.nameLengths = lengths
        self.nameValues = values
        self.minimumLength = starts.isEmpty ? 1 : minimum
        self.maximumLength = maximum
    }

    /// FNV-1a, 64 bits.
    private static func hash(_ bytes: some Collection<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return hash
    }

    /// The names and quoted candidates in `bytes`, in the order they occur.
    func scan(_ bytes: [UInt8]) -> [Hit] {
        bytes.withUnsafeBufferPointer { scan($0) }
    }

    /// The names and quoted candidates in `buffer`, in the order they occur.
    func scan(_ buffer: UnsafeBufferPointer<UInt8>) -> [Hit] {
        var hits: [Hit] = []
        classes.withUnsafeBufferPointer { classes in
            let count = buffer.count
            var index = 0
            while index < count {
                if classes[Int(buffer[index])] == 0 {
                    index += 1
                    continue
                }
                let start = index
                var hasDot = false
                while index < count {
                    let kind = classes[Int(buffer[index])]
                    if kind == 0 { break }
                    if kind == Self.dot { hasDot = true }
                    index += 1
                }
                if hasDot {
                    matchDotted(buffer, start, index, into: &hits)
                } else if let value = lookup(buffer, start, index - start) {
                    hits.append(Hit(name: value, start: start, end: index))
                }
            }
        }
        return hits
    }

    /// A dotted token: its parts between dots, leftmost-longest; a quoted candidate when none matches.
    private func matchDotted(_ buffer: UnsafeBufferPointer<UInt8>, _ tokenStart: Int, _ tokenEnd: Int, into hits: inout [Hit]) {
        let dot = UInt8(ascii: ".")
        let before = hits.count
        var start = tokenStart
        while start < tokenEnd {
            var end = tokenEnd
            var matchedEnd = -1
            while end > start {
                if let value = lookup(buffer, start, end - start) {
                    hits.append(Hit(name: value, start: start, end: end))
                    matchedEnd = end
                    break
                }
                var previous = end - 1
                while previous > start && buffer[previous] != dot { previous -= 1 }
                end = previous
            }
            if matchedEnd >= 0 {
                start = matchedEnd + 1
            } else {
                while start < tokenEnd && buffer[start] != dot { start += 1 }
                start += 1
            }
        }
        guard hits.count == before, tokenStart > 0, tokenEnd < buffer.count else { return }
        let quote = buffer[tokenStart - 1]
        if quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") || quote == UInt8(ascii: "`"), buffer[tokenEnd] == quote,
           tokenEnd - tokenStart <= 128 {
            hits.append(Hit(name: -1, start: tokenStart, end: tokenEnd))
        }
    }

    /// The value of the name spelt by `buffer[start..<start + length]`, if there is one.
    @inline(__always)
    private func lookup(_ buffer: UnsafeBufferPointer<UInt8>, _ start: Int, _ length: Int) -> Int? {
        guard length >= minimumLength, length <= maximumLength else { return nil }
        let token = UnsafeBufferPointer(rebasing: buffer[start..<start + length])
        let mask = table.count - 1
        var slot = Int(truncatingIfNeeded: Self.hash(token)) & mask
        while true {
            let name = table[slot]
            if name < 0 { return nil }
            if nameLengths[name] == length {
                let nameStart = nameStarts[name]
                var equal = true
                for offset in 0..<length where nameBytes[nameStart + offset] != token[offset] {
                    equal = false
                    break
                }
                if equal { return nameValues[name] }
            }
            slot = (slot + 1) & mask
        }
    }
}
