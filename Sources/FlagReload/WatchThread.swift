import FlagRuntime
import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One run of a `SnapshotFileWatcher`: a dedicated thread that sleeps in `poll()` on the inotify descriptor
/// (on Linux) and a wake-up socket, with a timeout for the next polling check or debounced reload.
///
/// A thread, not a task: `poll()` blocks, and blocking a cooperative thread would starve the service's tasks
/// (there may be only two). Reading and decoding a new snapshot also happen here, off the evaluation path.
/// `stop()` writes a byte to the wake-up socket, so cancellation takes effect at once; the thread closes
/// every descriptor it opened before reporting that it finished.
final class WatchThread: Sendable {
    private struct Control {
        /// The socket pair: the thread polls `[0]`, `stop()` writes to `[1]`. -1 once closed.
        var wake: (read: Int32, write: Int32)
        var stopRequested = false
        /// The thread, once started and until joined.
        var thread: ThreadHandle?
    }

    private let reloader: SnapshotReloader
    private let pollInterval: Int64
    private let debounce: Int64
    private let usesFileEvents: Bool
    private let logger: Logger
    /// Guards the wake-up descriptors: `stop()` may run on any thread, at any time, even after the thread closed them.
    private let control: Mutex<Control>

    /// Creates the wake-up socket pair; throws the system's reason when it cannot.
    init(reloader: SnapshotReloader, pollInterval: Int64, debounce: Int64, usesFileEvents: Bool, logger: Logger) throws(SnapshotLoadError) {
        self.reloader = reloader
        self.pollInterval = max(pollInterval, 1_000_000)
        self.debounce = debounce
        self.usesFileEvents = usesFileEvents
        self.logger = logger
        var pair: [Int32] = [-1, -1]
        #if canImport(Glibc)
        let created = socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0, &pair)
        #else
        let created = pipe(&pair)
        if created == 0 {
            for descriptor in pair {
                _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
                _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
            }
        }
        #endif
        guard created == 0 else { throw SnapshotLoadError(path: reloader.path, reason: String(cString: strerror(errno))) }
        control = Mutex(Control(wake: (pair[0], pair[1])))
    }

    /// Starts the thread; `onExit` runs on it after every descriptor is closed, and `join()` may be called
    /// from then on. Returns false when no thread could be created (the descriptors are then already closed
    /// and `onExit` does not run).
    func start(onExit: @escaping @Sendable () -> Void) -> Bool {
        let context = Unmanaged.passRetained(ThreadBody { [self] in
            _ = control.withLock { $0.thread }  // waits until `start` has recorded the thread, so `join()` finds it
            loop()
            closeDescriptors()
            onExit()
        }).toOpaque()
        let created = control.withLock { control -> Bool in
            #if canImport(Glibc)
            var thread = pthread_t()
            let result = pthread_create(&thread, nil, { raw in
                Unmanaged<ThreadBody>.fromOpaque(raw!).takeRetainedValue().body()
                return nil
            }, context)
            guard result == 0 else { return false }
            #else
            var created: pthread_t?
            let result = pthread_create(&created, nil, { raw in
                Unmanaged<ThreadBody>.fromOpaque(raw).takeRetainedValue().body()
                return nil
            }, context)
            guard result == 0, let thread = created else { return false }
            #endif
            control.thread = ThreadHandle(thread: thread)
            return true
        }
        if !created {
            Unmanaged<ThreadBody>.fromOpaque(context).release()
            closeDescriptors()
        }
        return created
    }

    /// Waits until the thread has ended; call once, after `onExit` ran (the thread is then past its work).
    func join() {
        let handle = control.withLock { control in
            defer { control.thread = nil }
            return control.thread
        }
        handle?.join()
    }

    /// Asks the thread to finish; safe to call any number of times, from anywhere.
    func stop() {
        control.withLock { control in
            control.stopRequested = true
            guard control.wake.write >= 0 else { return }
            var byte: UInt8 = 1
            _ = write(control.wake.write, &byte, 1)
        }
    }

    private var stopRequested: Bool { control.withLock { $0.stopRequested } }

    private func closeDescriptors() {
        control.withLock { control in
            if control.wake.read >= 0 { close(control.wake.read) }
            if control.wake.write >= 0 { close(control.wake.write) }
            control.wake = (-1, -1)
        }
    }

    /// The watch loop: arm, check, then wait for events, the debounce deadline or the next poll.
    private func loop() {
        let wakeDescriptor = control.withLock { $0.wake.read }
        #if os(Linux)
        let monitor = usesFileEvents ? DirectoryEventMonitor(logger: logger) : nil
        #endif
        func checkFile(force: Bool) {
            #if os(Linux)
            monitor?.arm(WatchPlan(path: reloader.absolutePath))  // before reading, so no change goes unseen
            #endif
            reloader.attempt(force: force)
        }

        checkFile(force: false)
        var debouncer = ReloadDebouncer(quiet: debounce)
        var nextPoll = Self.monotonicNanoseconds() + pollInterval
        var descriptors = [pollfd(fd: wakeDescriptor, events: Int16(POLLIN), revents: 0)]
        #if os(Linux)
        if let monitor { descriptors.append(pollfd(fd: monitor.descriptor, events: Int16(POLLIN), revents: 0)) }
        #endif
        defer {
            #if os(Linux)
            withExtendedLifetime(monitor) {}  // the inotify descriptor stays open until the loop ends, then closes
            #endif
        }
        while !stopRequested {
            let now = Self.monotonicNanoseconds()
            let deadline = min(nextPoll, debouncer.deadline ?? .max)
            let timeout = Int32(clamping: max(0, (deadline - now + 999_999) / 1_000_000))
            for index in descriptors.indices { descriptors[index].revents = 0 }
            let ready = poll(&descriptors, nfds_t(descriptors.count), timeout)
            if ready < 0 {
                if errno == EINTR { continue }
                logger.error("flag snapshot watcher stopped: poll failed", metadata: ["reason": "\(String(cString: strerror(errno)))"])
                return
            }
            if descriptors[0].revents != 0 { return }  // stop() wrote, or the socket broke: either way, finish
            let woke = Self.monotonicNanoseconds()
            #if os(Linux)
            if let monitor, descriptors.count > 1, descriptors[1].revents != 0 {
                monitor.drain(into: &debouncer, at: woke)
            }
            #endif
            if let due = debouncer.deadline, woke >= due {
                checkFile(force: debouncer.take())
            }
            if woke >= nextPoll {
                checkFile(force: false)
                nextPoll = Self.monotonicNanoseconds() + pollInterval
            }
        }
    }

    static func monotonicNanoseconds() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec)
    }
}

/// The work a new thread runs; passed through `pthread_create`'s context pointer.
private final class ThreadBody: Sendable {
    let body: @Sendable () -> Void
    init(_ body: @escaping @Sendable () -> Void) { self.body = body }
}

/// A started watch thread, to join once it reported that it finished.
struct ThreadHandle: @unchecked Sendable {  // pthread_t is a plain handle; joined exactly once, by `run()`.
    let thread: pthread_t

    /// Waits until the thread has ended (it is already past its last statement when this is called).
    func join() {
        _ = pthread_join(thread, nil)
    }
}
