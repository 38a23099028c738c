import FlagRuntime

/// Forced flag values for tests, scoped to a task: code under test reads them from any `FlagStore`, and tests
/// running in parallel never see each other's overrides.
///
/// ```swift
/// @Test func newDashboard() async {
///     await FlagOverrides.with(["ui.new_dashboard": true]) {
///         #expect(renderHome().contains("dashboard-v2"))
///     }
/// }
/// ```
///
/// An overridden flag evaluates to the forced value with reason `OVERRIDE`, even when the snapshot does not have
/// it; a forced value of another type than asked for gives the caller's default with `TYPE_MISMATCH`.
///
/// Task-local values reach the task that binds them and the child tasks it creates, not work that runs in tasks
/// started elsewhere (a server's request handlers run in the server's tasks): for those, force values on the
/// store itself with `FlagStore.override(_:)`. A task's values win over the store's.
public enum FlagOverrides {
    /// Runs `body` with the flags forced to `values` (added to any task overrides already in force).
    public static func with<Result>(_ values: [String: FlagValue], _ body: () async throws -> Result) async rethrows -> Result {
        try await TaskForcedValues.with(values, body)
    }

    /// Runs `body` synchronously with the flags forced to `values`.
    public static func with<Result>(_ values: [String: FlagValue], _ body: () throws -> Result) rethrows -> Result {
        try TaskForcedValues.with(values, body)
    }

    /// The values forced for the current task.
    public static var current: [String: FlagValue] { TaskForcedValues.current ?? [:] }
}

extension FlagStore {
    /// Forces flags to `values` on this store, for every task that evaluates through it, until
    /// `removeOverrides()` (added to the values already forced on it). Evaluations report reason `OVERRIDE`.
    ///
    /// ```swift
    /// let store = try FlagStore(contentsOfFile: "build/snapshot.json")
    /// store.override(["billing.invoice_auto_generate": true])
    /// defer { store.removeOverrides() }
    /// try await app.test(.router) { client in … }   // handlers in the server's tasks see the override
    /// ```
    public func override(_ values: [String: FlagValue]) {
        forcedValues.merge(values)
    }

    /// Removes every value forced on this store.
    public func removeOverrides() {
        forcedValues.replace(with: [:])
    }

    /// The values forced on this store.
    public var overrides: [String: FlagValue] { forcedValues.all }

    /// Runs `body` with flags forced to `values` on this store, for every task, then restores the store's
    /// previous overrides.
    public func withOverrides<Result>(_ values: [String: FlagValue], _ body: () async throws -> Result) async rethrows -> Result {
        let previous = forcedValues.merge(values)
        defer { forcedValues.replace(with: previous) }
        return try await body()
    }
}
