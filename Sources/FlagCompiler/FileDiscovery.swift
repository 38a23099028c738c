import Foundation
import FlagRuntime

/// Finds flag files and the project config on disk, and reads files with a size limit.
enum FileDiscovery {
    /// A file that could not be read.
    struct ReadError: Error {
        var rule: RuleID
        var message: String
    }

    /// Every `*.yaml` / `*.yml` file under the given files or folders, any depth, sorted; project configs
    /// (`flagc.yaml`) and hidden files and folders are skipped, and each real folder is read once.
    static func flagFiles(in paths: [String]) throws(FlagCompiler.UsageError) -> [String] {
        var files: [String] = []
        let manager = FileManager.default
        for path in paths {
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw FlagCompiler.UsageError(description: "'\(path)' does not exist; pass a folder of flag files (for example flags) or a .yaml file")
            }
            guard isDirectory.boolValue else {
                files.append(path)
                continue
            }
            var found: [String] = []
            var visited = Set<String>()
            collect(in: path, visited: &visited, into: &found)
            if found.isEmpty {
                throw FlagCompiler.UsageError(description: "'\(path)' holds no flag files (*.yaml, *.yml)")
            }
            files += found
        }
        var seen = Set<String>()
        return files.filter { seen.insert($0).inserted }.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    private static func collect(in directory: String, visited: inout Set<String>, into files: inout [String]) {
        // Symbolic links may lead back up the tree: visit each real folder once.
        let real = URL(fileURLWithPath: directory).resolvingSymlinksInPath().path
        guard visited.insert(real).inserted else { return }
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        for entry in entries.sorted() where !entry.hasPrefix(".") {
            let path = directory.hasSuffix("/") ? directory + entry : directory + "/" + entry
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { continue }
            if isDirectory.boolValue {
                collect(in: path, visited: &visited, into: &files)
            } else if entry.hasSuffix(".yaml") || entry.hasSuffix(".yml"), entry != ProjectConfig.fileName {
                files.append(path)
            }
        }
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

    /// Reads a whole regular file, refusing one larger than `limit` (and anything but a regular file) before reading it.
    static func read(_ path: String, limit: Int) throws(ReadError) -> [UInt8] {
        do {
            return try RegularFileReader.read(path, limit: limit).bytes
        } catch {
            switch error.kind {
            case .tooLarge, .grewPastLimit:
                throw ReadError(rule: .inputLimit, message: "\(error); split it into several files")
            case .notRegularFile:
                throw ReadError(rule: .fileUnreadable, message: "cannot read the file: \(error); flag files must be regular files")
            case .missing, .permissionDenied, .system:
                throw ReadError(rule: .fileUnreadable, message: "cannot read the file (\(error)); check the path and its permissions")
            }
        }
    }
}
