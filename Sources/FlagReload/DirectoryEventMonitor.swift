import FlagRuntime
#if os(Linux)
import Glibc
import Logging

/// An inotify instance watching the directories of a `WatchPlan` (non-blocking; read after `poll`).
///
/// Owned by one watch thread: not shared, so not `Sendable`.
final class DirectoryEventMonitor {
    /// What directory watches report: entries created, deleted, renamed in or out, written and closed,
    /// their attributes changed (a `chmod` that makes the file readable); and the directory itself deleted
    /// or moved. `IN_ONLYDIR` refuses to watch a file that took a directory's place.
    static let mask = UInt32(IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_CLOSE_WRITE | IN_ATTRIB
        | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)

    /// The inotify descriptor, for `poll`.
    let descriptor: Int32
    private let logger: Logger
    /// Watch descriptor → the directory (as planned) and the names that concern the file.
    private var watches: [Int32: (directory: String, names: Set<String>)] = [:]
    private var buffer = [UInt8](repeating: 0, count: 64 * 1024)

    /// Creates the inotify instance, or returns nil (logged) when the system refuses one, for example when
    /// `fs.inotify.max_user_instances` is reached.
    init?(logger: Logger) {
        let descriptor = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard descriptor >= 0 else {
            logger.warning("cannot watch flag snapshot files with inotify; polling only", metadata: [
                "reason": "\(String(cString: strerror(errno)))",
            ])
            return nil
        }
        self.descriptor = descriptor
        self.logger = logger
    }

    deinit {
        close(descriptor)
    }

    /// Watches the plan's directories, and stops watching the ones it no longer names. Cheap to repeat:
    /// watching an already watched directory returns its existing watch descriptor.
    func arm(_ plan: WatchPlan) {
        var armed: [Int32: (directory: String, names: Set<String>)] = [:]
        for (directory, names) in plan.directories {
            let watch = inotify_add_watch(descriptor, directory, Self.mask)
            guard watch >= 0 else {
                // The folder went away between planning and watching, or the watch limit is reached:
                // the next event or poll plans again; polling covers the gap.
                if errno != ENOENT && errno != ENOTDIR {
                    logger.debug("cannot watch folder", metadata: ["folder": "\(directory)", "reason": "\(String(cString: strerror(errno)))"])
                }
                continue
            }
            armed[watch, default: (directory, [])].names.formUnion(names)
        }
        for watch in watches.keys where armed[watch] == nil {
            inotify_rm_watch(descriptor, watch)
        }
        watches = armed
    }

    /// Reads every queued event and reports each to `debouncer`.
    func drain(into debouncer: inout ReloadDebouncer, at now: Int64) {
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                return  // EAGAIN: drained
            }
            if count == 0 { return }
            var offset = 0
            while offset + 16 <= count {
                let (watch, mask, length) = buffer.withUnsafeBytes { bytes in
                    (bytes.loadUnaligned(fromByteOffset: offset, as: Int32.self),
                     bytes.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self),
                     Int(bytes.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self)))
                }
                let nameBytes = buffer[(offset + 16)..<min(count, offset + 16 + length)]
                let name = String(decoding: nameBytes.prefix { $0 != 0 }, as: UTF8.self)
                handle(watch: watch, mask: mask, name: name, debouncer: &debouncer, now: now)
                offset += 16 + length
            }
        }
    }

    private func handle(watch: Int32, mask: UInt32, name: String, debouncer: inout ReloadDebouncer, now: Int64) {
        if mask & UInt32(IN_Q_OVERFLOW) != 0 {
            // Events were lost: plan again and read the file whatever its identity says.
            logger.debug("inotify queue overflowed; rescanning")
            debouncer.note(at: now, force: true)
            return
        }
        if mask & UInt32(IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF | IN_UNMOUNT) != 0 {
            // A watched folder went away: the next check plans (and watches) again.
            if mask & UInt32(IN_IGNORED) != 0 { watches[watch] = nil }
            debouncer.note(at: now, force: true)
            return
        }
        guard let watched = watches[watch], watched.names.contains(name) else {
            debouncer.note(at: now, force: false)  // a neighbour changed: a cheap identity check is enough
            return
        }
        if mask & UInt32(IN_CREATE) != 0, mask & UInt32(IN_ISDIR) == 0, Self.isRegularFile(watched.directory + "/" + name) {
            debouncer.note(at: now, force: true, writeOpened: true)  // created by a writer that may still be writing
        } else if mask & UInt32(IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE) != 0 {
            debouncer.note(at: now, force: true, writeClosed: true)
        } else {
            debouncer.note(at: now, force: true)
        }
    }

    private static func isRegularFile(_ path: String) -> Bool {
        var status = stat()
        return lstat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFREG
    }
}
#endif
