import Foundation

/// A temporary git repository for tests, removed when the value goes away.
///
/// Commits have a fixed identity and the dates given, and git reads no global or system config, so the ids are
/// the same on every machine.
///
/// ```swift
/// let repository = try GitRepository()
/// try repository.write("flags/billing.yaml", "flags: {}\n")
/// let first = try repository.commit("Add billing flags", date: "2026-01-01T00:00:00Z")
/// try repository.move("flags/billing.yaml", to: "flags/payments.yaml")
/// let second = try repository.commit("Rename")
/// try repository.git("tag", "v1", first)
/// ```
public final class GitRepository: Sendable {
    /// The repository's folder (its work tree).
    public let url: URL
    /// The temporary folder holding the repository and its extra work trees, removed with it.
    private let container: URL

    /// The repository's folder, as a path.
    public var path: String { url.path }

    /// A failed git command, with what git said.
    public struct Failure: Error, CustomStringConvertible {
        /// The command and git's standard error.
        public var description: String
    }

    /// Creates an empty repository (branch `main`) in a new temporary folder.
    public init() throws {
        container = FileManager.default.temporaryDirectory.appendingPathComponent("flagc-git-\(UUID().uuidString)")
        url = container.appendingPathComponent("repository")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        try git("init", "--quiet")
    }

    deinit {
        try? FileManager.default.removeItem(at: container)
    }

    /// Checks `revision` out into a new folder beside the repository (`git worktree add --detach`), leaving the
    /// repository's own work tree and index as they are; the folder goes away with the repository.
    public func checkout(_ revision: String) throws -> URL {
        let folder = container.appendingPathComponent("worktree-\(UUID().uuidString)")
        try git("worktree", "add", "--quiet", "--detach", folder.path, revision)
        return folder
    }

    /// Writes a file (creating its folders), relative to the repository's folder.
    public func write(_ path: String, _ text: String) throws {
        try write(path, bytes: Array(text.utf8))
    }

    /// Writes a file's bytes (creating its folders), relative to the repository's folder.
    public func write(_ path: String, bytes: [UInt8]) throws {
        let file = url.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: file)
    }

    /// Makes a symbolic link at `path` that says `destination`.
    public func link(_ path: String, to destination: String) throws {
        let file = url.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: file.path, withDestinationPath: destination)
    }

    /// Removes a file or folder from the work tree (the next commit records it).
    public func remove(_ path: String) throws {
        try FileManager.default.removeItem(at: url.appendingPathComponent(path))
    }

    /// Moves a file or folder in the work tree (the next commit records it).
    public func move(_ path: String, to destination: String) throws {
        let target = url.appendingPathComponent(destination)
        try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.moveItem(at: url.appendingPathComponent(path), to: target)
    }

    /// Commits everything in the work tree (`git add -A`) with `date` (RFC 3339) as author and committer date,
    /// and returns the new commit's full id.
    @discardableResult
    public func commit(_ message: String, date: String = "2026-01-01T00:00:00Z") throws -> String {
        try git("add", "--all")
        try git(["commit", "--quiet", "--allow-empty", "--message", message], date: date)
        return try git("rev-parse", "HEAD")
    }

    /// Makes an annotated tag (a lightweight one without `message`) at `revision`.
    public func tag(_ name: String, at revision: String = "HEAD", message: String? = nil) throws {
        if let message {
            try git(["tag", "--annotate", "--message", message, name, revision], date: "2026-01-01T00:00:00Z")
        } else {
            try git("tag", name, revision)
        }
    }

    /// Runs git in the repository and returns its standard output, trimmed.
    @discardableResult
    public func git(_ arguments: String...) throws -> String {
        try git(arguments, date: "2026-01-01T00:00:00Z")
    }

    /// Runs git in the repository with `date` as author and committer date, and returns its standard output, trimmed.
    @discardableResult
    public func git(_ arguments: [String], date: String) throws -> String {
        try Self.git(arguments, in: url, date: date)
    }

    /// Runs git in any folder, with the fixed identity and no user or machine config, and returns its standard
    /// output, trimmed.
    @discardableResult
    public static func git(_ arguments: [String], in directory: URL, date: String = "2026-01-01T00:00:00Z") throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        let settings = ["init.defaultBranch=main", "commit.gpgsign=false", "tag.gpgsign=false", "core.autocrlf=false", "core.symlinks=true"]
        process.arguments = ["git"] + settings.flatMap { ["-c", $0] } + arguments
        process.currentDirectoryURL = directory
        var environment = ProcessInfo.processInfo.environment
        for (key, value) in [
            "GIT_AUTHOR_NAME": "Flag Tester", "GIT_AUTHOR_EMAIL": "tester@example.com", "GIT_AUTHOR_DATE": date,
            "GIT_COMMITTER_NAME": "Flag Tester", "GIT_COMMITTER_EMAIL": "tester@example.com", "GIT_COMMITTER_DATE": date,
            // No user's or machine's config: the same commits everywhere.
            "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1", "LC_ALL": "C",
        ] {
            environment[key] = value
        }
        for key in ["GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"] { environment[key] = nil }
        process.environment = environment
        // Through files, so a large output cannot fill a pipe while the process waits.
        let output = try TemporaryFile()
        let error = try TemporaryFile()
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output.handle
        process.standardError = error.handle
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "git \(arguments.joined(separator: " ")) failed (\(process.terminationStatus)): \(try error.text())")
        }
        return try output.text().trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// A file that captures a process's output, removed when done.
private final class TemporaryFile {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("flagc-git-io-\(UUID().uuidString)")
    let handle: FileHandle

    init() throws {
        FileManager.default.createFile(atPath: url.path, contents: nil)
        handle = try FileHandle(forWritingTo: url)
    }

    deinit {
        try? handle.close()
        try? FileManager.default.removeItem(at: url)
    }

    func text() throws -> String {
        String(decoding: try Data(contentsOf: url), as: UTF8.self)
    }
}
