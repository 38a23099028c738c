import FlagRuntime
/// A snapshot a `SnapshotFileWatcher` started serving in place of another: both ids and which flags differ.
///
/// ```swift
/// for await change in watcher.changes() {
///     logger.info("flags reloaded", metadata: ["from": "\(change.oldID)", "to": "\(change.newID)",
///                                             "changed": "\(change.changedKeys.joined(separator: ","))"])
/// }
/// ```
public struct SnapshotChange: Sendable, Hashable {
    /// The file the new snapshot was read from (as the watcher was given it).
    public var path: String
    /// The id of the snapshot served before.
    public var oldID: String
    /// The id of the snapshot served now.
    public var newID: String
    /// The source revision of the snapshot served before, when it recorded one.
    public var oldRevision: String?
    /// The snapshot served now (its `id` is `newID`).
    public var snapshot: Snapshot
    /// Keys of flags in the new snapshot only, sorted.
    public var addedKeys: [String]
    /// Keys of flags in the old snapshot only, sorted.
    public var removedKeys: [String]
    /// Keys of flags in both whose definition (any part of the `Flag` value) differs, sorted.
    public var modifiedKeys: [String]

    /// Creates a change.
    package init(path: String, oldID: String, newID: String, oldRevision: String?, snapshot: Snapshot, addedKeys: [String], removedKeys: [String], modifiedKeys: [String]) {
        self.path = path
        self.oldID = oldID
        self.newID = newID
        self.oldRevision = oldRevision
        self.snapshot = snapshot
        self.addedKeys = addedKeys
        self.removedKeys = removedKeys
        self.modifiedKeys = modifiedKeys
    }

    /// The change from `old` to `new`: flags compared by key and full definition.
    package init(path: String, from old: Snapshot, to new: Snapshot) {
        let oldFlags = Dictionary(old.flags.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        let newKeys = Set(new.flags.map(\.key))
        var added: [String] = []
        var modified: [String] = []
        for flag in new.flags {
            if let before = oldFlags[flag.key] {
                if before != flag { modified.append(flag.key) }
            } else {
                added.append(flag.key)
            }
        }
        let removed = old.flags.map(\.key).filter { !newKeys.contains($0) }
        let sorted = { (keys: [String]) in Array(Set(keys)).sorted { precedesByUTF8($0, $1) } }
        self.init(path: path, oldID: old.id, newID: new.id, oldRevision: old.revision, snapshot: new,
                  addedKeys: sorted(added), removedKeys: sorted(removed), modifiedKeys: sorted(modified))
    }

    /// Every key added, removed or modified, sorted: the flags whose answers may have changed.
    public var changedKeys: [String] {
        (addedKeys + removedKeys + modifiedKeys).sorted { precedesByUTF8($0, $1) }
    }
}

/// A snapshot file a `SnapshotFileWatcher` read and rejected; the snapshot it was serving stays.
public struct SnapshotReloadFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file (as the watcher was given it).
    public var path: String
    /// What is wrong, for example "the file is empty" or "the id 4c0e… does not match the content".
    public var reason: String
    /// The id of the snapshot still being served.
    public var servingID: String

    /// Creates a failure report.
    package init(path: String, reason: String, servingID: String) {
        self.path = path
        self.reason = reason
        self.servingID = servingID
    }

    /// `cannot reload PATH: REASON`.
    public var description: String { "cannot reload \(path): \(reason)" }
}

/// What one reload attempt did.
public enum SnapshotReloadOutcome: Sendable, Hashable {
    /// A new snapshot is being served.
    case reloaded(SnapshotChange)
    /// The file holds the snapshot already served (same id); nothing was swapped.
    case unchanged(id: String)
    /// The file could not be read or is not a valid snapshot; the old snapshot is still served.
    case rejected(SnapshotReloadFailure)
}
