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
        return files.filter { seen.insert($0.path).inserted }.sorted { precedesByUTF8($0.path, $1.path) }
    }

    /// Problems sorted by file (UTF-8 bytes), keeping the order found within a file.
    static func sortedByFile(_ problems: [Diagnostic]) -> [Diagnostic] {
        problems.enumerated().sorted { lhs, rhs in
            lhs.element.file == rhs.element.file ? lhs.offset < rhs.offset : precedesByUTF8(lhs.element.file, rhs.element.file)
        }.map(\.element)
    }
}
