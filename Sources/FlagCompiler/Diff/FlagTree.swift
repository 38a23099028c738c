import FlagRuntime
import Foundation

/// One side of a diff: the flag files and the project config of a git revision, the working tree, or a folder.
///
/// Files are named as `flagc validate` names them for the same paths (`flags/billing.yaml`), so the two sides
/// of a diff pair up by name, and the diagnostics of either side read like `validate`'s.
///
/// ```swift
/// let limits = InputLimits()
/// let base = try FlagTreeReader.revision("origin/main", paths: ["flags"], configPath: nil, limits: limits)
/// let head = try FlagTreeReader.workingTree(paths: ["flags"], configPath: nil, limits: limits)
/// print(base.label, base.files.map(\.path), head.isMissing)
/// ```
public struct FlagTree: Sendable {
    /// For people: `origin/main (3f2a9c1)`, `working tree`, or the folder's path.
    public var label: String
    /// The full commit id, for a git revision; nil for the working tree and a folder.
    public var revision: String?
    /// The flag files found, with their bytes, sorted by path (UTF-8 bytes); a file that could not be read is
    /// left out and is one of `problems`.
    public var files: [FlagCompiler.SourceText]
    /// The project config that applies to this side (nil: none, the defaults apply).
    public var config: FlagCompiler.SourceText?
    /// Files, folders and links that could not be read (too large, unreadable, a link leading outside), as
    /// `validate` reports them.
    public var problems: [Diagnostic]
    /// Whether none of the paths exists on this side (a tree added or removed by the change); `files` is empty.
    public var isMissing: Bool

    /// Creates a tree from parts already read.
    public init(label: String, revision: String? = nil, files: [FlagCompiler.SourceText], config: FlagCompiler.SourceText? = nil, problems: [Diagnostic] = [], isMissing: Bool = false) {
        self.label = label
        self.revision = revision
        self.files = files
        self.config = config
        self.problems = problems
        self.isMissing = isMissing
    }
}

/// Reads the flag files of one side of a diff: a git revision, the working tree, or a folder.
///
/// Every reader finds the files `validate` finds for the same paths (`*.yaml` and `*.yml` at any depth,
/// `flagc.yaml` and hidden files and folders skipped, a path that is a file taken as one flag file) and picks
/// the `flagc.yaml` the compiler picks. A path that does not exist on a side is not an error: when none of them
/// exists, the tree `isMissing`. An empty `paths` means `["."]`.
public enum FlagTreeReader {
    /// A git revision (any `git rev-parse` spelling of a commit: a branch, a tag, `HEAD~1`, a short id), read from
    /// git objects: nothing is checked out, and the work tree and the index are not touched.
    ///
    /// `paths` are relative to `repository` (the folder git runs in) and files are named from them as `validate`
    /// names them there. The config is `configPath` read from the revision when it lies inside the repository
    /// (from disk when it lies outside; nil when the revision does not hold it), or else the `flagc.yaml`
    /// `validate` would pick in a checkout of the revision: the nearest at or above the first path, or the
    /// shallowest below it.
    ///
    /// Symbolic links are followed through the revision's own tree as discovery follows them on disk: a link to a
    /// file or folder inside the folder given is read under the link's name; one leading elsewhere in the
    /// repository is a `symlink-outside` error unless that revision's `flagc.yaml` says `symlinks: follow`; one
    /// leading out of the repository (an absolute path, too many `..`) cannot be read from git objects and is a
    /// `symlink-outside` error; one leading nowhere is `file-unreadable`. A submodule is a `file-unreadable`
    /// warning, as the revision holds only its commit id. Files over `limits.maximumFileSize` are not read and
    /// are `input-limit` errors.
    ///
    /// git runs with `environment` (the process's by default) and is looked for on its `PATH`.
    public static func revision(_ revision: String, paths: [String], configPath: String?, limits: InputLimits, repository: String = ".",
                                environment: [String: String] = ProcessInfo.processInfo.environment) throws(FlagCompiler.UsageError) -> FlagTree {
        let git = try Git(directory: repository, environment: environment)
        let (commit, label) = try git.commit(named: revision)
        var reader = try RevisionReader(git: git, commit: commit, label: label, limits: limits)
        defer { reader.blobs.close() }
        return try reader.read(paths: paths.isEmpty ? ["."] : paths, configPath: configPath)
    }

