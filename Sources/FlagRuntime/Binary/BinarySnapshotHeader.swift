/// The checked header of a binary snapshot (`snapshot.bin`).
///
/// `init(validating:)` checks, in this order, the magic bytes, the major version, the header and total
/// lengths, the header's CRC-32 and the payload's SHA-256, so nothing in the payload is read before its
/// integrity is known:
///
/// ```swift
/// let header = try bytes.withUnsafeBytes { try BinarySnapshotHeader(validating: $0) }
/// print(header.majorVersion, header.minorVersion, header.signature?.keyFingerprintText ?? "unsigned")
/// ```
package struct BinarySnapshotHeader: Sendable, Hashable {
    /// The major format version (this library reads only `BinarySnapshotFormat.majorVersion`).
    package var majorVersion: Int
    /// The minor format version (any is accepted; newer minor versions only add what older readers may skip).
    package var minorVersion: Int
    /// The header's length in bytes; the payload starts here.
    package var headerLength: Int
    /// The whole file's length in bytes.
    package var totalLength: Int
    /// The raw `flags` field (bit 0: signed, bit 1: metadata section present; others reserved).
    package var flags: UInt32
    /// The SHA-256 of the payload (32 bytes).
    package var payloadSHA256: [UInt8]
    /// The signature, when the snapshot is signed.
    package var signature: SnapshotSignature?
    /// The sequence and issue time, when the header carries them (format 1.1 and later, 176-byte header).
    package var provenance: SnapshotProvenance?

    /// Whether the payload has a metadata (`META`) section.
    package var hasMetadata: Bool { flags & BinarySnapshotFormat.HeaderFlag.metadata != 0 }

    /// Reads and checks the header of a whole binary snapshot, and the SHA-256 of its payload.
    ///
    /// The errors name what is wrong, for example `truncated: expected 18 432 bytes, found 9 000`.
    package init(validating bytes: UnsafeRawBufferPointer) throws(SnapshotDecodingError) {
        typealias Format = BinarySnapshotFormat
        typealias Offset = Format.Offset
        let count = bytes.count
        let found = Format.grouped(count)
        guard count > 0 else { throw Self.error("the file is empty") }

        // Magic: a proper prefix of it is a truncated file; anything else is not a binary snapshot.
        let magicCount = min(count, Format.magic.count)
        guard bytes.prefix(magicCount).elementsEqual(Format.magic.prefix(magicCount)) else {
            throw Self.error("wrong magic: expected \(Format.spacedHex(Format.magic)), found \(Format.spacedHex(bytes.prefix(Format.magic.count)))")
        }
        let minimumHeader = Format.grouped(Offset.end)
        guard count >= Offset.minorVersion + 2 else {
            throw Self.error("truncated: expected at least \(minimumHeader) bytes (the header), found \(found)")
        }

        // Version: an unknown major version may have any layout after it, so nothing further is read.
        let major = Int(bytes.loadLE(UInt16.self, at: Offset.majorVersion))
        let minor = Int(bytes.loadLE(UInt16.self, at: Offset.minorVersion))
        guard major == Format.majorVersion else {
            throw Self.error("unsupported format version \(major).\(minor): this reader supports major version \(Format.majorVersion) (any minor version); update FlagRuntime to read it")
        }

        // Lengths. Before the header is complete, the declared total (if present) says what was expected.
        guard count >= Offset.flags else {
            throw Self.error("truncated: expected at least \(minimumHeader) bytes (the header), found \(found)")
        }
        let headerLength = Int(bytes.loadLE(UInt32.self, at: Offset.headerLength))
        let declaredTotal = bytes.loadLE(UInt64.self, at: Offset.totalLength)
        guard headerLength >= Offset.end, headerLength <= Format.maximumHeaderLength else {
            throw Self.error("corrupt header: header length \(Format.grouped(headerLength)) is outside \(minimumHeader)…\(Format.grouped(Format.maximumHeaderLength))")
        }
        guard declaredTotal >= UInt64(headerLength) else {
            throw Self.error("corrupt header: header length \(Format.grouped(headerLength)) exceeds the total length \(Format.grouped(declaredTotal))")
        }
        guard count >= headerLength else {
            throw Self.error("truncated: expected \(Format.grouped(declaredTotal)) bytes, found \(found)")
        }

        // The header's own checksum covers every header field (with the CRC field read as zero).
        let storedCRC = bytes.loadLE(UInt32.self, at: Offset.headerCRC)
        let computedCRC = Self.headerCRC(bytes, headerLength: headerLength)
        guard storedCRC == computedCRC else {
            throw Self.error("corrupt header: CRC-32 is \(Self.hex32(computedCRC)), the header says \(Self.hex32(storedCRC)); the file was damaged")
        }
        guard declaredTotal <= UInt64(SnapshotLoader.maximumFileSize) else {
            throw Self.error("absurd length: the header declares \(Format.grouped(declaredTotal)) bytes, more than the \(Format.grouped(SnapshotLoader.maximumFileSize))-byte limit")
        }
        let totalLength = Int(declaredTotal)
        guard count >= totalLength else {
            throw Self.error("truncated: expected \(Format.grouped(totalLength)) bytes, found \(found)")
        }
        guard count == totalLength else {
            throw Self.error("trailing bytes: expected \(Format.grouped(totalLength)) bytes, found \(found) (\(Format.grouped(count - totalLength)) after the payload)")
        }

        // Signature fields: all zero unless the signed flag is set.
        let flags = bytes.loadLE(UInt32.self, at: Offset.flags)
        let fingerprint = Array(bytes[Offset.keyFingerprint..<Offset.signature])
        let signatureBytes = Array(bytes[Offset.signature..<Offset.end])
        if flags & Format.HeaderFlag.signed != 0 {
            signature = SnapshotSignature(keyFingerprint: fingerprint, signature: signatureBytes)
        } else {
            guard fingerprint.allSatisfy({ $0 == 0 }), signatureBytes.allSatisfy({ $0 == 0 }) else {
                throw Self.error("corrupt header: the snapshot is marked unsigned but its signature fields are not zero")
            }
            signature = nil
        }

        // The payload's SHA-256, before any of it is parsed.
        let storedSHA = Array(bytes[Offset.payloadSHA256..<Offset.keyFingerprint])
        var hasher = SHA256()
        hasher.update(UnsafeRawBufferPointer(rebasing: bytes[headerLength..<totalLength]))
        let computedSHA = hasher.finalize()
        guard storedSHA == computedSHA else {
            throw Self.error("checksum mismatch: the payload's SHA-256 is \(Format.hex(computedSHA.prefix(8)))…, the header says \(Format.hex(storedSHA.prefix(8)))…; the file was altered or damaged")
        }

        if minor >= Format.provenanceMinorVersion, headerLength >= Offset.provenanceEnd {
            provenance = SnapshotProvenance(
                sequence: bytes.loadLE(UInt64.self, at: Offset.sequence),
                issuedAt: Int64(bitPattern: bytes.loadLE(UInt64.self, at: Offset.issuedAt))
            )
        } else {
            provenance = nil
        }
        majorVersion = major
        minorVersion = minor
        self.headerLength = headerLength
        self.totalLength = totalLength
        self.flags = flags
        payloadSHA256 = storedSHA
    }

    /// The bytes a signature covers: the header with its CRC-32 and signature fields set to zero, then the payload.
    ///
    /// `bytes` must be the snapshot this header was read from.
    package func signedMessage(of bytes: UnsafeRawBufferPointer) -> [UInt8] {
        var message = Array(bytes[0..<totalLength])
        Self.clearUnsignedFields(&message)
        return message
    }

    /// Zeroes the header fields a signature does not cover (the CRC and the signature itself).
    static func clearUnsignedFields(_ file: inout [UInt8]) {
        typealias Offset = BinarySnapshotFormat.Offset
        for index in Offset.headerCRC..<Offset.headerCRC + 4 { file[index] = 0 }
        for index in Offset.signature..<Offset.end { file[index] = 0 }
    }

    /// CRC-32 of the header with the CRC field taken as zero.
    static func headerCRC(_ bytes: UnsafeRawBufferPointer, headerLength: Int) -> UInt32 {
        var header = Array(bytes[0..<headerLength])
        for index in BinarySnapshotFormat.Offset.headerCRC..<BinarySnapshotFormat.Offset.headerCRC + 4 { header[index] = 0 }
        return header.withUnsafeBytes { CRC32.checksum($0) }
    }

    private static func hex32(_ value: UInt32) -> String {
        let text = String(value, radix: 16)
        return "0x" + String(repeating: "0", count: 8 - text.count) + text
    }

    private static func error(_ message: String) -> SnapshotDecodingError {
        SnapshotDecodingError(path: "", message: message)
    }
}

extension UnsafeRawBufferPointer {
    /// A little-endian integer at `offset`; the caller has checked the bounds.
    @inline(__always)
    func loadLE<T: FixedWidthInteger>(_ type: T.Type, at offset: Int) -> T {
        T(littleEndian: loadUnaligned(fromByteOffset: offset, as: T.self))
    }
}
