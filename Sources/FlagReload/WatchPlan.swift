import FlagRuntime
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The directories to watch so that any way of replacing a file shows up as an event, and the entry names
/// in each that concern the file.
///
/// Directories are watched, never the file: a rename over the file, a deletion or a symlink flip replaces
/// the directory entry, which a watch on the old file would not see. The plan follows the file's chain of
/// symbolic links (each link's directory, each symlinked directory on the way), so a Kubernetes ConfigMap
/// volume (`snapshot.json → ..data/snapshot.json`, `..data → ..2024_05_01_…`) is watched at the volume folder
/// (where `..data` is swapped) and at the current timestamped folder. When a folder does not exist yet,
/// the nearest existing ancestor is watched for the next missing component instead.
struct WatchPlan: Equatable {
    /// Absolute directory path → names of entries in it that lead to the file.
    var directories: [String: Set<String>] = [:]

    /// The most symbolic links followed, as the kernel allows (`MAXSYMLINKS`).
    static let maximumLinks = 40

    /// The plan for `path` (absolute) as the file system is now.
    init(path: String) {
        var current = path
        for _ in 0...Self.maximumLinks {
            let (directory, name) = Self.split(current)
            guard Self.isDirectory(directory) else {
                waitForAncestor(of: directory)
                return
            }
            add(name, in: directory)
            addLinkedComponents(of: directory)
            guard let target = Self.linkTarget(current) else { break }
            current = target.hasPrefix("/") ? Self.normalise(target) : Self.join(directory, target)
        }
        if let resolved = RegularFileReader.realPath(path) {
            let (directory, name) = Self.split(resolved)
            add(name, in: directory)
        }
    }

    private mutating func add(_ name: String, in directory: String) {
        directories[directory, default: []].insert(name)
    }

    /// Watches the nearest existing ancestor of `directory` for the component that leads to it.
    private mutating func waitForAncestor(of directory: String) {
        var child = directory
        var parent = Self.split(directory).directory
        while !Self.isDirectory(parent), parent != "/" {
            child = parent
            parent = Self.split(parent).directory
        }
        add(Self.split(child).name, in: parent)
        addLinkedComponents(of: parent)
    }

    /// Adds, for every component of `directory` that is a symbolic link, its name in its parent: replacing that
    /// link (ConfigMap's `..data`) moves the whole folder.
    private mutating func addLinkedComponents(of directory: String) {
        var prefix = ""
        for component in directory.split(separator: "/", omittingEmptySubsequences: true) {
            let parent = prefix.isEmpty ? "/" : prefix
            prefix += "/" + component
            if Self.linkTarget(prefix) != nil { add(String(component), in: parent) }
        }
    }

    /// `("/a/b", "c")` for `/a/b/c`; `("/", "c")` for `/c`.
    static func split(_ path: String) -> (directory: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        let directory = String(path[..<slash])
        return (directory.isEmpty ? "/" : directory, String(path[path.index(after: slash)...]))
    }

    static func join(_ directory: String, _ name: String) -> String {
        normalise(directory == "/" ? "/" + name : directory + "/" + name)
    }

    /// Drops empty and `.` components (`..` stays: the kernel resolves it after symbolic links).
    static func normalise(_ path: String) -> String {
        let components = path.split(separator: "/", omittingEmptySubsequences: true).filter { $0 != "." }
        return "/" + components.joined(separator: "/")
    }

    /// `path` made absolute against the current directory, normalised.
    static func absolute(_ path: String) -> String {
        if path.hasPrefix("/") { return normalise(path) }
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&buffer, buffer.count) != nil else { return normalise("/" + path) }
        let directory = buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        return join(directory, path)
    }

    static func isDirectory(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFDIR
    }

    /// The target of the symbolic link at `path`, or nil when it is not a link.
    static func linkTarget(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink(path, &buffer, buffer.count - 1)
        guard count > 0 else { return nil }
        return buffer.withUnsafeBufferPointer { pointer in
            String(decoding: UnsafeRawBufferPointer(start: pointer.baseAddress, count: count), as: UTF8.self)
        }
    }
}
