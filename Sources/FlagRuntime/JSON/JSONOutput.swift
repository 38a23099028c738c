/// The bytes `JSONWriter` and `JSONEmitter` produce, gathered in a small fixed buffer and moved to the
/// result array a few kilobytes at a time.
///
/// Appending to a `[UInt8]` directly checks uniqueness and capacity on every call and copies each run
/// through the generic sequence path; a 10,000-flag snapshot makes millions of such small appends, which
/// cost more than the JSON itself. Here an append is a bounds check and a store.
///
/// Not copyable: it owns `buffer`, which `deinit` frees.
struct JSONOutput: ~Copyable {
    private static let bufferSize = 4096

    /// Everything written before the bytes in `buffer`.
    private var flushed: [UInt8] = []
    private let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: JSONOutput.bufferSize)
    private var buffered = 0
    /// When set, flushed bytes are hashed instead of kept (for content ids: no multi-megabyte text is built).
    private var hasher: SHA256?

    init(capacity: Int = 0) {
        flushed.reserveCapacity(capacity)
    }

    /// An output that only hashes what is written; `digest()` gives the SHA-256.
    init(hashing: Void) {
        hasher = SHA256()
    }

    deinit {
        buffer.deallocate()
    }

    /// How many bytes have been written (for an output that keeps them).
    var count: Int { flushed.count + buffered }

    /// All bytes written.
    mutating func bytes() -> [UInt8] {
        flush()
        return flushed
    }

    /// The SHA-256 of all bytes written, for an output created with `init(hashing:)`.
    mutating func digest() -> [UInt8] {
        flush()
        return hasher?.finalize() ?? SHA256.hash(flushed)
    }

    @inline(__always)
    mutating func append(_ byte: UInt8) {
        if buffered == JSONOutput.bufferSize { flush() }
        buffer[buffered] = byte
        buffered += 1
    }

    @inline(__always)
    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress else { return }
        if bytes.count > JSONOutput.bufferSize - buffered {
            appendSlowly(bytes)
            return
        }
        (buffer + buffered).initialize(from: source, count: bytes.count)
        buffered += bytes.count
    }

    /// `append(_:)` of a run that does not fit in what is left of the buffer (kept out of line: the rare case).
    @inline(never)
    private mutating func appendSlowly(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress else { return }
        flush()
        if bytes.count > JSONOutput.bufferSize {
            if hasher != nil {
                hasher?.update(UnsafeRawBufferPointer(bytes))
            } else {
                flushed.append(contentsOf: bytes)
            }
            return
        }
        (buffer + buffered).initialize(from: source, count: bytes.count)
        buffered += bytes.count
    }

    mutating func append(repeating byte: UInt8, count: Int) {
        var remaining = count
        while remaining > 0 {
            if buffered == JSONOutput.bufferSize { flush() }
            let run = min(remaining, JSONOutput.bufferSize - buffered)
            (buffer + buffered).initialize(repeating: byte, count: run)
            buffered += run
            remaining -= run
        }
    }

    @inline(never)
    private mutating func flush() {
        if hasher != nil {
            hasher?.update(UnsafeRawBufferPointer(start: buffer, count: buffered))
        } else {
            flushed.append(contentsOf: UnsafeBufferPointer(start: buffer, count: buffered))
        }
        buffered = 0
    }
}