    /// The working tree: what is on disk, read as `validate` reads it, paths relative to the current directory.
    ///
    /// With `configPath`, that file is the config (nil when it does not exist, so a diff against a revision from
    /// before it was added still runs); otherwise the one `validate` picks: the nearest `flagc.yaml` at or above
    /// the first path, or the shallowest below it.
    public static func workingTree(paths: [String], configPath: String?, limits: InputLimits) throws(FlagCompiler.UsageError) -> FlagTree {
        try readDisk(folder: nil, label: "working tree", paths: paths, configPath: configPath, limits: limits)
    }

    /// A folder given instead of a revision (a second checkout, an unpacked release): read as `validate` would
    /// read it when run in that folder.
    ///
    /// `paths` and `configPath` are relative to `directory` (an empty `paths`: the folder itself holds the flag
    /// files), and files are named relative to it too, so `directory("/tmp/old", paths: ["flags"], …)` names
    /// `flags/billing.yaml` like the working tree does and the two sides pair up.
    public static func directory(_ directory: String, paths: [String], configPath: String?, limits: InputLimits) throws(FlagCompiler.UsageError) -> FlagTree {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) else {
            throw FlagCompiler.UsageError(description: "'\(directory)' does not exist; pass the folder that holds the other side's flags")
        }
        guard isDirectory.boolValue else {
            throw FlagCompiler.UsageError(description: "'\(directory)' is a file; pass the folder that holds the other side's flags")
        }
        return try readDisk(folder: directory, label: directory, paths: paths, configPath: configPath, limits: limits)
    }

    /// Reads from disk with `FileDiscovery`: paths are taken relative to `folder` (nil: the current directory)
    /// and the names found are made relative to it again.
    private static func readDisk(folder: String?, label: String, paths: [String], configPath: String?, limits: InputLimits) throws(FlagCompiler.UsageError) -> FlagTree {
        let paths = paths.isEmpty ? ["."] : paths
        let prefix = folder.map { $0.hasSuffix("/") ? $0 : $0 + "/" }
        func onDisk(_ path: String) -> String {
            guard let prefix, !path.hasPrefix("/") else { return path }
            return prefix + path
        }
        func named(_ path: String) -> String {
            guard let prefix, path.hasPrefix(prefix) else { return path }
            return String(path.dropFirst(prefix.count))
        }
        var problems: [Diagnostic] = []

        var config: FlagCompiler.SourceText?
        if let configPath {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: onDisk(configPath), isDirectory: &isDirectory) {
                if isDirectory.boolValue { throw configIsFolder(configPath, in: nil) }
                config = readConfig(onDisk(configPath), named: configPath, limits: limits, problems: &problems)
            }
        } else if let found = FileDiscovery.config(for: onDisk(paths[0])) {
            var name = named(found)
            // `validate .` run in the folder names the config beside it `flagc.yaml`, not `./flagc.yaml` (the path
            // searched is `<folder>/.` here, `.` there); the names of configs further up or down agree.
            if folder != nil, paths[0] == ".", name == "./" + ProjectConfig.fileName { name = ProjectConfig.fileName }
            config = readConfig(found, named: name, limits: limits, problems: &problems)
        }

        let present = paths.map(onDisk).filter { FileManager.default.fileExists(atPath: $0) }
        let followsOutsideLinks = config.map { ProjectConfig.decode($0.bytes, path: $0.path, limits: limits).0.followsOutsideLinks } ?? false
        let found = try FileDiscovery.flagFiles(in: present, followOutsideLinks: followsOutsideLinks, allowsEmptyFolders: true)
        problems += found.problems.map { var problem = $0; problem.file = named(problem.file); return problem }
        let read = ConcurrentMap.map(found.files.map { ($0, named($0)) }) { path, name -> Result<FlagCompiler.SourceText, Diagnostic> in
            do throws(FileDiscovery.ReadError) {
                return .success(FlagCompiler.SourceText(path: name, bytes: try FileDiscovery.read(path, limit: limits.maximumFileSize)))
            } catch {
                return .failure(Diagnostic(error.rule, file: name, at: nil, error.message))
            }
        }
        var files: [FlagCompiler.SourceText] = []
        for result in read {
            switch result {
            case .success(let text): files.append(text)
            case .failure(let problem): problems.append(problem)
            }
        }
        return FlagTree(label: label, files: sortedByPath(files), config: config, problems: sortedByFile(problems), isMissing: present.isEmpty)
    }

    /// Reads a config file from disk; a problem (and no config) when it cannot be read.
    private static func readConfig(_ path: String, named name: String, limits: InputLimits, problems: inout [Diagnostic]) -> FlagCompiler.SourceText? {
        do {
            return FlagCompiler.SourceText(path: name, bytes: try FileDiscovery.read(path, limit: limits.maximumFileSize))
        } catch {
            problems.append(Diagnostic(error.rule, file: name, at: nil, error.message))
            return nil
        }
    }

    /// The usage error for a `configPath` that names a folder (`in`: the revision's label).
    static func configIsFolder(_ path: String, in revision: String?) -> FlagCompiler.UsageError {
        let place = revision.map { " in \($0)" } ?? ""
        return FlagCompiler.UsageError(description: "--config '\(path)' is a folder\(place); pass the path of the flagc.yaml file itself, for example \((path as NSString).appendingPathComponent(ProjectConfig.fileName))")
    }

    /// Files sorted by path (UTF-8 bytes), the first of each path kept, as discovery orders them.
    static func sortedByPath(_ files: [FlagCompiler.SourceText]) -> [FlagCompiler.SourceText] {
        var seen = Set<String>()
        return files.filter { seen.insert($0.path).inserted }.sorted { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
    }

    /// Problems sorted by file (UTF-8 bytes), keeping the order found within a file.
    static func sortedByFile(_ problems: [Diagnostic]) -> [Diagnostic] {
        problems.enumerated().sorted { lhs, rhs in
            lhs.element.file == rhs.element.file ? lhs.offset < rhs.offset : lhs.element.file.utf8.lexicographicallyPrecedes(rhs.element.file.utf8)
        }.map(\.element)
    }
}

