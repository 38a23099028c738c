/// Code that runs around every evaluation of a store, in the shape of an OpenFeature hook: `before` (which may
/// replace the evaluation context), then `after` on success or `error` on failure, then `finally` whatever happened.
///
/// Register a hook with `FlagStore.addHook(_:hints:)`; every evaluation entry point (key-based and handle-based,
/// plain and `…Details`) runs it. Every method has a default that does nothing, so a hook implements the stages it
/// needs:
///
/// ```swift
/// struct AuditHook: FlagHook {
///     func after(_ hook: HookContext, details: EvaluationDetails<FlagValue?>, hints: HookHints) throws {
///         audit.record(hook.flagKey, details.variant, details.reason)
///     }
/// }
/// let registration = store.addHook(AuditHook())
/// // …
/// store.removeHook(registration)
/// ```
///
/// `before` runs in registration order, `after`, `error` and `finally` in reverse order (OpenFeature's stack
/// order). A hook that throws from `before` or `after` makes the evaluation give the caller's default with
/// `ERROR` and `GENERAL`, and the `error` stage runs; an error an evaluation reports itself (`FLAG_NOT_FOUND`,
/// `TYPE_MISMATCH`) runs `error` instead of `after`. Hooks run on the evaluating thread, so they should be quick.
public protocol FlagHook: Sendable {
    /// Runs before the flag is evaluated; return a context to evaluate with instead of `hook.evaluationContext`
    /// (the next hooks and the evaluation see it), or nil to keep it. Throwing gives the caller's default.
    func before(_ hook: HookContext, hints: HookHints) throws -> EvaluationContext?
    /// Runs after a successful evaluation (any reason but `ERROR`). Throwing gives the caller's default.
    func after(_ hook: HookContext, details: EvaluationDetails<FlagValue?>, hints: HookHints) throws
    /// Runs when `before` or `after` threw, or the evaluation reported an error (a `FlagEvaluationError`).
    func error(_ hook: HookContext, error: any Error, hints: HookHints)
    /// Runs last, whatever happened, with the details the caller gets.
    func finally(_ hook: HookContext, details: EvaluationDetails<FlagValue?>, hints: HookHints)
}

extension FlagHook {
    /// Keeps the context.
    public func before(_ hook: HookContext, hints: HookHints) throws -> EvaluationContext? { nil }
    /// Does nothing.
    public func after(_ hook: HookContext, details: EvaluationDetails<FlagValue?>, hints: HookHints) throws {}
    /// Does nothing.
    public func error(_ hook: HookContext, error: any Error, hints: HookHints) {}
    /// Does nothing.
    public func finally(_ hook: HookContext, details: EvaluationDetails<FlagValue?>, hints: HookHints) {}
}

/// What an evaluation a hook runs around asked for (OpenFeature's hook context).
public struct HookContext: Sendable {
    /// The flag key asked for.
    public let flagKey: String
    /// The type the caller reads the value as; nil for `details(_:context:)`, which accepts any type, and for a
    /// handle whose value type has no `FlagValue` form.
    public let valueType: FlagValueType?
    /// The caller's default as a flag value (nil for `details(_:context:)`).
    public let defaultValue: FlagValue?
    /// The context the flag is evaluated with: the caller's, or the one a `before` hook returned.
    public internal(set) var evaluationContext: EvaluationContext
    /// Who evaluates: the store (`ProviderMetadata.flagc`).
    public let providerMetadata: ProviderMetadata
}

/// Metadata of the flag provider, in OpenFeature's terms: flagc's store.
public struct ProviderMetadata: Sendable, Hashable {
    /// The provider's name, `flagc` (also the `feature_flag.provider.name` of `FlagObservability`'s span events).
    public let name: String

    /// The metadata of flagc's `FlagStore`.
    public static let flagc = ProviderMetadata(name: "flagc")
}

/// Values given to a hook with its registration (OpenFeature's hook hints), passed to each of its stages.
public typealias HookHints = [String: JSONValue]

/// The error the `error` stage of hooks receives when an evaluation reports one (the reason is `ERROR`).
public struct FlagEvaluationError: Error, Sendable, Hashable {
    /// What went wrong.
    public let code: EvaluationErrorCode
    /// The evaluation's message.
    public let message: String?
}

/// A hook's registration on a store, to remove it with `FlagStore.removeHook(_:)`.
public struct HookRegistration: Sendable, Hashable {
    let id: UInt64
}
