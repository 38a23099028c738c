#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A decoding failure inside a binary snapshot: the byte offset, what is wrong, and where in the snapshot
/// (path components are added innermost first as the error travels outwards).
struct BinaryFailure: Error {
    var offset: Int
    var message: String
    var path: [String] = []

    /// Adds an enclosing path component, for example `rules[2]`.
    consuming func within(_ component: String) -> BinaryFailure {
        path.append(component)
        return self
    }

    var decodingError: SnapshotDecodingError {
        var joined = ""
        for component in path.reversed() {
            if joined.isEmpty || component.hasPrefix("[") {
                joined += component
            } else {
                joined += "." + component
            }
        }
        return SnapshotDecodingError(path: joined, message: "at byte \(BinarySnapshotFormat.grouped(offset)): \(message)")
    }
}

/// A bounds-checked little-endian cursor over a binary snapshot held in memory.
///
/// Every read checks that the bytes exist before loading them, so no input can make it read outside the
/// buffer; `count(minimumSize:_:)` rejects counts that cannot fit in the remaining bytes before anything is
/// allocated for them.
struct BinaryReader {
    /// The start of the whole file (offsets in messages are from here).
    let base: UnsafeRawPointer
    /// The absolute offset of the next byte to read.
    var position: Int
    /// The absolute offset just past the readable region (the current section).
    var end: Int

    init(base: UnsafeRawPointer, position: Int, end: Int) {
        self.base = base
        self.position = position
        self.end = end
    }

    var remaining: Int { end &- position }

    @inline(never)
    func failure(_ message: String, at offset: Int? = nil) -> BinaryFailure {
        BinaryFailure(offset: offset ?? position, message: message)
    }

    @inline(never)
    func truncated(_ needed: Int, _ what: StaticString) -> BinaryFailure {
        failure("\(what) needs \(needed) bytes, only \(remaining) remain")
    }

    @inline(__always)
    mutating func u8(_ what: StaticString = "a byte") throws(BinaryFailure) -> UInt8 {
        guard position < end else { throw truncated(1, what) }
        let value = base.load(fromByteOffset: position, as: UInt8.self)
        position &+= 1
        return value
    }

    @inline(__always)
    mutating func u32(_ what: StaticString = "a 32-bit integer") throws(BinaryFailure) -> UInt32 {
        guard end &- position >= 4 else { throw truncated(4, what) }
        let value = UInt32(littleEndian: base.loadUnaligned(fromByteOffset: position, as: UInt32.self))
        position &+= 4
        return value
    }

    @inline(__always)
    mutating func i64(_ what: StaticString = "a 64-bit integer") throws(BinaryFailure) -> Int64 {
        guard end &- position >= 8 else { throw truncated(8, what) }
        let value = Int64(littleEndian: base.loadUnaligned(fromByteOffset: position, as: Int64.self))
        position &+= 8
        return value
    }

    /// A finite IEEE 754 double (NaN and infinities are rejected: JSON cannot hold them either).
    @inline(__always)
    mutating func f64(_ what: StaticString = "a number") throws(BinaryFailure) -> Double {
        guard end &- position >= 8 else { throw truncated(8, what) }
        let bits = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: position, as: UInt64.self))
        let value = Double(bitPattern: bits)
        guard value.isFinite else { throw failure("\(what) is not finite (\(value))") }
        position &+= 8
        return value
    }

    /// A 0 or 1 byte.
    @inline(__always)
    mutating func bool(_ what: StaticString) throws(BinaryFailure) -> Bool {
        let byte = try u8(what)
        guard byte <= 1 else { throw failure("\(what) must be 0 or 1, found \(byte)", at: position &- 1) }
        return byte == 1
    }

    /// A `u32` count of items at least `minimumSize` bytes each, checked against the bytes left in the section.
    @inline(__always)
    mutating func count(minimumSize: Int, _ what: StaticString) throws(BinaryFailure) -> Int {
        let count = Int(try u32(what))
        guard count <= remaining / minimumSize else {
            throw failure("\(what) is \(BinarySnapshotFormat.grouped(count)), but \(BinarySnapshotFormat.grouped(remaining)) remaining bytes hold at most \(remaining / minimumSize)", at: position &- 4)
        }
        return count
    }

    /// Compares the bytes at two absolute ranges like `memcmp`, then by length.
    func compare(_ a: Range<Int>, _ b: Range<Int>) -> Int32 {
        let common = min(a.count, b.count)
        if common > 0 {
            let result = memcmp(base + a.lowerBound, base + b.lowerBound, common)
            if result != 0 { return result }
        }
        return a.count == b.count ? 0 : (a.count < b.count ? -1 : 1)
    }
}