/// Reads one revision's flag files and config from its tree: one `git ls-tree` for the paths asked for (another
/// only for a link leading elsewhere), and one `git cat-file --batch` for every blob.
struct RevisionReader {
    let git: Git
    let commit: String
    let label: String
    let limits: InputLimits
    let blobs: BlobReader
    var tree = TreeListing()
    var linkTargets: [String: String] = [:]
    var problems: [Diagnostic] = []
    var visited = Set<String>()
    var found: [(name: String, entry: TreeListing.Entry)] = []

    init(git: Git, commit: String, label: String, limits: InputLimits) throws(FlagCompiler.UsageError) {
        self.git = git
        self.commit = commit
        self.label = label
        self.limits = limits
        blobs = try BlobReader(git: git, label: label)
    }

    /// Finds the config and the flag files, then reads their blobs.
    mutating func read(paths: [String], configPath: String?) throws(FlagCompiler.UsageError) -> FlagTree {
        var lexical: [String] = []
        for path in paths {
            guard let inside = git.rootRelative(path) else {
                throw FlagCompiler.UsageError(description: "'\(path)' is outside the repository at '\(git.topLevel)'; pass paths inside it")
            }
            lexical.append(inside)
        }
        // The config candidates at and above the first path are listed with the paths, in the same ls-tree.
        let configInside = configPath.flatMap(git.rootRelative)
        var listed = lexical
        if let configInside {
            listed.append(configInside)
        } else if configPath == nil {
            var folder = lexical[0]
            while !folder.isEmpty {
                listed.append(TreeListing.join(folder, ProjectConfig.fileName))
                folder = TreeListing.parent(folder)
            }
            listed.append(ProjectConfig.fileName)
        }
        try list(listed.contains("") ? [""] : listed)
        let links = tree.linkIDs
        for (id, bytes) in try blobs.read(links) { linkTargets[id] = String(decoding: bytes, as: UTF8.self) }

        var config: FlagCompiler.SourceText?
        if let configPath, configInside == nil {
            // Outside the repository, so not versioned with it: the same file for both sides.
            let onDisk = configPath.hasPrefix("/") ? configPath : (git.directory as NSString).appendingPathComponent(configPath)
            if FileManager.default.fileExists(atPath: onDisk) {
                do {
                    config = FlagCompiler.SourceText(path: configPath, bytes: try FileDiscovery.read(onDisk, limit: limits.maximumFileSize))
                } catch {
                    problems.append(Diagnostic(error.rule, file: configPath, at: nil, error.message))
                }
            }
        } else if let picked = try configFile(configPath: configPath, inside: configInside, first: (paths[0], lexical[0])) {
            let (name, resolution) = picked
            if case .found(_, let entry) = resolution, entry.kind == .tree, configPath != nil { throw FlagTreeReader.configIsFolder(name, in: label) }
            config = try readBlobs([(name, resolution)]).first
        }
        let followsOutsideLinks = config.map { ProjectConfig.decode($0.bytes, path: $0.path, limits: limits).0.followsOutsideLinks } ?? false

        var missing = 0
        for (typed, path) in zip(paths, lexical) {
            let resolution = try resolve(path)
            switch resolution {
            case .missing, .loop:
                missing += 1
            case .found(let real, let entry) where entry.kind == .tree:
                visited = []
                try collect(real: real, shown: typed, root: real, followsOutsideLinks: followsOutsideLinks)
            case .found, .outside:
                found.append((typed, entry(resolution, named: typed)))
            }
        }
        let files = try readBlobs(found.map { ($0.name, .found("", $0.entry)) })
        return FlagTree(label: label, revision: commit, files: FlagTreeReader.sortedByPath(files), config: config,
                        problems: FlagTreeReader.sortedByFile(problems), isMissing: missing == paths.count)
    }

