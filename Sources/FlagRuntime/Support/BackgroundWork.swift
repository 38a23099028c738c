#if canImport(Glibc)
import Glibc
#endif

/// A few milliseconds of work run on a thread of its own while the caller does other work, then waited for with
/// `join()`: `SnapshotLoader` writes and hashes a large binary payload's content id while it decodes the payload.
///
/// Where no thread can be started (or off Linux), `start` returns nil and the caller does the work itself.
struct BackgroundWork<Result>: ~Copyable {
    /// What the thread computed; written by the thread before it ends, read after `pthread_join`, which orders the two
    /// (so `@unchecked Sendable` needs no lock).
    private final class Outcome: @unchecked Sendable {
        var result: Result?
    }

    private let outcome: Outcome
    private let thread: BackgroundThread

    private init(outcome: Outcome, thread: BackgroundThread) {
        self.outcome = outcome
        self.thread = thread
    }

    /// Starts `body` on a new thread; nil when no thread could be started.
    static func start(_ body: @escaping () -> Result) -> BackgroundWork? {
        let outcome = Outcome()
        guard let thread = BackgroundThread.start({ outcome.result = body() }) else { return nil }
        return BackgroundWork(outcome: outcome, thread: thread)
    }

    /// Waits for the thread to finish and returns what `body` returned.
    consuming func join() -> Result {
        thread.join()
        return outcome.result!
    }
}

/// A thread running one closure: joined once (`start`), or left to finish on its own (`detach`).
///
/// `@unchecked Sendable` without a lock: `body` never changes, and `thread` is written by `pthread_create` before the
/// starting thread reads it (`join`, `detach`); the new thread reads only `body`.
final class BackgroundThread: @unchecked Sendable {
    private let body: () -> Void
    #if canImport(Glibc)
    private var thread = pthread_t()
    #endif

    private init(_ body: @escaping () -> Void) {
        self.body = body
    }

    static func start(_ body: @escaping () -> Void) -> BackgroundThread? {
        #if canImport(Glibc)
        let started = BackgroundThread(body)
        let context = Unmanaged.passRetained(started).toOpaque()
        let status = pthread_create(&started.thread, nil, { context in
            Unmanaged<BackgroundThread>.fromOpaque(context!).takeRetainedValue().body()
            return nil
        }, context)
        guard status == 0 else {
            Unmanaged<BackgroundThread>.fromOpaque(context).release()
            return nil
        }
        return started
        #else
        return nil
        #endif
    }

    /// Runs `body` on a thread nobody waits for, which releases `body` (and what it captured) when it ends; false
    /// when no thread could be started (`body` has not run).
    static func detach(_ body: @escaping () -> Void) -> Bool {
        guard let started = start(body) else { return false }
        #if canImport(Glibc)
        pthread_detach(started.thread)
        #endif
        return true
    }

    func join() {
        #if canImport(Glibc)
        let status = pthread_join(thread, nil)
        precondition(status == 0, "pthread_join failed (\(status))")
        #endif
    }
}
