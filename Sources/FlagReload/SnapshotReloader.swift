import FlagRuntime
import Logging
import Metrics
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads, checks and installs one snapshot file into one store. Attempts are serialised by a mutex (held while
/// reading and decoding, never by evaluations), so outcomes are reported in order and never interleave.
final class SnapshotReloader: Sendable {
    /// Modification times closer than this to the moment a file was read are not trusted to tell versions
    /// apart: Linux stamps files from a coarse clock (one tick is 1–10 ms), so a same-size rewrite within a tick
    /// keeps the identity. Such a "racy" file is read again at the next check, as git does for racy index entries.
    static let racyWindow: Int64 = 50_000_000

    let store: FlagStore
    /// The path as given, for messages and reports.
    let path: String
    /// The path made absolute when the watcher was created.
    let absolutePath: String
    let fileSystem: any SnapshotFileSystem
    let maximumFileSize: Int
    let logger: Logger
    let broadcaster: ReloadBroadcaster
    private let successes: Counter
    private let failures: Counter
    private let unchangedReads: Counter
    private let state = Mutex(State())

    private struct State {
        /// The identity of the file the last attempt looked at; `.some(nil)` when there was no file.
        var seen: SnapshotFileIdentity?? = .none
        /// `seen` was modified too close to its reading to be trusted (see `racyWindow`).
        var seenIsRacy = false
        /// The last rejection, reported once until the file's content version or the reason changes.
        var lastFailure: (reason: String, identity: SnapshotFileIdentity?)?
    }

    init(store: FlagStore, path: String, absolutePath: String, fileSystem: any SnapshotFileSystem, maximumFileSize: Int,
         logger: Logger, metricsFactory: (any MetricsFactory)?, broadcaster: ReloadBroadcaster) {
        self.store = store
        self.path = path
        self.absolutePath = absolutePath
        self.fileSystem = fileSystem
        self.maximumFileSize = maximumFileSize
        self.logger = logger
        self.broadcaster = broadcaster
        func counter(_ result: String) -> Counter {
            let dimensions = [("result", result)]
            if let metricsFactory { return Counter(label: "flagc_reloads_total", dimensions: dimensions, factory: metricsFactory) }
            return Counter(label: "flagc_reloads_total", dimensions: dimensions)
        }
        successes = counter("success")
        failures = counter("failure")
        unchangedReads = counter("unchanged")
    }

    /// What start-up found in the file: the snapshot, or why there is none, and the identity examined.
    struct InitialRead: Error {
        var snapshot: Snapshot?
        var provenance: SnapshotProvenance? = nil
        var error: SnapshotLoadError
        var identity: SnapshotFileIdentity?
        var isRacy: Bool
    }

    /// Reads and decodes the file for start-up (before there is a store); throws the failure as an `InitialRead`.
    static func readInitial(path: String, absolutePath: String, fileSystem: any SnapshotFileSystem, maximumFileSize: Int,
                            verifier: (any SnapshotSignatureVerifier)?, freshnessPolicy: SnapshotFreshnessPolicy,
                            clock: any FlagClock) throws(InitialRead) -> InitialRead {
        let probe = fileSystem.identity(ofFileAt: absolutePath)
        let readStart = realtimeNanoseconds()
        let bytes: [UInt8]
        let identity: SnapshotFileIdentity
        do throws(SnapshotLoadError) {
            (bytes, identity) = try fileSystem.contents(ofFileAt: absolutePath, limit: maximumFileSize)
        } catch {
            throw InitialRead(snapshot: nil, error: SnapshotLoadError(path: path, reason: error.reason), identity: probe, isRacy: false)
        }
        do throws(SnapshotLoadError) {
            let loaded = try decode(bytes, verifier: verifier)
            if verifier != nil { try freshnessPolicy.check(loaded.provenance, serving: nil, now: clock.now()) }
            return InitialRead(snapshot: loaded.snapshot, provenance: loaded.provenance, error: SnapshotLoadError(path: path, reason: ""),
                               identity: identity, isRacy: isRacy(identity, readStart: readStart))
        } catch {
            throw InitialRead(snapshot: nil, error: SnapshotLoadError(path: path, reason: error.reason), identity: identity, isRacy: false)
        }
    }

    /// Remembers what start-up read, so that the first check does not read an unchanged file again; a start-up
    /// failure (the store then serves a fallback) is logged and counted like a rejected reload.
    func recordStartup(_ startup: InitialRead) {
        state.withLock { state in
            state.seen = .some(startup.identity)
            state.seenIsRacy = startup.isRacy
            if startup.snapshot == nil { state.lastFailure = (startup.error.reason, startup.identity) }
        }
        guard startup.snapshot == nil else { return }
        failures.increment()
        logger.warning("flag snapshot file not usable at start-up; serving the fallback snapshot until a good file appears", metadata: [
            "path": "\(path)", "reason": "\(startup.error.reason)", "serving": "\(store.snapshot.id)",
        ])
    }

    /// Looks at the file and reloads it when it changed (or always, with `force`).
    ///
    /// Returns nil when nothing was attempted: the identity is what the last attempt saw (and trusted), or the
    /// attempt failed exactly as the previous one did (same reason, same file) and `repeatFailures` is false.
    @discardableResult
    func attempt(force: Bool, repeatFailures: Bool = false) -> SnapshotReloadOutcome? {
        state.withLock { state -> SnapshotReloadOutcome? in
            let probe = fileSystem.identity(ofFileAt: absolutePath)
            if !force, !state.seenIsRacy, case .some(let seen) = state.seen, seen == probe { return nil }
            let readStart = Self.realtimeNanoseconds()
            let bytes: [UInt8]
            let identity: SnapshotFileIdentity?
            do throws(SnapshotLoadError) {
                (bytes, identity) = try fileSystem.contents(ofFileAt: absolutePath, limit: maximumFileSize)
            } catch {
                state.seen = .some(probe)
                state.seenIsRacy = false
                return reject(error.reason, identity: probe, state: &state, repeatFailures: repeatFailures)
            }
            state.seen = .some(identity)
            state.seenIsRacy = identity.map { Self.isRacy($0, readStart: readStart) } ?? false
            let snapshot: Snapshot
            do throws(SnapshotLoadError) {
                let loaded = try Self.decode(bytes, verifier: store.signatureVerifier)
                try store.admit(loaded)
                snapshot = loaded.snapshot
            } catch {
                return reject(error.reason, identity: identity, state: &state, repeatFailures: repeatFailures)
            }
            state.lastFailure = nil
            let outcome: SnapshotReloadOutcome
            if snapshot.id == store.snapshot.id {
                outcome = .unchanged(id: snapshot.id)
                unchangedReads.increment()
                logger.debug("flag snapshot file read again; same snapshot", metadata: ["path": "\(path)", "id": "\(snapshot.id)"])
            } else {
                let compiled = store.compile(snapshot)  // prepared before the swap; evaluations keep running
                let old = store.exchange(compiled)
                let change = SnapshotChange(path: path, from: old.snapshot, to: snapshot)
                outcome = .reloaded(change)
                successes.increment()
                logger.info("flag snapshot reloaded", metadata: [
                    "path": "\(path)", "old_id": "\(change.oldID)", "new_id": "\(change.newID)",
                    "changed_flags": "\(change.changedKeys.count)",
                ])
            }
            broadcaster.publish(outcome)
            return outcome
        }
    }

    private func reject(_ reason: String, identity: SnapshotFileIdentity?, state: inout State, repeatFailures: Bool) -> SnapshotReloadOutcome? {
        if !repeatFailures, let last = state.lastFailure, last.reason == reason, Self.sameVersion(last.identity, identity) { return nil }
        state.lastFailure = (reason, identity)
        let serving = store.snapshot.id
        let outcome = SnapshotReloadOutcome.rejected(SnapshotReloadFailure(path: path, reason: reason, servingID: serving))
        failures.increment()
        logger.warning("flag snapshot file rejected; still serving the last good snapshot", metadata: [
            "path": "\(path)", "reason": "\(reason)", "serving": "\(serving)",
        ])
        broadcaster.publish(outcome)
        return outcome
    }

    /// Whether two identities name the same version of the file for reporting purposes: the status-change time is
    /// left out, because it also moves when the file is merely unlinked or renamed over while being read.
    static func sameVersion(_ first: SnapshotFileIdentity?, _ second: SnapshotFileIdentity?) -> Bool {
        guard let first, let second else { return first == nil && second == nil }
        return first.resolvedPath == second.resolvedPath && first.device == second.device && first.inode == second.inode
            && first.size == second.size && first.modificationTime == second.modificationTime
    }

    /// Decodes and verifies snapshot bytes. The one place reloads decode, so that everything `SnapshotLoader`
    /// checks (the form by content, checksums, the id against the content, the signature with the store's
    /// verifier) applies to reloads exactly as to `FlagStore(contentsOfFile:signatureVerifier:)`; the caller
    /// then applies the store's freshness policy (`FlagStore.admit`).
    static func decode(_ bytes: [UInt8], verifier: (any SnapshotSignatureVerifier)?) throws(SnapshotLoadError) -> LoadedSnapshot {
        try SnapshotLoader.read(bytes: bytes, verifier: verifier)
    }

    static func isRacy(_ identity: SnapshotFileIdentity, readStart: Int64) -> Bool {
        let latest = max(identity.modificationTime, identity.statusChangeTime)
        return latest >= readStart - racyWindow && latest <= readStart + racyWindow
    }

    static func realtimeNanoseconds() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec)
    }
}
