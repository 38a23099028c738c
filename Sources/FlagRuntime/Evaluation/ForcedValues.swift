import Synchronization

// Forced values that evaluation consults before the snapshot. `FlagRuntimeTesting` is the public face: its
// `FlagOverrides.with` binds them to a task, and its `FlagStore.override(_:)` to a store, where work running in
// other tasks (a server's request handlers) sees them too.

/// Values forced for the current task (and the tasks it creates).
package enum TaskForcedValues {
    @TaskLocal package static var current: [String: FlagValue]?

    /// Whether values were ever bound in this process: until then evaluations skip the task-local read
    /// (about a fifth of a static flag's cost).
    private static let everBound = Atomic<Bool>(false)

    /// The values in force for the current task, if any.
    @inline(__always)
    package static var active: [String: FlagValue]? {
        everBound.load(ordering: .acquiring) ? current : nil
    }

    /// Runs `body` with `values` added to those already in force.
    package static func with<Result>(_ values: [String: FlagValue], _ body: () async throws -> Result) async rethrows -> Result {
        everBound.store(true, ordering: .releasing)
        let merged = (current ?? [:]).merging(values) { _, new in new }
        return try await $current.withValue(merged, operation: body)
    }

    /// Runs `body` synchronously with `values` added to those already in force.
    package static func with<Result>(_ values: [String: FlagValue], _ body: () throws -> Result) rethrows -> Result {
        everBound.store(true, ordering: .releasing)
        let merged = (current ?? [:]).merging(values) { _, new in new }
        return try $current.withValue(merged, operation: body)
    }
}

/// Values forced on one store, seen by every task that evaluates through it.
package final class StoreForcedValues: Sendable {
    private let values = Mutex<[String: FlagValue]>([:])
    /// Whether `values` is empty, read without the lock on every evaluation.
    private let empty = Atomic<Bool>(true)

    package init() {}

    /// Whether no value is forced on the store.
    @inline(__always)
    package var isEmpty: Bool {
        empty.load(ordering: .acquiring)
    }

    /// The forced value of `key`, if any.
    @inline(__always)
    package func value(for key: String) -> FlagValue? {
        if empty.load(ordering: .acquiring) { return nil }
        return values.withLock { $0[key] }
    }

    /// Replaces the forced values and returns the previous ones.
    @discardableResult
    package func replace(with new: [String: FlagValue]) -> [String: FlagValue] {
        values.withLock { current in
            let old = current
            current = new
            empty.store(new.isEmpty, ordering: .releasing)
            return old
        }
    }

    /// Adds `new` (replacing values of the same keys) and returns the previous values.
    @discardableResult
    package func merge(_ new: [String: FlagValue]) -> [String: FlagValue] {
        values.withLock { current in
            let old = current
            current.merge(new) { _, value in value }
            empty.store(current.isEmpty, ordering: .releasing)
            return old
        }
    }

    /// The forced values.
    package var all: [String: FlagValue] { values.withLock { $0 } }
}
