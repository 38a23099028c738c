import FlagRuntime
import Foundation

/// The commits that changed each flag, for the report's history: who, when, and the `flagc diff` summary of the change.
///
/// It reads the same first-parent `git log` walk as `flagc stale` (`FlagHistory.flagFileLog`), the versions of the
/// files it names through one `git cat-file --batch`, and replays them: after each commit only the flags of the
/// files it changed are lowered again (all of them when a segment changed) and compared with `FlagDiffer`, so the
/// cost grows with the changes, not with flags × commits.
package struct FlagChangeLog: Sendable {
    /// One commit's change to one flag.
    package struct Change: Sendable, Hashable {
        /// The full commit id.
        package var commit: String
        /// The commit time (Unix seconds), the author's name and the first line of the message.
        package var time: Int64, author: String, subject: String
        /// Added, removed, modified or renamed.
        package var kind: FlagChange.Kind
        /// What changed, one line each, as `flagc diff` words it.
        package var summaries: [String]
    }

    /// By flag key, the changes, newest first.
    package var changes: [String: [Change]] = [:]
    /// How many commits changed flag files.
    package var commits = 0
    /// Why history could not be read (not a repository, a shallow clone), for a note; nil when it was.
    package var unavailable: String?

    /// Reads the history of the flag files under `paths` (relative to `directory`).
    package static func read(paths: [String], directory: String = ".", limits: InputLimits,
                            environment: [String: String] = ProcessInfo.processInfo.environment) throws(FlagCompiler.UsageError) -> FlagChangeLog {
        let git: Git
        switch try FlagHistory.repository(directory: directory, environment: environment) {
        case .success(let found): git = found
        case .failure(let unavailable): return FlagChangeLog(unavailable: unavailable.description)
        }
        let entries = try FlagHistory.flagFileLog(git: git, paths: paths, directory: directory)
        let authors = try commitDetails(git: git, ids: entries.map(\.commit.id))
        let reader = try BlobReader(git: git, label: "HEAD")
        defer { reader.close() }

        var log = FlagChangeLog(commits: entries.count)
        var files: [String: SourceFile] = [:]
        var segments: [String: SourceSegment] = [:]
        var lowered: [String: Flag] = [:]
        var start = 0
        while start < entries.count {
            let batch = entries[start..<min(entries.count, start + 256)]
            start = batch.endIndex
            var wanted: [String] = []
            var seen = Set<String>()
            for change in batch.flatMap(\.changes) {
                if let blob = change.blob, seen.insert(blob).inserted { wanted.append(blob) }
            }
            let contents = try reader.read(wanted)
            let decoded = ConcurrentMap.map(wanted) { blob -> SourceFile? in
                guard let bytes = contents[blob], bytes.count <= limits.maximumFileSize else { return nil }
                return FlagCompiler.decode(bytes, path: blob, limits: limits).0
            }
            let fileOfBlob = Dictionary(zip(wanted, decoded), uniquingKeysWith: { first, _ in first })

            for entry in batch {
                var touched = Set<String>()
                var segmentsChanged = false
                for change in entry.changes {
                    if let old = files[change.path] {
                        touched.formUnion(old.flags.map(\.key.value))
                        segmentsChanged = segmentsChanged || !old.segments.isEmpty
                    }
                    if let blob = change.blob, let new = fileOfBlob[blob] ?? nil {
                        var new = new
                        new.path = change.path
                        touched.formUnion(new.flags.map(\.key.value))
                        segmentsChanged = segmentsChanged || !new.segments.isEmpty
                        files[change.path] = new
                    } else {
                        files[change.path] = nil
                    }
                }
                let ordered = files.keys.sorted { precedesByUTF8($0, $1) }.map { files[$0]! }
                if segmentsChanged {
                    segments = [:]
                    for segment in ordered.flatMap(\.segments) where segments[segment.name.value] == nil { segments[segment.name.value] = segment }
                    touched.formUnion(lowered.keys)
                }
                // The first definition of a key, in path order, counts (as validation keeps it).
                var definitions: [String: SourceFlag] = [:]
                for file in ordered {
                    for flag in file.flags where touched.contains(flag.key.value) && definitions[flag.key.value] == nil {
                        definitions[flag.key.value] = flag
                    }
                }
                let project = ValidatedProject(files: [SourceFile(path: "", flags: Array(definitions.values))], segments: segments, environments: [])
                let now = Dictionary(Lowering(project, environment: nil).lower().map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
                for key in touched {
                    let before = lowered[key], after = now[key]
                    guard before != after else { continue }
                    lowered[key] = after
                    let diff = FlagDiffer.compare(Snapshot(id: "", flags: before.map { [$0] } ?? []), Snapshot(id: "", flags: after.map { [$0] } ?? []), environment: nil)
                    guard let change = diff.first(where: { $0.key == key }) ?? diff.first else { continue }
                    let details = authors[entry.commit.id]
                    log.changes[key, default: []].append(Change(commit: entry.commit.id, time: entry.commit.time, author: details?.author ?? "",
                                                                subject: details?.subject ?? "", kind: change.kind, summaries: change.changes.map(\.summary)))
                }
            }
        }
        for key in log.changes.keys { log.changes[key]!.reverse() }
        return log
    }

    /// The author and subject of each commit, read a thousand at a time.
    private static func commitDetails(git: Git, ids: [String]) throws(FlagCompiler.UsageError) -> [String: (author: String, subject: String)] {
        var details: [String: (author: String, subject: String)] = [:]
        var start = 0
        while start < ids.count {
            let chunk = Array(ids[start..<min(ids.count, start + 1000)])
            start += chunk.count
            let result = try git.run(["-c", "log.showSignature=false", "log", "--no-walk=unsorted", "--no-color", "--format=%H%x1f%an%x1f%s%x1e"] + chunk)
            guard result.status == 0 else {
                throw FlagCompiler.UsageError(description: "git cannot read the commits: \(Git.firstLine(result.error))")
            }
            for record in String(decoding: result.output, as: UTF8.self).split(separator: "\u{1e}") {
                let fields = record.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\u{1f}", omittingEmptySubsequences: false)
                guard fields.count == 3 else { continue }
                details[String(fields[0])] = (String(fields[1]), String(fields[2]))
            }
        }
        return details
    }
}