    /// The entry a path given by the user or a config leads to; a link out of the repository is a problem.
    private mutating func entry(_ resolution: Resolution, named name: String) -> TreeListing.Entry {
        switch resolution {
        case .found(_, let entry): return entry
        case .outside(let target):
            problems.append(FileDiscovery.linkOutOfRepository(name, to: target, in: label))
        case .missing, .loop:
            problems.append(FileDiscovery.danglingLink(name, to: nil, in: label))
        }
        return TreeListing.Entry(kind: .unreadable, id: "", size: 0)
    }

    /// The blobs of files found (the first of each name), or a problem for each that is too large or not a file.
    private mutating func readBlobs(_ named: [(String, Resolution)]) throws(FlagCompiler.UsageError) -> [FlagCompiler.SourceText] {
        var wanted: [(name: String, id: String)] = []
        var names = Set<String>()
        for (name, resolution) in named where names.insert(name).inserted {
            let entry = entry(resolution, named: name)
            switch entry.kind {
            case .file where entry.size > limits.maximumFileSize:
                let error = FileDiscovery.readError(FileReadError(kind: .tooLarge(size: entry.size, limit: limits.maximumFileSize)))
                problems.append(Diagnostic(error.rule, file: name, at: nil, error.message))
            case .file:
                wanted.append((name, entry.id))
            case .tree:
                let error = FileDiscovery.readError(FileReadError(kind: .notRegularFile("a folder")))
                problems.append(Diagnostic(error.rule, file: name, at: nil, error.message))
            case .submodule:
                problems.append(FileDiscovery.submodule(name, in: label))
            case .link, .unreadable:
                break
            }
        }
        var ids = Set<String>()
        let contents = try blobs.read(wanted.map(\.id).filter { ids.insert($0).inserted })
        return wanted.compactMap { file in
            guard let bytes = contents[file.id] else {
                problems.append(FileDiscovery.missingObject(file.name, id: file.id, in: label))
                return nil
            }
            return FlagCompiler.SourceText(path: file.name, bytes: bytes)
        }
    }

