import CSHA256

/// SHA-256 (FIPS 180-4), used for snapshot ids and payload checksums without a crypto dependency.
package struct SHA256: Sendable {
    /// The chaining value H0...H7.
    private var state = State()
    /// Bytes of an incomplete block carried between `update` calls (always fewer than 64).
    private var pending: [UInt8] = []
    /// Total number of message bytes hashed so far.
    private var byteCount: UInt64 = 0
    /// Whether blocks go through the processor's SHA extensions.
    private let accelerated: Bool

    /// Creates a hasher in the initial state; it uses the processor's SHA extensions when there are any.
    package init() {
        self.init(accelerated: State.accelerated)
    }

    /// Creates a hasher that uses the processor's SHA extensions or not (`true` needs them: see `isAccelerated`).
    package init(accelerated: Bool) {
        self.accelerated = accelerated
        pending.reserveCapacity(64)
    }

    /// Whether this processor has the SHA extensions the hasher uses by default.
    package static var isAccelerated: Bool { State.accelerated }

    /// Feeds `bytes` into the hash; may be called any number of times.
    package mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0 else { return }
        byteCount &+= UInt64(bytes.count)
        var offset = 0

        // Complete a pending partial block first.
        if !pending.isEmpty {
            let take = min(64 - pending.count, bytes.count)
            pending.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[0..<take]))
            offset = take
            if pending.count < 64 { return }
            pending.withUnsafeBytes { state.compress($0, accelerated: accelerated) }
            pending.removeAll(keepingCapacity: true)
        }

        // Hash whole blocks straight from the caller's buffer.
        let wholeBlocks = (bytes.count - offset) / 64 * 64
        if wholeBlocks > 0 {
            state.compress(UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + wholeBlocks]), accelerated: accelerated)
            offset += wholeBlocks
        }

        // Keep the tail for later.
        if offset < bytes.count {
            pending.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[offset...]))
        }
    }

    /// Feeds `bytes` into the hash; may be called any number of times.
    package mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// Pads the message, returns the 32-byte digest, and resets the hasher to its initial state.
    package mutating func finalize() -> [UInt8] {
        let bitLength = byteCount &* 8
        var tail = pending
        tail.append(0x80)
        let zeros = (tail.count <= 56 ? 56 : 120) - tail.count
        tail.append(contentsOf: repeatElement(0, count: zeros))
        for shift in stride(from: 56, through: 0, by: -8) {
            tail.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(shift)))
        }
        tail.withUnsafeBytes { state.compress($0, accelerated: accelerated) }

        var digest: [UInt8] = []
        digest.reserveCapacity(32)
        for word in [state.h0, state.h1, state.h2, state.h3, state.h4, state.h5, state.h6, state.h7] {
            digest.append(UInt8(truncatingIfNeeded: word >> 24))
            digest.append(UInt8(truncatingIfNeeded: word >> 16))
            digest.append(UInt8(truncatingIfNeeded: word >> 8))
            digest.append(UInt8(truncatingIfNeeded: word))
        }
        self = SHA256(accelerated: accelerated)
        return digest
    }

    /// The 32-byte SHA-256 digest of `bytes`.
    package static func hash(_ bytes: [UInt8]) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(bytes)
        return hasher.finalize()
    }

    /// The lowercase hexadecimal SHA-256 digest of `bytes` (64 characters).
    package static func hexDigest(_ bytes: [UInt8]) -> String {
        BinarySnapshotFormat.hex(hash(bytes))
    }
}

/// The SHA-256 chaining value and the compression function.
private struct State {
    var h0: UInt32 = 0x6a09e667
    var h1: UInt32 = 0xbb67ae85
    var h2: UInt32 = 0x3c6ef372
    var h3: UInt32 = 0xa54ff53a
    var h4: UInt32 = 0x510e527f
    var h5: UInt32 = 0x9b05688c
    var h6: UInt32 = 0x1f83d9ab
    var h7: UInt32 = 0x5be0cd19

    /// Whether the processor's SHA extensions compress blocks (checked once).
    static let accelerated = flagc_sha256_accelerated() != 0

