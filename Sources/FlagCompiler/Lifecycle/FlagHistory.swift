import FlagRuntime
import Foundation

/// What the first-parent history of `HEAD` says about each flag: when it was added, and what it served since.
///
/// It is read with one `git log` walk over the flag files (`--first-parent`, so a change counts from the moment
/// it landed on the branch, at its merge) and one `git cat-file --batch` for the versions of the files that walk
/// names. Each version of a file is decoded once, and only the flags of the files a commit changed are looked at
/// again, so the cost grows with the changes rather than with flags × commits.
struct FlagHistory: Sendable {
    /// One flag's history on the branch.
    struct Timeline: Sendable {
        /// The commit since which the flag has existed without a break (a flag removed and added again counts
        /// from the second addition).
        var added: Commit
        /// What the flag served, oldest first, a new entry only when that changed.
        var states: [State]
    }

    /// A commit on the branch: its id and committer time (Unix seconds).
    struct Commit: Sendable, Hashable {
        var id: String
        var time: Int64
    }

    /// What the flag served from a commit on: nil when it served different values to different contexts.
    struct State: Sendable {
        var since: Commit
        var analysis: ServingAnalysis?
    }

    /// By flag key, the flags of `HEAD`.
    var flags: [String: Timeline] = [:]
    /// How many commits changed the flag files.
    var commits = 0
    /// How many versions of flag files were read and decoded.
    var versions = 0

    /// Why history could not be read, for a note; nil when it was.
    enum Unavailable: Error, Sendable, CustomStringConvertible {
        case notARepository
        case shallow
        case noCommits

        var description: String {
            switch self {
            case .notARepository: "not inside a git repository"
            case .shallow: "the clone is shallow, so the commits that added the flags are missing; fetch the whole history (actions/checkout with fetch-depth: 0, or git fetch --unshallow)"
            case .noCommits: "the repository has no commits yet"
            }
        }
    }

    /// Reads the history of the flag files under `paths` (relative to `directory`, as `validate` takes them).
    static func read(paths: [String], directory: String = ".", limits: InputLimits,
                     environment: [String: String] = ProcessInfo.processInfo.environment) throws(FlagCompiler.UsageError) -> Result<FlagHistory, Unavailable> {
        let git: Git
        switch try repository(directory: directory, environment: environment) {
        case .success(let found): git = found
        case .failure(let unavailable): return .failure(unavailable)
        }
        let entries = try flagFileLog(git: git, paths: paths, directory: directory)

        let reader = try BlobReader(git: git, label: "HEAD")
        defer { reader.close() }
        var history = FlagHistory()
        history.commits = entries.count
        // By blob: the analysis of each flag it defines (the first definition of a key in a file counts).
        var decoded: [String: [String: ServingAnalysis?]] = [:]
        var blobOfPath: [String: String] = [:]
        var pathsOfKey: [String: Set<String>] = [:]
        // Versions are read and decoded a batch of commits at a time, so memory holds the analyses, not the files.
        var start = 0
        while start < entries.count {
            let batch = entries[start..<min(entries.count, start + 256)]
            start = batch.endIndex
            var wanted: [String] = []
            for change in batch.flatMap(\.changes) {
                if let blob = change.blob, decoded[blob] == nil, !wanted.contains(blob) { wanted.append(blob) }
            }
            let contents = try reader.read(wanted)
            let results = ConcurrentMap.map(wanted) { blob -> [String: ServingAnalysis?] in
                guard let bytes = contents[blob], bytes.count <= limits.maximumFileSize else { return [:] }
                let flags = FlagCompiler.decode(bytes, path: blob, limits: limits).0.flags
                return Dictionary(flags.map { ($0.key.value, ServingAnalysis($0)) }, uniquingKeysWith: { first, _ in first })
            }
            for (blob, flags) in zip(wanted, results) { decoded[blob] = flags }
            history.versions += wanted.count

            for entry in batch {
                var touched = Set<String>()
                for change in entry.changes {
                    if let old = blobOfPath[change.path] {
                        for key in decoded[old]?.keys ?? [:].keys {
                            touched.insert(key)
                            pathsOfKey[key]?.remove(change.path)
                        }
                    }
                    blobOfPath[change.path] = change.blob
                    if let blob = change.blob {
                        for key in decoded[blob]?.keys ?? [:].keys {
                            touched.insert(key)
                            pathsOfKey[key, default: []].insert(change.path)
                        }
                    }
                }
                for key in touched {
                    // A key defined twice is read from its first file, as validation keeps the first definition.
                    guard let paths = pathsOfKey[key], let path = paths.count == 1 ? paths.first : paths.min(by: { precedesByUTF8($0, $1) }),
                          let blob = blobOfPath[path], let analysis = decoded[blob]?[key] else {
                        history.flags[key] = nil
                        pathsOfKey[key] = nil
                        continue
                    }
                    if history.flags[key] == nil {
                        history.flags[key] = Timeline(added: entry.commit, states: [State(since: entry.commit, analysis: analysis)])
                    } else if history.flags[key]!.states.last!.analysis != analysis {
                        history.flags[key]!.states.append(State(since: entry.commit, analysis: analysis))
                    }
                }
            }
        }
        return .success(history)
    }