    /// `FileDiscovery`'s walk over the revision's tree: flag files at any depth, hidden entries skipped, links
    /// followed inside `root` (or anywhere in the repository with `followsOutsideLinks`), each real folder once.
    private mutating func collect(real: String, shown: String, root: String, followsOutsideLinks: Bool) throws(FlagCompiler.UsageError) {
        guard visited.insert(real).inserted else { return }
        for name in try children(of: real).sorted() where !name.hasPrefix(".") {
            let path = TreeListing.join(real, name)
            let shownPath = shown.hasSuffix("/") ? shown + name : shown + "/" + name
            let isFlagFileName = FileDiscovery.isFlagFileName(name)
            guard var entry = tree.entries[path] else { continue }
            var target = path
            if entry.kind == .link {
                let mayHoldFlags = isFlagFileName || !name.contains(".")
                switch try resolve(path) {
                case .found(let resolved, let resolvedEntry):
                    (target, entry) = (resolved, resolvedEntry)
                case .outside(let destination):
                    if mayHoldFlags { problems.append(FileDiscovery.linkOutOfRepository(shownPath, to: destination, in: label)) }
                    continue
                case .missing, .loop:
                    if mayHoldFlags { problems.append(FileDiscovery.danglingLink(shownPath, to: linkTargets[entry.id], in: label)) }
                    continue
                }
                let isFolder = entry.kind == .tree
                guard isFolder || isFlagFileName else { continue }
                if !followsOutsideLinks, !(root.isEmpty || FileDiscovery.isInside(target, root)) {
                    problems.append(FileDiscovery.linkOutside(shownPath, to: target, isFolder: isFolder))
                    continue
                }
            }
            switch entry.kind {
            case .tree: try collect(real: target, shown: shownPath, root: root, followsOutsideLinks: followsOutsideLinks)
            case .submodule: problems.append(FileDiscovery.submodule(shownPath, in: label))
            case .file where isFlagFileName: found.append((shownPath, entry))
            default: break
            }
        }
    }

    /// The `flagc.yaml` to use: `configPath` in the revision, or the one `FileDiscovery.config(for:)` picks on disk
    /// (the nearest at or above the first path, up to the repository's root, named as it names it; else the
    /// shallowest below the first path).
    private mutating func configFile(configPath: String?, inside: String?, first: (shown: String, path: String)) throws(FlagCompiler.UsageError) -> (String, Resolution)? {
        if let configPath, let inside {
            let resolution = try resolve(inside)
            if case .missing = resolution { return nil }
            return (configPath, resolution)
        }
        guard case .found(let real, let entry) = try resolve(first.path) else { return nil }
        let isDirectory = entry.kind == .tree
        var folder = isDirectory ? first.path : TreeListing.parent(first.path)
        let base = isDirectory ? first.shown : (first.shown as NSString).deletingLastPathComponent
        var relative = base.isEmpty ? "." : base
        while true {
            let resolution = try resolve(TreeListing.join(folder, ProjectConfig.fileName))
            if case .found = resolution {
                return (relative == "." ? ProjectConfig.fileName : (relative as NSString).appendingPathComponent(ProjectConfig.fileName), resolution)
            }
            if folder.isEmpty { break }
            folder = TreeListing.parent(folder)
            relative = (relative as NSString).appendingPathComponent("..")
        }
        guard isDirectory else { return nil }
        var level = [(shown: first.shown, real: real)]
        var seen = Set<String>()
        while !level.isEmpty {
            var next: [(shown: String, real: String)] = []
            for folder in level where seen.insert(folder.real).inserted {
                for name in try children(of: folder.real).sorted() where !name.hasPrefix(".") {
                    let shown = folder.shown.hasSuffix("/") ? folder.shown + name : folder.shown + "/" + name
                    let resolution = try resolve(TreeListing.join(folder.real, name))
                    guard case .found(let path, let entry) = resolution else { continue }
                    if entry.kind == .tree {
                        next.append((shown, path))
                    } else if name == ProjectConfig.fileName, folder.shown != first.shown {
                        return (shown, resolution)
                    }
                }
            }
            level = next
        }
        return nil
    }

