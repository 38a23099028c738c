import FlagRuntime
/// Turns a burst of directory events into one check: the check runs once no event has arrived for the quiet
/// period, or at the latest `cap` after the burst began, so a folder that never calms down still gets checked.
///
/// When the file was just created by a writer that has not closed it yet, the check waits for the close
/// (or `settle` without events) so that it does not read a half-written file.
struct ReloadDebouncer {
    /// Nanoseconds without events before checking.
    let quiet: Int64
    /// Nanoseconds after the first event of a burst by which the check runs anyway.
    let cap: Int64
    /// Nanoseconds to wait for a created file's writer to close it.
    let settle: Int64

    private var burstStart: Int64?
    private var lastEvent: Int64 = 0
    private var force = false
    private var awaitingClose = false

    /// A debouncer with the given quiet period (nanoseconds).
    init(quiet: Int64) {
        self.quiet = max(0, quiet)
        cap = max(self.quiet * 10, 50_000_000)
        settle = max(self.quiet, 250_000_000)
    }

    /// Records an event at `now`; `force` when it concerns the file itself, so it must be read even if its
    /// identity looks unchanged.
    mutating func note(at now: Int64, force: Bool, writeOpened: Bool = false, writeClosed: Bool = false) {
        if burstStart == nil { burstStart = now }
        lastEvent = now
        self.force = self.force || force
        if writeOpened { awaitingClose = true }
        if writeClosed { awaitingClose = false }
    }

    /// When the pending check is due, or nil when no event is pending.
    var deadline: Int64? {
        guard let burstStart else { return nil }
        if awaitingClose { return lastEvent + settle }
        return min(lastEvent + quiet, burstStart + cap)
    }

    /// Ends the burst; returns whether the check must read the file whatever its identity.
    mutating func take() -> Bool {
        defer {
            burstStart = nil
            force = false
            awaitingClose = false
        }
        return force
    }
}
