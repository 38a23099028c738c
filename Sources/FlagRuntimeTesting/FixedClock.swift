import FlagRuntime

/// A clock that always says the same time: rule windows and `before`/`after` conditions evaluate as at that
/// instant.
///
/// ```swift
/// let store = try FlagStore(contentsOfFile: "build/snapshot.json", clock: FixedClock(1_767_225_600))
/// ```
public struct FixedClock: FlagClock {
    /// The time it says, in Unix seconds.
    public var seconds: Int64

    /// Creates a clock fixed at `seconds` (Unix seconds).
    public init(_ seconds: Int64) {
        self.seconds = seconds
    }

    /// `seconds`.
    public func now() -> Int64 { seconds }
}
