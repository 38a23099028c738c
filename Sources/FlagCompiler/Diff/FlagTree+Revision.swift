import FlagRuntime
import Foundation

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
