import FlagRuntime
import Synchronization

/// A clock whose time is set before each evaluation, otherwise a default or the system clock: the clock of
/// `flagc eval --batch` (a line's `at`) and of `flagc test` (a case's `at`).
///
/// One store (one compiled snapshot) serves every evaluation; the runs are sequential per store, so setting the
/// time before each evaluation is enough (the atomic only makes the type `Sendable`).
package final class SettableClock: FlagClock {
    /// Stands for "no fixed time: ask the system clock".
    private static let system = Int64.min
    private let seconds: Atomic<Int64>
    private let defaultSeconds: Int64

    /// Creates a clock that says `default` (or the system time when nil) until `set` says otherwise.
    package init(default seconds: Int64?) {
        defaultSeconds = seconds ?? Self.system
        self.seconds = Atomic(defaultSeconds)
    }

    /// Fixes the time for the next evaluations; nil goes back to the default.
    package func set(_ seconds: Int64?) {
        self.seconds.store(seconds ?? defaultSeconds, ordering: .relaxed)
    }

    /// The fixed time, or the system clock's.
    package func now() -> Int64 {
        let fixed = seconds.load(ordering: .relaxed)
        return fixed == Self.system ? SystemClock().now() : fixed
    }
}
