// libFuzzer entry point over `SnapshotLoader.load(bytes:)`.
//
// Random bytes almost never pass the header CRC-32 and the payload SHA-256, so most inputs would only exercise
// the header checks. The first input byte therefore chooses a mode:
//
// - bit 0 set: the rest is a whole file (binary or JSON), loaded as is;
// - bit 0 clear: the rest is a binary *payload*; the fuzzer wraps it in a valid 1.0 header (lengths, CRC-32,
//   SHA-256; bit 1 of the first byte sets the header's metadata flag) so the payload decoder sees it.
//
// Whatever loads must survive a round trip: re-encoded and decoded again it gives an equal snapshot, and its JSON
// form (when the JSON parser's depth limit allows) decodes to an equal snapshot too.
import FlagRuntime

@_cdecl("LLVMFuzzerTestOneInput")
public func snapshotDecoderFuzzer(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard size > 0 else { return 0 }
    let control = data[0]
    let rest = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    let bytes = control & 1 == 1 ? rest : sealed(payload: rest, metadata: control & 2 == 2)
    guard let snapshot = try? SnapshotLoader.load(bytes: bytes) else { return 0 }

    guard let again = try? Snapshot(binaryBytes: snapshot.binaryBytes()) else {
        fatalError("a loaded snapshot could not be re-encoded and decoded")
    }
    precondition(again == snapshot, "binary round trip changed the snapshot")
    if let fromJSON = try? Snapshot(jsonBytes: snapshot.jsonBytes()) {
        precondition(fromJSON == snapshot, "the JSON form decodes to a different snapshot")
    }
    return 0
}

/// libFuzzer's driver, for the entry point below.
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> Int32
) -> Int32

/// SwiftPM links executables with `main` renamed to `<target>_main` (so tests can link them), which hides
/// libFuzzer's own `main`; this entry point hands over to libFuzzer's driver instead.
@_cdecl("SnapshotDecoderFuzzer_main")
public func fuzzerMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    var count = argc
    var arguments: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = argv
    return runFuzzerDriver(&count, &arguments, snapshotDecoderFuzzer)
}

/// A binary snapshot file (format 1.0, unsigned) around `payload`, with valid lengths and checksums.
func sealed(payload: [UInt8], metadata: Bool) -> [UInt8] {
    var file: [UInt8] = [0x89, 0x46, 0x4C, 0x41, 0x47, 0x0D, 0x0A, 0x1A, 1, 0, 0, 0]
    file += littleEndian(UInt32(160)) + littleEndian(UInt64(160 + payload.count))
    file += littleEndian(UInt32(metadata ? 2 : 0)) + [0, 0, 0, 0]
    file += sha256(payload) + [UInt8](repeating: 0, count: 96)
    let crc = crc32(file)
    file.replaceSubrange(28..<32, with: littleEndian(crc))
    return file + payload
}

func littleEndian<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
    (0..<MemoryLayout<T>.size).map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) }
}

/// CRC-32 (zlib).
func crc32(_ bytes: [UInt8]) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for byte in bytes {
        crc ^= UInt32(byte)
        for _ in 0..<8 { crc = crc & 1 == 1 ? 0xEDB8_8320 ^ (crc >> 1) : crc >> 1 }
    }
    return crc ^ 0xFFFF_FFFF
}

/// SHA-256 (FIPS 180-4); FlagRuntime's own is `package`, so the fuzzer carries a plain copy.
func sha256(_ message: [UInt8]) -> [UInt8] {
    let k: [UInt32] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ]
    var h: [UInt32] = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]
    var padded = message + [0x80]
    while padded.count % 64 != 56 { padded.append(0) }
    padded += (0..<8).reversed().map { UInt8(truncatingIfNeeded: UInt64(message.count) &* 8 >> ($0 * 8)) }
    func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x >> n) | (x << (32 - n)) }
    var w = [UInt32](repeating: 0, count: 64)
    for block in stride(from: 0, to: padded.count, by: 64) {
        for t in 0..<16 {
            w[t] = (0..<4).reduce(0) { $0 << 8 | UInt32(padded[block + 4 * t + $1]) }
        }
        for t in 16..<64 {
            let s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >> 3)
            let s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >> 10)
            w[t] = w[t - 16] &+ s0 &+ w[t - 7] &+ s1
        }
        var (a, b, c, d, e, f, g, hh) = (h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7])
        for t in 0..<64 {
            let t1 = hh &+ (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) &+ ((e & f) ^ (~e & g)) &+ k[t] &+ w[t]
            let t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) &+ ((a & b) ^ (a & c) ^ (b & c))
            (hh, g, f, e, d, c, b, a) = (g, f, e, d &+ t1, c, b, a, t1 &+ t2)
        }
        for (index, value) in [a, b, c, d, e, f, g, hh].enumerated() { h[index] &+= value }
    }
    return h.flatMap { word in (0..<4).reversed().map { UInt8(truncatingIfNeeded: word >> ($0 * 8)) } }
}