    /// Processes `blocks`, whose length is a multiple of 64 bytes: with the processor's SHA extensions when it has
    /// them, otherwise with the portable rounds.
    mutating func compress(_ blocks: UnsafeRawBufferPointer, accelerated: Bool) {
        guard accelerated, let base = blocks.baseAddress else { return compressPortably(blocks) }
        var words = (h0, h1, h2, h3, h4, h5, h6, h7)
        withUnsafeMutableBytes(of: &words) { raw in
            flagc_sha256_blocks(raw.baseAddress!.assumingMemoryBound(to: UInt32.self), base.assumingMemoryBound(to: UInt8.self), blocks.count / 64)
        }
        (h0, h1, h2, h3, h4, h5, h6, h7) = words
    }

    /// Processes `blocks`, whose length is a multiple of 64 bytes, with the portable rounds.
    mutating func compressPortably(_ blocks: UnsafeRawBufferPointer) {
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { w in
            State.roundConstants.withUnsafeBufferPointer { k in
                var blockStart = 0
                while blockStart < blocks.count {
                    for t in 0..<16 {
                        w[t] = UInt32(bigEndian: blocks.loadUnaligned(fromByteOffset: blockStart + 4 * t, as: UInt32.self))
                    }
                    for t in 16..<64 {
                        let x = w[t - 15]
                        let y = w[t - 2]
                        let sigma0 = rotateRight(x, 7) ^ rotateRight(x, 18) ^ (x &>> 3)
                        let sigma1 = rotateRight(y, 17) ^ rotateRight(y, 19) ^ (y &>> 10)
                        w[t] = sigma1 &+ w[t - 7] &+ sigma0 &+ w[t - 16]
                    }

                    // Eight rounds per iteration, each with the working variables passed in rotated order, so the
                    // eight-way register shuffle of the textbook loop (`h = g; g = f; …`) disappears.
                    var a = h0, b = h1, c = h2, d = h3, e = h4, f = h5, g = h6, h = h7
                    var t = 0
                    while t < 64 {
                        round(a, b, c, &d, e, f, g, &h, k[t] &+ w[t])
                        round(h, a, b, &c, d, e, f, &g, k[t + 1] &+ w[t + 1])
                        round(g, h, a, &b, c, d, e, &f, k[t + 2] &+ w[t + 2])
                        round(f, g, h, &a, b, c, d, &e, k[t + 3] &+ w[t + 3])
                        round(e, f, g, &h, a, b, c, &d, k[t + 4] &+ w[t + 4])
                        round(d, e, f, &g, h, a, b, &c, k[t + 5] &+ w[t + 5])
                        round(c, d, e, &f, g, h, a, &b, k[t + 6] &+ w[t + 6])
                        round(b, c, d, &e, f, g, h, &a, k[t + 7] &+ w[t + 7])
                        t &+= 8
                    }
                    h0 &+= a; h1 &+= b; h2 &+= c; h3 &+= d
                    h4 &+= e; h5 &+= f; h6 &+= g; h7 &+= h
                    blockStart += 64
                }
            }
        }
    }

    /// The 64 round constants K0...K63.
    private static let roundConstants: [UInt32] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ]
}

/// One SHA-256 round on working variables a...h: adds T1 to `d` and stores T1 + T2 in `h`, which then play
/// the roles of the next round's `e` and `a`. `kw` is the round constant plus the schedule word.
@inline(__always)
private func round(_ a: UInt32, _ b: UInt32, _ c: UInt32, _ d: inout UInt32, _ e: UInt32, _ f: UInt32, _ g: UInt32, _ h: inout UInt32, _ kw: UInt32) {
    let bigSigma1 = rotateRight(e, 6) ^ rotateRight(e, 11) ^ rotateRight(e, 25)
    let choose = g ^ (e & (f ^ g))  // (e & f) ^ (~e & g) with one operation fewer
    let t1 = h &+ bigSigma1 &+ choose &+ kw
    let bigSigma0 = rotateRight(a, 2) ^ rotateRight(a, 13) ^ rotateRight(a, 22)
    let majority = (a & b) | (c & (a | b))  // (a & b) ^ (a & c) ^ (b & c) with one operation fewer
    d &+= t1
    h = t1 &+ bigSigma0 &+ majority
}

@inline(__always)
private func rotateRight(_ value: UInt32, _ count: UInt32) -> UInt32 {
    (value &>> count) | (value &<< (32 &- count))
}
