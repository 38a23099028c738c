#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a file could not be read by `RegularFileReader`.
package struct FileReadError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kinds of failure, so callers can choose a rule id or an exit code.
    package enum Kind: Sendable, Equatable {
        /// Nothing at the path (or a dangling symbolic link).
        case missing
        /// The process may not read it.
        case permissionDenied
        /// A folder, FIFO, device or socket: something that is not a regular file.
        case notRegularFile(String)
        /// Larger than the limit, by `fstat`'s size.
        case tooLarge(size: Int, limit: Int)
        /// Grew past the limit while it was being read.
        case grewPastLimit(Int)
        /// Any other system error.
        case system(String)
    }

    /// What went wrong.
    package var kind: Kind

    package init(kind: Kind) {
        self.kind = kind
    }

    /// A reason for people, without the path.
    package var description: String {
        switch kind {
        case .missing: String(cString: strerror(ENOENT))
        case .permissionDenied: String(cString: strerror(EACCES))
        case .notRegularFile(let what): "it is \(what), not a regular file"
        case .tooLarge(let size, let limit): "the file is \(size) bytes, more than the limit of \(limit) bytes"
        case .grewPastLimit(let limit): "the file grew past the limit of \(limit) bytes while being read"
        case .system(let message): message
        }
    }
}

/// The one POSIX file reader of the project (the runtime does not depend on Foundation): reads regular files
/// only and never more than `limit + 1` bytes, whatever the path leads to.
///
/// The file is opened with `O_NONBLOCK`, so a FIFO cannot block the open; `fstat` on the open descriptor
/// refuses anything but a regular file (a folder, `/dev/zero`, a FIFO, a socket) before a byte is read; and
/// reading stops one byte past the limit, so a file that grows while it is read cannot exhaust memory.
package enum RegularFileReader {
    /// `realpath(path)`, or nil when some part of it does not exist (what flag discovery and the watcher resolve
    /// links with).
    package static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// The bytes of the regular file at `path` (following symbolic links) and its `fstat` after reading.
    package static func read(_ path: String, limit: Int) throws(FileReadError) -> (bytes: [UInt8], status: stat) {
        var (descriptor, status) = try openRegularFile(path)
        defer { close(descriptor) }
        let size = Int(status.st_size)
        guard size <= limit else { throw FileReadError(kind: .tooLarge(size: size, limit: limit)) }
        // One byte more than the size, to notice a file that grew; then in chunks, never past limit + 1.
        var bytes = [UInt8](repeating: 0, count: min(size, limit) + 1)
        var count = 0
        while true {
            if count == bytes.count {
                guard bytes.count <= limit else { throw FileReadError(kind: .grewPastLimit(limit)) }
                bytes.append(contentsOf: repeatElement(0, count: min(max(64 * 1024, bytes.count), limit + 1 - bytes.count)))
            }
            let got = bytes.withUnsafeMutableBytes { systemRead(descriptor, $0.baseAddress! + count, $0.count - count) }
            if got < 0 {
                if errno == EINTR { continue }
                throw error(errno)
            }
            if got == 0 { break }
            count += got
        }
        guard count <= limit else { throw FileReadError(kind: .grewPastLimit(limit)) }
        bytes.removeSubrange(count...)
        guard fstat(descriptor, &status) == 0 else { throw error(errno) }
        return (bytes, status)
    }

    /// Opens `path` for reading without blocking on a FIFO, and returns the descriptor (the caller closes it)
    /// with its `fstat`, unless it is not a regular file.
    package static func openRegularFile(_ path: String) throws(FileReadError) -> (descriptor: Int32, status: stat) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
        guard descriptor >= 0 else { throw error(errno) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            let failure = error(errno)
            close(descriptor)
            throw failure
        }
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            close(descriptor)
            throw FileReadError(kind: .notRegularFile(kind(of: status.st_mode)))
        }
        return (descriptor, status)
    }

    /// What a file mode is, for messages: `a folder`, `a FIFO`, `a device`, …
    package static func kind(of mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFDIR: "a folder"
        case S_IFIFO: "a FIFO (named pipe)"
        case S_IFCHR, S_IFBLK: "a device"
        case S_IFSOCK: "a socket"
        case S_IFLNK: "a symbolic link"
        default: "a special file"
        }
    }

    private static func error(_ code: Int32) -> FileReadError {
        switch code {
        case ENOENT, ENOTDIR: FileReadError(kind: .missing)
        case EACCES, EPERM: FileReadError(kind: .permissionDenied)
        case EISDIR: FileReadError(kind: .notRegularFile("a folder"))
        case ENXIO: FileReadError(kind: .notRegularFile("a FIFO or socket"))
        default: FileReadError(kind: .system(String(cString: strerror(code))))
        }
    }
}

/// POSIX `read`, under a name that `read(_:limit:)` does not shadow.
private func systemRead(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(descriptor, buffer, count)
}