    /// Where a path in the tree leads, following symbolic links as `realpath` does (at most 40 of them).
    enum Resolution {
        /// The real path (from the tree's root) and what is there.
        case found(String, TreeListing.Entry)
        /// Nothing is there.
        case missing
        /// A link leads out of the repository (to this destination).
        case outside(String)
        /// Links lead to each other in a loop.
        case loop
    }

    mutating func resolve(_ path: String) throws(FlagCompiler.UsageError) -> Resolution {
        var resolved: [Substring] = []
        var pending = Array(path.split(separator: "/").reversed())
        var hops = 0
        var lastDestination = path
        while let component = pending.popLast() {
            if component == "." { continue }
            if component == ".." {
                guard !resolved.isEmpty else { return .outside(lastDestination) }
                resolved.removeLast()
                continue
            }
            guard let entry = try entry(at: (resolved + [component]).joined(separator: "/")) else { return .missing }
            switch entry.kind {
            case .link:
                hops += 1
                guard hops <= 40 else { return .loop }
                let destination = try linkTarget(entry.id)
                if destination.hasPrefix("/") { return .outside(destination) }
                lastDestination = destination
                pending += destination.split(separator: "/").reversed()
            case .tree:
                resolved.append(component)
            case .file, .submodule, .unreadable:
                guard pending.allSatisfy({ $0 == "." }) else { return .missing }
                resolved.append(component)
            }
        }
        let real = resolved.joined(separator: "/")
        return .found(real, real.isEmpty ? TreeListing.Entry(kind: .tree, id: commit, size: 0) : tree.entries[real]!)
    }

    /// The entry at a path, listing it first when the listing so far cannot tell.
    private mutating func entry(at path: String) throws(FlagCompiler.UsageError) -> TreeListing.Entry? {
        if let entry = tree.entries[path] { return entry }
        guard !tree.isListed(path) else { return nil }
        try list([path])
        return tree.entries[path]
    }

    private mutating func children(of folder: String) throws(FlagCompiler.UsageError) -> [String] {
        if !tree.isListed(folder) { try list([folder]) }
        return tree.children[folder] ?? []
    }

    private mutating func linkTarget(_ id: String) throws(FlagCompiler.UsageError) -> String {
        if let target = linkTargets[id] { return target }
        let target = String(decoding: try blobs.read([id])[id] ?? [], as: UTF8.self)
        linkTargets[id] = target
        return target
    }

    /// Lists paths (from the root; `[""]`: the whole tree) recursively, with the folders on the way.
    private mutating func list(_ paths: [String]) throws(FlagCompiler.UsageError) {
        let specs = paths == [""] ? [] : ["--"] + paths
        // Not --format: it quotes unusual paths even with -z.
        let result = try git.run(["--literal-pathspecs", "ls-tree", "-r", "-t", "-l", "-z", "--full-tree", commit] + specs)
        guard result.status == 0 else {
            throw FlagCompiler.UsageError(description: "git could not list the files of \(label): \(Git.firstLine(result.error))")
        }
        tree.add(result.output, listed: paths)
    }
}
