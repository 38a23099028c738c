#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// A snapshot's binary form (`snapshot.bin`): the header around the payload that `BinarySnapshotEncoder` writes,
// and the entry point that reads it back.

extension Snapshot {
    /// Decodes a binary snapshot (`snapshot.bin`): checks the header (magic, version, lengths, CRC-32) and the
    /// payload's SHA-256, then decodes the payload. Signatures are not checked here (see `SnapshotLoader`).
    public init(binaryBytes bytes: [UInt8]) throws(SnapshotDecodingError) {
        let result: Result<Snapshot, SnapshotDecodingError> = bytes.withUnsafeBytes { raw in
            do throws(SnapshotDecodingError) {
                let header = try BinarySnapshotHeader(validating: raw)
                return .success(try BinarySnapshotDecoder.decodePayload(raw, header: header))
            } catch {
                return .failure(error)
            }
        }
        self = try result.get()
    }
}

extension Snapshot {
    /// The bytes of `snapshot.bin`: header, then payload; signed when a signer is given. With a `provenance`,
    /// the header (format 1.1, 176 bytes) also carries its sequence and issue time, which the signature covers.
    ///
    /// Output is byte-identical for equal snapshots, signers and provenances. `Snapshot(binaryBytes:)` and
    /// `SnapshotLoader.load(bytes:)` read it back into a snapshot equal to what the JSON form decodes to.
    ///
    /// - Throws: `SnapshotEncodingError` when the snapshot exceeds the format's limits, or the signer's error.
    public func binaryBytes(signer: (any SnapshotSigner)? = nil, provenance: SnapshotProvenance? = nil) throws -> [UInt8] {
        typealias Format = BinarySnapshotFormat
        typealias Offset = Format.Offset
        do {
            try SnapshotValidation.check(self)
        } catch {
            throw SnapshotEncodingError(path: error.path, message: error.message)
        }
        let payload = try BinarySnapshotEncoder.payload(self)
        let hasMetadata = flags.contains { $0.metadata != FlagMetadata() }

        let headerLength = provenance == nil ? Format.headerLength : Format.provenanceHeaderLength
        var file = [UInt8](repeating: 0, count: headerLength)
        file.reserveCapacity(headerLength + payload.count)
        file.replaceSubrange(Offset.magic..<Offset.magic + 8, with: Format.magic)
        file.storeLE(UInt16(Format.majorVersion), at: Offset.majorVersion)
        file.storeLE(UInt16(provenance == nil ? Format.minorVersion : Format.provenanceMinorVersion), at: Offset.minorVersion)
        file.storeLE(UInt32(headerLength), at: Offset.headerLength)
        file.storeLE(UInt64(headerLength + payload.count), at: Offset.totalLength)
        if let provenance {
            file.storeLE(provenance.sequence, at: Offset.sequence)
            file.storeLE(UInt64(bitPattern: provenance.issuedAt), at: Offset.issuedAt)
        }
        var flags: UInt32 = hasMetadata ? Format.HeaderFlag.metadata : 0
        if signer != nil { flags |= Format.HeaderFlag.signed }
        file.storeLE(flags, at: Offset.flags)
        file.replaceSubrange(Offset.payloadSHA256..<Offset.keyFingerprint, with: SHA256.hash(payload))
        file.append(contentsOf: payload)

        if let signer {
            let fingerprint = signer.keyFingerprint
            guard fingerprint.count == 32 else {
                throw SnapshotEncodingError(path: "", message: "the signer's key fingerprint has \(fingerprint.count) bytes, not 32")
            }
            file.replaceSubrange(Offset.keyFingerprint..<Offset.signature, with: fingerprint)
            let signature = try signer.sign(file)  // the CRC and signature fields are still zero
            guard signature.count == 64 else {
                throw SnapshotEncodingError(path: "", message: "the signer returned \(signature.count) bytes, not a 64-byte Ed25519 signature")
            }
            file.replaceSubrange(Offset.signature..<Offset.end, with: signature)
        }
        let crc = file.withUnsafeBytes { BinarySnapshotHeader.headerCRC($0, headerLength: headerLength) }
        file.storeLE(crc, at: Offset.headerCRC)
        return file
    }
}

extension [UInt8] {
    /// Writes a little-endian integer over existing bytes at `offset`.
    mutating func storeLE<T: FixedWidthInteger>(_ value: T, at offset: Int) {
        for index in 0..<MemoryLayout<T>.size {
            self[offset + index] = UInt8(truncatingIfNeeded: value >> (index * 8))
        }
    }
}