    /// The repository at `directory`, when its whole history can be read.
    static func repository(directory: String, environment: [String: String]) throws(FlagCompiler.UsageError) -> Result<Git, Unavailable> {
        let git: Git
        do {
            git = try Git(directory: directory, environment: environment)
        } catch {
            if error.description.contains("not inside a git repository") { return .failure(.notARepository) }
            throw error
        }
        if Git.text(try git.run(["rev-parse", "--is-shallow-repository"]).output) == "true" { return .failure(.shallow) }
        guard try git.run(["rev-parse", "--verify", "--quiet", "HEAD^{commit}"]).status == 0 else { return .failure(.noCommits) }
        return .success(git)
    }

    /// The first-parent commits of `HEAD`, oldest first, that changed flag files under `paths`, each with the flag
    /// files it changed: one `git log` walk (also what `FlagChangeLog` reads for the report).
    static func flagFileLog(git: Git, paths: [String], directory: String) throws(FlagCompiler.UsageError) -> [LogEntry] {
        var prefixes: [String] = []
        for path in paths.isEmpty ? ["."] : paths {
            guard let inside = git.rootRelative(path) else {
                throw FlagCompiler.UsageError(description: "'\(path)' is outside the repository at '\(git.topLevel)'; pass paths inside it")
            }
            prefixes.append(inside)
        }
        let log = try git.run(["-c", "log.showSignature=false", "log", "--first-parent", "--diff-merges=first-parent", "--reverse", "--no-renames",
                               "--raw", "-z", "--no-abbrev", "--no-color", "--format=%x01%H %ct", "HEAD", "--"] + prefixes.map { ":(top)" + ($0.isEmpty ? "." : $0) })
        guard log.status == 0 else {
            throw FlagCompiler.UsageError(description: "git cannot read the history at '\(directory)': \(Git.firstLine(log.error))")
        }
        return LogEntry.parse(log.output).map { entry in
            var entry = entry
            entry.changes = entry.changes.filter { isFlagFile($0.path, under: prefixes) }
            return entry
        }.filter { !$0.changes.isEmpty }
    }

    /// Whether a root-relative path changed by a commit is a flag file under one of `prefixes`, as discovery
    /// would find it: a flag file name, no hidden file or folder below the prefix.
    static func isFlagFile(_ path: String, under prefixes: [String]) -> Bool {
        for prefix in prefixes {
            let below: Substring
            if prefix.isEmpty || prefix == "." {
                below = path[...]
            } else if path == prefix {
                // A path given as a file is one flag file, whatever its name.
                return true
            } else if path.hasPrefix(prefix + "/") {
                below = path.dropFirst(prefix.count + 1)
            } else {
                continue
            }
            let components = below.split(separator: "/")
            guard let name = components.last, !components.contains(where: { $0.hasPrefix(".") }) else { continue }
            if FileDiscovery.isFlagFileName(String(name)) { return true }
        }
        return false
    }
}

/// One commit of `git log --raw -z --format=%x01%H %ct`: the commit and the blobs it set.
struct LogEntry {
    /// A path the commit changed, and the blob it has after it (nil: deleted).
    struct Change {
        var path: String
        var blob: String?
    }

    var commit: FlagHistory.Commit
    var changes: [Change] = []

    /// Parses the log: NUL-separated fields, each commit a `\u{1}<id> <time>` header (after a newline from the
    /// second on), each change a `:<modes> <ids> <status>` field followed by its path. Regular files and
    /// executables only: a symbolic link or submodule is not a flag file git can hand over as it is.
    static func parse(_ output: [UInt8]) -> [LogEntry] {
        var entries: [LogEntry] = []
        var fields = output.split(separator: 0, omittingEmptySubsequences: false).makeIterator()
        while let field = fields.next() {
            if let marker = field.firstIndex(of: 1) {
                let header = String(decoding: field[(marker + 1)...], as: UTF8.self).split(separator: " ")
                guard header.count == 2, let time = Int64(header[1].trimmingCharacters(in: .whitespacesAndNewlines)) else { continue }
                entries.append(LogEntry(commit: FlagHistory.Commit(id: String(header[0]), time: time)))
            } else if let colon = field.firstIndex(of: UInt8(ascii: ":")), field[field.startIndex..<colon].allSatisfy({ $0 == 10 }) {
                // `:<old mode> <new mode> <old id> <new id> <status>`, then the path in the next field.
                let parts = field[(colon + 1)...].split(separator: 32)
                guard let path = fields.next(), parts.count == 5, !entries.isEmpty else { continue }
                let newMode = String(decoding: parts[1], as: UTF8.self)
                let newID = String(decoding: parts[3], as: UTF8.self)
                let isFile = newMode == "100644" || newMode == "100755"
                let deleted = newID.allSatisfy { $0 == "0" } || !isFile
                entries[entries.count - 1].changes.append(Change(path: String(decoding: path, as: UTF8.self), blob: deleted ? nil : newID))
            }
        }
        return entries
    }
}
