import Synchronization

/// Forced flag values for tests, scoped to a task: code under test reads them from any `FlagStore`, and
/// tests running in parallel never see each other's overrides.
///
/// ```swift
/// @Test func newDashboard() async {
///     await FlagOverrides.with(["ui.new_dashboard": .boolean(true)]) {
///         #expect(renderHome().contains("dashboard-v2"))
///     }
/// }
/// ```
///
/// An overridden flag evaluates to the forced value with reason `OVERRIDE`, even when the snapshot does not
/// have it; a forced value of another type than asked for gives the caller's default with `TYPE_MISMATCH`.
public struct FlagOverrides: Sendable {
    /// The forced values by flag key.
    public var values: [String: FlagValue]

    /// Creates a set of overrides.
    public init(_ values: [String: FlagValue]) {
        self.values = values
    }

    func value(for key: String) -> FlagValue? { values[key] }

    @TaskLocal static var current: FlagOverrides?

    /// Whether overrides were ever bound in this process: until then evaluations skip the task-local read
    /// (about a fifth of a static flag's cost).
    private static let everBound = Atomic<Bool>(false)

    /// The overrides in force for the current task, if any.
    @inline(__always)
    static var active: FlagOverrides? {
        everBound.load(ordering: .acquiring) ? current : nil
    }

    /// Runs `body` with the flags forced to `values` (added to any overrides already in force).
    public static func with<Result>(_ values: [String: FlagValue], _ body: () async throws -> Result) async rethrows -> Result {
        everBound.store(true, ordering: .releasing)
        let merged = (current?.values ?? [:]).merging(values) { _, new in new }
        return try await $current.withValue(FlagOverrides(merged), operation: body)
    }

    /// Runs `body` synchronously with the flags forced to `values`.
    public static func with<Result>(_ values: [String: FlagValue], _ body: () throws -> Result) rethrows -> Result {
        everBound.store(true, ordering: .releasing)
        let merged = (current?.values ?? [:]).merging(values) { _, new in new }
        return try $current.withValue(FlagOverrides(merged), operation: body)
    }
}
