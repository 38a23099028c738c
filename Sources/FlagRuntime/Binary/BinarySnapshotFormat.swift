// The constants of the binary snapshot format (`snapshot.bin`). `docs/snapshot-format.md` is the
// specification; the numbers here must match its tables.

/// Constants of the binary snapshot format: magic, versions, header layout and limits.
///
/// `docs/snapshot-format.md` specifies the format byte by byte.
package enum BinarySnapshotFormat {
    /// The eight bytes every binary snapshot starts with: `89 46 4C 41 47 0D 0A 1A` (`\x89FLAG\r\n\x1A`).
    package static let magic: [UInt8] = [0x89, 0x46, 0x4C, 0x41, 0x47, 0x0D, 0x0A, 0x1A]
    /// The major version this library writes and reads; a reader rejects any other major version.
    package static let majorVersion = 1
    /// The minor version this library writes; a reader accepts any minor version of its major version.
    package static let minorVersion = 0
    /// The header length this library writes (newer minor versions may write a longer header).
    package static let headerLength = 160
    /// The minor version and header length of a snapshot that carries provenance (a sequence and an issue
    /// time, after the signature field; covered by the signature).
    package static let provenanceMinorVersion = 1
    /// The header length of a snapshot with provenance.
    package static let provenanceHeaderLength = 176
    /// The largest header a reader accepts.
    static let maximumHeaderLength = 64 * 1024

    /// Nesting limit for segments inside segments (a rule's conditions are level 1).
    package static let maximumSegmentDepth = 64
    /// Nesting limit for JSON values (an object variant value or the metadata `values` object is level 1).
    package static let maximumValueDepth = 64

    /// Header field offsets (little-endian).
    enum Offset {
        static let magic = 0
        static let majorVersion = 8
        static let minorVersion = 10
        static let headerLength = 12
        static let totalLength = 16
        static let flags = 24
        static let headerCRC = 28
        static let payloadSHA256 = 32
        static let keyFingerprint = 64
        static let signature = 96
        static let end = 160
        static let sequence = 160
        static let issuedAt = 168
        static let provenanceEnd = 176
    }

    /// Bits of the header's `flags` field.
    enum HeaderFlag {
        /// The key fingerprint and signature fields hold an Ed25519 signature.
        static let signed: UInt32 = 1 << 0
        /// The payload has a `META` section.
        static let metadata: UInt32 = 1 << 1
    }

    /// Section tags: four ASCII bytes, stored in file order, read as a little-endian `UInt32`.
    enum Section {
        static let strings = tag("STRS")
        static let snapshot = tag("SNAP")
        static let flags = tag("FLAG")
        static let metadata = tag("META")
        static let environments = tag("ENVS")

        static func tag(_ text: StaticString) -> UInt32 {
            precondition(text.utf8CodeUnitCount == 4)
            let bytes = text.utf8Start
            return UInt32(bytes[0]) | UInt32(bytes[1]) << 8 | UInt32(bytes[2]) << 16 | UInt32(bytes[3]) << 24
        }

        static func name(_ tag: UInt32) -> String {
            let bytes = (0..<4).map { UInt8(truncatingIfNeeded: tag >> ($0 * 8)) }
            if bytes.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return "'\(String(decoding: bytes, as: UTF8.self))'" }
            return "0x" + hex(bytes)
        }
    }

    /// The reference meaning "absent" for optional strings.
    static let noString: UInt32 = 0xFFFF_FFFF

    /// Flag type codes.
    static func code(_ type: FlagValueType) -> UInt8 {
        switch type {
        case .boolean: 0
        case .string: 1
        case .integer: 2
        case .number: 3
        case .object: 4
        }
    }

    static func type(code: UInt8) -> FlagValueType? {
        switch code {
        case 0: .boolean
        case 1: .string
        case 2: .integer
        case 3: .number
        case 4: .object
        default: nil
        }
    }

    /// Operator codes, 1 to 20, in the order of the specification's table (not of the Swift enum, which may change).
    static let operators: [Condition.Operator] = [
        .in, .notIn, .intersects, .eq, .neq, .startsWith, .endsWith, .contains, .lt, .lte, .gt, .gte,
        .semverEq, .semverLt, .semverLte, .semverGt, .semverGte, .before, .after, .exists,
    ]

    static func code(_ op: Condition.Operator) -> UInt8 {
        UInt8(operators.firstIndex(of: op)! + 1)
    }

    static func op(code: UInt8) -> Condition.Operator? {
        code >= 1 && Int(code) <= operators.count ? operators[Int(code) - 1] : nil
    }

    /// Condition kinds.
    enum ConditionKind {
        static let attribute: UInt8 = 1
        static let environments: UInt8 = 2
        static let segments: UInt8 = 3
    }

    /// Operand kinds of attribute conditions.
    enum OperandKind {
        static let string: UInt8 = 1
        static let number: UInt8 = 2
        static let boolean: UInt8 = 3
        static let timestamp: UInt8 = 4
        static let strings: UInt8 = 5
        static let numbers: UInt8 = 6
    }

    /// JSON value tags.
    enum ValueTag {
        static let null: UInt8 = 0
        static let `false`: UInt8 = 1
        static let `true`: UInt8 = 2
        static let integer: UInt8 = 3
        static let double: UInt8 = 4
        static let string: UInt8 = 5
        static let array: UInt8 = 6
        static let object: UInt8 = 7
    }

    /// Bits of a rule's `fields` byte.
    enum RuleField {
        static let name: UInt8 = 1 << 0
        static let from: UInt8 = 1 << 1
        static let until: UInt8 = 1 << 2
        static let split: UInt8 = 1 << 3
        static let all: UInt8 = 0x0F
    }

    /// Bits of a metadata record's `fields` byte.
    enum MetadataField {
        static let description: UInt8 = 1 << 0
        static let owner: UInt8 = 1 << 1
        static let expires: UInt8 = 1 << 2
        static let values: UInt8 = 1 << 3
        static let all: UInt8 = 0x0F
    }

    /// Lowercase hex of bytes: the project's one hex encoder (ids, digests, fingerprints).
    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// Uppercase, space-separated hex, for magic bytes in messages: `89 46 4C`.
    static func spacedHex(_ bytes: some Sequence<UInt8>) -> String {
        bytes.map { byte in
            let text = String(byte, radix: 16, uppercase: true)
            return byte < 16 ? "0" + text : text
        }.joined(separator: " ")
    }

    /// A byte count with thousands separated by spaces, as in "18 432 bytes".
    static func grouped(_ number: some BinaryInteger) -> String {
        let digits = Array(String(number).utf8)
        let negative = digits.first == UInt8(ascii: "-")
        let body = negative ? Array(digits.dropFirst()) : digits
        var out: [UInt8] = negative ? [UInt8(ascii: "-")] : []
        for (index, digit) in body.enumerated() {
            if index > 0, (body.count - index) % 3 == 0 { out.append(UInt8(ascii: " ")) }
            out.append(digit)
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// CRC-32 (ISO-HDLC, as in zlib, gzip and PNG: reflected polynomial 0xEDB88320, initial and final XOR 0xFFFFFFFF).
enum CRC32 {
    private static let table: [UInt32] = (0..<256).map { index in
        var value = UInt32(index)
        for _ in 0..<8 { value = value & 1 == 1 ? 0xEDB8_8320 ^ (value >> 1) : value >> 1 }
        return value
    }

    /// The CRC-32 of `bytes`.
    static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        table.withUnsafeBufferPointer { table in
            for byte in bytes {
                crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8)
            }
        }
        return crc ^ 0xFFFF_FFFF
    }
}
