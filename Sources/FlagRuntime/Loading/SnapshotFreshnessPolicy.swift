/// What a store with a signature verifier accepts beyond a valid signature: no snapshot older than the one it
/// serves (a replay of yesterday's validly signed flags), and optionally none issued too long ago. Modelled on
/// TUF's version and timestamp rules; see docs/snapshot-format.md, "Rollback and freshness".
///
/// ```swift
/// let store = try FlagStore(contentsOfFile: "/etc/flags/snapshot.bin", signatureVerifier: verifier,
///                           freshnessPolicy: SnapshotFreshnessPolicy(maximumAge: 7 * 86_400))
/// ```
///
/// Without a verifier the policy is not applied: an unsigned sequence proves nothing.
public struct SnapshotFreshnessPolicy: Sendable, Hashable {
    /// Accept a snapshot whose sequence is lower than the served one's (a rollback done on purpose).
    public var acceptsOlderSnapshots: Bool
    /// Refuse a snapshot issued more than this many seconds before the store's clock says it is now; nil: no limit.
    public var maximumAge: Int64?

    /// Creates a policy; the default refuses older snapshots and sets no maximum age.
    public init(acceptsOlderSnapshots: Bool = false, maximumAge: Int64? = nil) {
        self.acceptsOlderSnapshots = acceptsOlderSnapshots
        self.maximumAge = maximumAge
    }

    /// Throws, with a reason, unless a snapshot with provenance `new` may replace one with `serving` (nil at
    /// start-up, or when the served snapshot carries none) at time `now`.
    package func check(_ new: SnapshotProvenance?, serving: SnapshotProvenance?, now: Int64) throws(SnapshotLoadError) {
        if let maximumAge {
            guard let new else {
                throw SnapshotLoadError(path: "", reason: "the snapshot carries no issue time, and a maximum age of \(maximumAge) s is required; compile it with --signing-key (which records one)")
            }
            let age = now - new.issuedAt
            guard age <= maximumAge else {
                throw SnapshotLoadError(path: "", reason: "the snapshot was issued at \(Timestamp.format(new.issuedAt)), \(age) s ago, more than the maximum age of \(maximumAge) s; publish a fresh snapshot")
            }
        }
        guard !acceptsOlderSnapshots, let serving else { return }
        guard let new else {
            throw SnapshotLoadError(path: "", reason: "the snapshot carries no sequence, so it cannot be shown to be newer than the one being served (sequence \(serving.sequence)); compile it with --signing-key, or accept older snapshots to roll back on purpose")
        }
        guard new.sequence >= serving.sequence else {
            throw SnapshotLoadError(path: "", reason: "the snapshot is older than the one being served (sequence \(new.sequence) < \(serving.sequence)): a replayed snapshot is refused; accept older snapshots to roll back on purpose")
        }
    }
}
