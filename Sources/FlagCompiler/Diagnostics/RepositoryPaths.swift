import Foundation

/// Turns the paths a command was given (relative to the current folder, or absolute) into paths from the
/// repository's root, as GitHub annotations, SARIF and other machine-readable outputs need them: GitHub cannot
/// map `file=/tmp/…/flags/a.yaml` or `file=../flags/a.yaml` to a file of the pull request.
///
/// ```swift
/// let paths = RepositoryPaths.current()          // run in <root>/services/api
/// paths.fromRoot("flags/a.yaml")                  // "services/api/flags/a.yaml"
/// ```
public struct RepositoryPaths: Sendable, Hashable {
    /// The repository's root folder (absolute, without a trailing slash); nil outside a repository.
    public var root: String?
    /// The current folder (absolute).
    public var currentDirectory: String

    /// For `currentDirectory`: its repository is the nearest folder at or above it that holds `.git`.
    public init(currentDirectory: String) {
        let current = URL(fileURLWithPath: currentDirectory).standardizedFileURL.path
        self.currentDirectory = current
        var folder = URL(fileURLWithPath: current)
        while true {
            if FileManager.default.fileExists(atPath: folder.appendingPathComponent(".git").path) {
                root = folder.path
                return
            }
            let parent = folder.deletingLastPathComponent()
            if parent.path == folder.path { return }
            folder = parent
        }
    }

    /// For the process's current folder.
    public static func current() -> RepositoryPaths {
        RepositoryPaths(currentDirectory: FileManager.default.currentDirectoryPath)
    }

    /// `path` from the repository's root, lexically normalised (`./a/../b` → `b`); unchanged outside a repository or
    /// when the path lies outside it.
    public func fromRoot(_ path: String) -> String {
        guard let root else { return path }
        let absolute = path.hasPrefix("/") ? path : currentDirectory + "/" + path
        guard let lexical = Git.normalised(absolute) else { return path }
        let normalised = "/" + lexical
        for base in Set([root, (root as NSString).resolvingSymlinksInPath]) where normalised.hasPrefix(base + "/") {
            return String(normalised.dropFirst(base.count + 1))
        }
        return path
    }
}
