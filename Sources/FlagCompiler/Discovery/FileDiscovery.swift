import Foundation
import FlagRuntime

/// Finds flag files and the project config on disk, and reads files with a size limit.
enum FileDiscovery {
    /// A file that could not be read.
    struct ReadError: Error {
        var rule: RuleID
        var message: String
    }

    /// What discovery found: the flag files and the test files, sorted, and the paths it could not follow, as
    /// diagnostics.
    struct Found {
        /// Every flag file, sorted by path bytes.
        var files: [String]
        /// Every test file (`*.test.yaml`, `*.test.yml`), sorted by path bytes.
        var testFiles: [String] = []
        /// Unreadable folders, dangling links and refused links (`file-unreadable`, `symlink-outside`).
        var problems: [Diagnostic]
    }

    /// Every `*.yaml` / `*.yml` file under the given files or folders, any depth, sorted; project configs
    /// (`flagc.yaml`) and hidden files and folders are skipped, and each real folder is read once. Test files
    /// (`*.test.yaml`, `*.test.yml`) are never flag files: they are found too, and returned apart.
    ///
    /// Nothing is skipped silently: a folder that cannot be listed and a dangling symbolic link are
    /// `file-unreadable` errors, and a symbolic link leading outside the folder given on the command line is a
    /// `symlink-outside` error (and not followed) unless `followOutsideLinks` is set (`symlinks: follow`).
    /// A folder holding no flag file is a usage error unless `allowsEmptyFolders` is set (a diff side whose
    /// flags were all removed).
    static func flagFiles(in paths: [String], followOutsideLinks: Bool = false, allowsEmptyFolders: Bool = false) throws(FlagCompiler.UsageError) -> Found {
        var files: [String] = []
        var testFiles: [String] = []
        var problems: [Diagnostic] = []
        let manager = FileManager.default
        for path in paths {
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw FlagCompiler.UsageError(description: "'\(path)' does not exist; pass a folder of flag files (for example flags) or a .yaml file")
            }
            guard isDirectory.boolValue else {
                if isTestFileName((path as NSString).lastPathComponent) { testFiles.append(path) } else { files.append(path) }
                continue
            }
            var walk = Walk(root: realPath(path) ?? path, followOutsideLinks: followOutsideLinks)
            walk.collect(in: path)
            if walk.files.isEmpty, walk.testFiles.isEmpty, walk.problems.isEmpty, !allowsEmptyFolders {
                throw FlagCompiler.UsageError(description: "'\(path)' holds no flag files (*.yaml, *.yml)")
            }
            files += walk.files
            testFiles += walk.testFiles
            problems += walk.problems
        }
        func unique(_ paths: [String]) -> [String] {
            var seen = Set<String>()
            return paths.filter { seen.insert($0).inserted }.sorted { precedesByUTF8($0, $1) }
        }
        return Found(files: unique(files), testFiles: unique(testFiles), problems: problems)
    }

    /// One recursive walk below a folder given on the command line.
    private struct Walk {
        /// The real path of that folder: links must stay below it.
        let root: String
        let followOutsideLinks: Bool
        var visited = Set<String>()
        var files: [String] = []
        var testFiles: [String] = []
        var problems: [Diagnostic] = []

        init(root: String, followOutsideLinks: Bool) {
            self.root = root
            self.followOutsideLinks = followOutsideLinks
        }

        mutating func collect(in directory: String) {
            // Symbolic links may lead back up the tree: visit each real folder once.
            guard visited.insert(realPath(directory) ?? directory).inserted else { return }
            let entries: [String]
            do {
                entries = try FileManager.default.contentsOfDirectory(atPath: directory)
            } catch {
                let reason = access(directory, R_OK | X_OK) == 0 ? "it cannot be listed" : "permission denied"
                problems.append(Diagnostic(.fileUnreadable, file: directory, at: nil, "cannot read the folder (\(reason)), so its flag files would be left out; fix its permissions or remove it"))
                return
            }
            for entry in entries.sorted() where !entry.hasPrefix(".") {
                let path = directory.hasSuffix("/") ? directory + entry : directory + "/" + entry
                let isTestFileName = FileDiscovery.isTestFileName(entry)
                let isFlagFileName = FileDiscovery.isFlagFileName(entry) || isTestFileName
                var link = stat()
                guard lstat(path, &link) == 0 else { continue }
                var target = link
                if (link.st_mode & S_IFMT) == S_IFLNK {
                    guard stat(path, &target) == 0 else {
                        // A dangling link named like a flag file, or like a folder, was meant to hold flags.
                        if isFlagFileName || !entry.contains(".") {
                            problems.append(FileDiscovery.danglingLink(path, to: linkDestination(path)))
                        }
                        continue
                    }
                    let isFolder = (target.st_mode & S_IFMT) == S_IFDIR
                    guard isFolder || isFlagFileName else { continue }
                    if !followOutsideLinks, let real = realPath(path), !FileDiscovery.isInside(real, root) {
                        problems.append(FileDiscovery.linkOutside(path, to: real, isFolder: isFolder))
                        continue
                    }
                }
                if (target.st_mode & S_IFMT) == S_IFDIR {
                    collect(in: path)
                } else if isTestFileName {
                    testFiles.append(path)
                } else if isFlagFileName {
                    files.append(path)
                }
            }
        }
    }

    /// `file-unreadable`: a symbolic link that leads nowhere (`place`: the revision, for a link in a git tree).
    static func danglingLink(_ path: String, to destination: String?, in place: String? = nil) -> Diagnostic {
        let destination = destination.map { " to '\($0)'" } ?? ""
        let place = place.map { " in \($0)" } ?? ""
        return Diagnostic(.fileUnreadable, file: path, at: nil, "the symbolic link\(destination) leads nowhere\(place), so what it names would be left out; fix the link or remove it")
    }

    /// `symlink-outside`: a symbolic link leading outside the folder being validated, not followed.
    static func linkOutside(_ path: String, to destination: String, isFolder: Bool) -> Diagnostic {
        Diagnostic(.symlinkOutside, file: path, at: nil, "the symbolic link leads outside the folder being validated (to '\(destination)'), so it is not read; move the \(isFolder ? "folder" : "file") inside, or set 'symlinks: follow' in flagc.yaml")
    }

    /// `symlink-outside`: a symbolic link in a revision's tree leading out of the repository, which the
    /// revision's objects do not hold (even with `symlinks: follow`).
    static func linkOutOfRepository(_ path: String, to destination: String, in revision: String) -> Diagnostic {
        Diagnostic(.symlinkOutside, file: path, at: nil, "the symbolic link leads outside the repository (to '\(destination)'), which \(revision) does not hold, so it is not read; move what it names into the repository")
    }

    /// `file-unreadable`, as a warning: a git submodule in a revision's tree, of which the revision holds only
    /// the commit id.
    static func submodule(_ path: String, in revision: String) -> Diagnostic {
        Diagnostic(.fileUnreadable, severity: .warning, file: path, at: nil, "'\(path)' is a git submodule, of which \(revision) holds only the commit id, so flag files in it are not read; keep flag files in this repository, or compare inside the submodule")
    }

    /// `file-unreadable`: a file whose object the repository does not have.
    static func missingObject(_ path: String, id: String, in revision: String) -> Diagnostic {
        Diagnostic(.fileUnreadable, file: path, at: nil, "git has no object \(id) for the file in \(revision) (a partial or damaged clone?); fetch the revision again, or run git fsck")
    }

    /// Whether a file found in a folder is a flag file by its name: `*.yaml` or `*.yml`, but not `flagc.yaml`
    /// and not a test file.
    static func isFlagFileName(_ name: String) -> Bool {
        (name.hasSuffix(".yaml") || name.hasSuffix(".yml")) && name != ProjectConfig.fileName && !isTestFileName(name)
    }

    /// Whether a file is a test file by its name: `*.test.yaml` or `*.test.yml` (`flagc test`).
    static func isTestFileName(_ name: String) -> Bool {
        name.hasSuffix(".test.yaml") || name.hasSuffix(".test.yml")
    }

    /// Whether the real path `path` is `root` or below it.
    static func isInside(_ path: String, _ root: String) -> Bool {
        path == root || path.hasPrefix(root.hasSuffix("/") ? root : root + "/")
    }

    /// `realpath(path)`, or nil when some part of it does not exist.
    static func realPath(_ path: String) -> String? {
        RegularFileReader.realPath(path)
    }

    /// What a symbolic link says (`readlink`), for messages.
    static func linkDestination(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink(path, &buffer, buffer.count - 1)
        guard count >= 0 else { return nil }
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The project config for a run: the nearest `flagc.yaml` at or above `path` (stopping at a repository
    /// root), or else the shallowest one among the folders below `path` (so `flagc validate .` at the
    /// repository root finds `flags/flagc.yaml`).
    static func config(for path: String) -> String? {
        if let nearest = nearestConfig(for: path) { return nearest }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else { return nil }
        var level = [path]
        var visited = Set<String>()
        while !level.isEmpty {
            var next: [String] = []
            for directory in level {
                guard visited.insert(URL(fileURLWithPath: directory).resolvingSymlinksInPath().path).inserted,
                      let entries = try? FileManager.default.contentsOfDirectory(atPath: directory) else { continue }
                for entry in entries.sorted() where !entry.hasPrefix(".") {
                    let child = directory.hasSuffix("/") ? directory + entry : directory + "/" + entry
                    var childIsDirectory: ObjCBool = false
                    guard FileManager.default.fileExists(atPath: child, isDirectory: &childIsDirectory) else { continue }
                    if childIsDirectory.boolValue {
                        next.append(child)
                    } else if entry == ProjectConfig.fileName, directory != path {
                        return child
                    }
                }
            }
            level = next
        }
        return nil
    }

    /// The nearest `flagc.yaml`: in the folder itself (or the file's folder), then in each parent up to the
    /// repository root (a folder holding `.git`) or the file-system root.
    static func nearestConfig(for path: String) -> String? {
        var isDirectory: ObjCBool = false
        let manager = FileManager.default
        guard manager.fileExists(atPath: path, isDirectory: &isDirectory) else { return nil }
        var directory = URL(fileURLWithPath: path).standardizedFileURL
        if !isDirectory.boolValue { directory.deleteLastPathComponent() }
        let relativeBase = isDirectory.boolValue ? path : (path as NSString).deletingLastPathComponent
        var relative = relativeBase.isEmpty ? "." : relativeBase
        while true {
            let candidate = directory.appendingPathComponent(ProjectConfig.fileName).path
            if manager.fileExists(atPath: candidate) {
                return relative == "." ? ProjectConfig.fileName : (relative as NSString).appendingPathComponent(ProjectConfig.fileName)
            }
            if manager.fileExists(atPath: directory.appendingPathComponent(".git").path) { return nil }
            let parent = directory.deletingLastPathComponent()
            if parent.path == directory.path { return nil }
            directory = parent
            relative = (relative as NSString).appendingPathComponent("..")
        }
    }

    /// The repository root for `folder`: the nearest folder at or above it that holds `.git` (a folder, or the
    /// file a worktree or submodule has), written like `folder` (`flags` → `.`, `.` → `..`, `/a/b` → `/a`);
    /// nil when no folder above holds `.git`.
    static func repositoryRoot(above folder: String) -> String? {
        var absolute = URL(fileURLWithPath: folder).standardizedFileURL
        var written = folder.isEmpty ? "." : folder
        while true {
            if FileManager.default.fileExists(atPath: absolute.appendingPathComponent(".git").path) { return written }
            let parent = absolute.deletingLastPathComponent()
            if parent.path == absolute.path { return nil }
            absolute = parent
            written = lexicalParent(written)
        }
    }

    /// The folder above `path`, by its text: `a/b` → `a`, `a` → `.`, `.` → `..`, `../x` → `..`, `/a` → `/`.
    static func lexicalParent(_ path: String) -> String {
        var components = path.split(separator: "/").filter { $0 != "." }
        if let last = components.last, last != ".." { components.removeLast() } else if !path.hasPrefix("/") { components.append("..") }
        let joined = components.joined(separator: "/")
        return path.hasPrefix("/") ? "/" + joined : (joined.isEmpty ? "." : joined)
    }

    /// `name` inside `folder`, without a `./` for the current folder.
    static func join(_ folder: String, _ name: String) -> String {
        folder == "." || folder.isEmpty ? name : (folder.hasSuffix("/") ? folder + name : folder + "/" + name)
    }

    /// Whether `path` is a file (or a link to one), not a folder.
    static func isFile(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
    }

    /// Reads a whole regular file, refusing one larger than `limit` (and anything but a regular file) before reading it.
    static func read(_ path: String, limit: Int) throws(ReadError) -> [UInt8] {
        do {
            return try RegularFileReader.read(path, limit: limit).bytes
        } catch {
            throw readError(error)
        }
    }

    /// The rule and message for a file that could not be read, wherever it was read from (disk or a git object).
    static func readError(_ error: FileReadError) -> ReadError {
        switch error.kind {
        case .tooLarge, .grewPastLimit:
            ReadError(rule: .inputLimit, message: "\(error); split it into several files")
        case .notRegularFile:
            ReadError(rule: .fileUnreadable, message: "cannot read the file: \(error); flag files must be regular files")
        case .missing, .permissionDenied, .system:
            ReadError(rule: .fileUnreadable, message: "cannot read the file (\(error)); check the path and its permissions")
        }
    }
}
