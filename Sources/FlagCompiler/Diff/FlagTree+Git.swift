import FlagRuntime
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What `git ls-tree` showed of a revision's tree, by path from the root.
struct TreeListing {
    /// What a tree entry is, by its mode.
    enum Kind { case file, link, tree, submodule, unreadable }

    /// One tree entry: its kind, object id and (for a blob) size in bytes.
    struct Entry {
        var kind: Kind
        var id: String
        var size: Int
    }

    private(set) var entries: [String: Entry] = [:]
    /// The names in each folder listed, in the order listed.
    private(set) var children: [String: [String]] = [:]
    /// The paths listed with everything below them (`""`: the whole tree).
    private var listed: [String] = []

    /// Whether `path` is at or below a path listed, so an entry missing from the listing is not in the tree.
    func isListed(_ path: String) -> Bool {
        listed.contains { $0.isEmpty || path == $0 || path.hasPrefix($0 + "/") }
    }

    /// The ids of the symbolic links listed.
    var linkIDs: [String] { Array(Set(entries.values.filter { $0.kind == .link }.map(\.id))).sorted() }

    /// Adds `ls-tree -l -z` output: `mode type id size` (the size padded with spaces, `-` for a tree), a tab and
    /// the path, each entry ended by a NUL.
    mutating func add(_ output: [UInt8], listed paths: [String]) {
        listed += paths
        output.withUnsafeBufferPointer { bytes in
            var start = 0
            while start < bytes.count {
                var end = start
                while end < bytes.count, bytes[end] != 0 { end += 1 }
                defer { start = end + 1 }
                // The header's four fields, separated by runs of spaces, end at the tab.
                var fields: [Range<Int>] = []
                var index = start
                while index < end, bytes[index] != 9, fields.count < 4 {
                    while index < end, bytes[index] == 32 { index += 1 }
                    let fieldStart = index
                    while index < end, bytes[index] != 32, bytes[index] != 9 { index += 1 }
                    fields.append(fieldStart..<index)
                }
                guard fields.count == 4, index < end, bytes[index] == 9 else { continue }
                let path = String(decoding: UnsafeBufferPointer(rebasing: bytes[(index + 1)..<end]), as: UTF8.self)
                guard entries[path] == nil else { continue }
                // The mode's first three digits tell the kind: 040000, 120000, 160000, 100644 / 100755.
                let mode = fields[0].lowerBound
                let kind: Kind =
                    switch fields[0].count == 6 ? (bytes[mode], bytes[mode + 1], bytes[mode + 2]) : (0, 0, 0) {
                    case (0x30, 0x34, 0x30): .tree
                    case (0x31, 0x32, 0x30): .link
                    case (0x31, 0x36, 0x30): .submodule
                    case (0x31, 0x30, 0x30): .file
                    default: .unreadable
                    }
                var size = 0
                for digit in bytes[fields[3]] where (48...57).contains(digit) { size = size * 10 + Int(digit - 48) }
                entries[path] = Entry(kind: kind, id: String(decoding: UnsafeBufferPointer(rebasing: bytes[fields[2]]), as: UTF8.self), size: size)
                let slash = path.lastIndex(of: "/")
                children[slash.map { String(path[..<$0]) } ?? "", default: []].append(String(slash.map { path[path.index(after: $0)...] } ?? path[...]))
            }
        }
    }

    static func join(_ folder: String, _ name: String) -> String {
        folder.isEmpty ? name : folder + "/" + name
    }

    static func parent(_ path: String) -> String {
        path.lastIndex(of: "/").map { String(path[..<$0]) } ?? ""
    }
}

/// git, found on the `PATH` of an environment and run in a folder with arguments (never through a shell).
struct Git {
    let executable: URL
    let directory: String
    let environment: [String: String]
    /// The repository's top folder, and `directory`'s path below it (`git rev-parse --show-prefix`: empty, or
    /// ending in `/`).
    private(set) var topLevel = ""
    private(set) var prefix = ""

    /// Finds git and the repository `directory` is in.
    init(directory: String, environment: [String: String]) throws(FlagCompiler.UsageError) {
        let searched = (environment["PATH"] ?? "").split(separator: ":").map { String($0) + "/git" }
        guard let executable = searched.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw FlagCompiler.UsageError(description: "git is not installed (no 'git' on PATH); install git, or compare two folders with --base-dir and --head-dir")
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw FlagCompiler.UsageError(description: "'\(directory)' is not a folder; pass the folder of a git checkout")
        }
        self.executable = URL(fileURLWithPath: executable)
        self.directory = directory
        var environment = environment
        // Messages are classified below, and git's own first line quoted, in one language.
        environment["LC_ALL"] = "C"
        self.environment = environment
        let result = try run(["rev-parse", "--show-toplevel", "--show-prefix"])
        guard result.status == 0 else {
            if result.error.contains("not a git repository") {
                throw FlagCompiler.UsageError(description: "'\(directory)' is not inside a git repository; run flagc diff in a checkout, or compare two folders with --base-dir and --head-dir")
            }
            throw FlagCompiler.UsageError(description: "git cannot read the repository at '\(directory)': \(Git.firstLine(result.error))")
        }
        let lines = String(decoding: result.output, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        topLevel = lines.first.map(String.init) ?? ""
        prefix = lines.count > 1 ? String(lines[1]) : ""
    }

    /// The full id of the commit `name` spells, and a label for people (`origin/main (3f2a9c1)`).
    func commit(named name: String) throws(FlagCompiler.UsageError) -> (id: String, label: String) {
        let commit = try run(["rev-parse", "--verify", "--quiet", "--end-of-options", name + "^{commit}"])
        guard commit.status == 0 else {
            let object = try run(["rev-parse", "--verify", "--quiet", "--end-of-options", name])
            if object.status == 0 {
                let type = try run(["cat-file", "-t", Git.text(object.output)])
                throw FlagCompiler.UsageError(description: "'\(name)' names a \(Git.text(type.output)), not a commit; name a commit: a branch, a tag, a commit id or HEAD~1")
            }
            throw FlagCompiler.UsageError(description: "'\(name)' is not a revision in this repository; check the spelling (git branch -a and git tag list the names), or fetch it first")
        }
        let id = Git.text(commit.output)
        let short = Git.text(try run(["rev-parse", "--short", id]).output)
        let abbreviation = short.isEmpty ? String(id.prefix(7)) : short
        let isIdPrefix = name.count >= 4 && name.allSatisfy(\.isHexDigit) && id.hasPrefix(name.lowercased())
        return (id, isIdPrefix ? abbreviation : "\(name) (\(abbreviation))")
    }

    /// A path given relative to `directory` (or absolute) as a path from the repository's root, lexically
    /// normalised; nil when it lies outside the repository.
    func rootRelative(_ path: String) -> String? {
        guard path.hasPrefix("/") else { return Git.normalised(prefix + path) }
        for top in [topLevel, FileDiscovery.realPath(topLevel) ?? topLevel] {
            for candidate in [path, FileDiscovery.realPath(path) ?? path] where FileDiscovery.isInside(candidate, top) {
                return Git.normalised(String(candidate.dropFirst(top.count)))
            }
        }
        return nil
    }

    /// `a/./b/../c` → `a/c`; nil when `..` climbs above the start.
    static func normalised(_ path: String) -> String? {
        var components: [Substring] = []
        for component in path.split(separator: "/") where component != "." {
            if component == ".." {
                guard !components.isEmpty else { return nil }
                components.removeLast()
            } else {
                components.append(component)
            }
        }
        return components.joined(separator: "/")
    }

    /// A git process ready to run `arguments` (the caller sets its standard streams).
    func process(_ arguments: [String]) -> Process {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.environment = environment
        return process
    }

    /// Runs git to its end: its exit status, standard output and standard error.
    func run(_ arguments: [String]) throws(FlagCompiler.UsageError) -> (status: Int32, output: [UInt8], error: String) {
        let process = process(arguments)
        let output = Pipe()
        let error = Pipe()
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = error
        do {
            try process.run()
        } catch {
            throw FlagCompiler.UsageError(description: "cannot run \(executable.path): \(error.localizedDescription)")
        }
        // git writes to standard error only a few lines, as it stops: reading the output to its end first cannot
        // leave it blocked on a full error pipe.
        let bytes = output.fileHandleForReading.readDataToEndOfFile()
        let message = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, [UInt8](bytes), String(decoding: message, as: UTF8.self))
    }

    static func text(_ output: [UInt8]) -> String {
        String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func firstLine(_ message: String) -> String {
        let line = message.split(separator: "\n").first.map(String.init) ?? ""
        return line.isEmpty ? "it failed without saying why" : line
    }
}

/// One `git cat-file --batch` process that reads every blob a revision needs, in rounds of requests.
///
/// The requests go through a socket pair, not a pipe, so a git that stops early makes a write fail
/// (`MSG_NOSIGNAL`, `SO_NOSIGPIPE`) instead of killing this process with `SIGPIPE`. Each round sends at most
/// 4 KiB of ids (less than a socket buffer) and then reads all their answers, so neither side can wait on the
/// other with a full buffer.
final class BlobReader {
    private let process: Process
    private let requests: Int32
    private let answers: FileHandle
    private let errors: Pipe
    private let label: String
    private var buffer: [UInt8] = []
    private var position = 0
    private var chunk = [UInt8](repeating: 0, count: 1 << 16)
    private var isOpen = true

    init(git: Git, label: String) throws(FlagCompiler.UsageError) {
        self.label = label
        var pair: [Int32] = [-1, -1]
        #if canImport(Glibc)
        let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        #else
        let type = SOCK_STREAM
        #endif
        guard socketpair(AF_UNIX, type, 0, &pair) == 0 else {
            throw FlagCompiler.UsageError(description: "cannot start git cat-file: \(String(cString: strerror(errno)))")
        }
        #if canImport(Darwin)
        var on: Int32 = 1
        for descriptor in pair { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
        _ = setsockopt(pair[0], SOL_SOCKET, SO_NOSIGPIPE, &on, socklen_t(MemoryLayout<Int32>.size))
        #endif
        requests = pair[0]
        let gitSide = FileHandle(fileDescriptor: pair[1], closeOnDealloc: true)
        let output = Pipe()
        errors = Pipe()
        answers = output.fileHandleForReading
        process = git.process(["cat-file", "--batch"])
        process.standardInput = gitSide
        process.standardOutput = output
        process.standardError = errors
        do {
            try process.run()
        } catch {
            _ = systemClose(requests)
            throw FlagCompiler.UsageError(description: "cannot run \(git.executable.path): \(error.localizedDescription)")
        }
        try? gitSide.close()
    }

    /// The contents of the blobs with these ids, by id (an id git does not have is left out).
    func read(_ ids: [String]) throws(FlagCompiler.UsageError) -> [String: [UInt8]] {
        var contents: [String: [UInt8]] = [:]
        var start = 0
        while start < ids.count {
            var request: [UInt8] = []
            var end = start
            while end < ids.count, request.isEmpty || request.count + ids[end].utf8.count < 4096 {
                request += ids[end].utf8
                request.append(10)
                end += 1
            }
            try send(request)
            for id in ids[start..<end] {
                let header = try line().split(separator: 32)
                guard header.count == 3, let size = Int(String(decoding: header[2], as: UTF8.self)) else { continue }
                contents[id] = try take(size)
                _ = try take(1)
            }
            start = end
        }
        return contents
    }

    /// Ends git's input and waits for it to exit.
    func close() {
        guard isOpen else { return }
        isOpen = false
        _ = systemClose(requests)
        process.waitUntilExit()
    }

    private func send(_ bytes: [UInt8]) throws(FlagCompiler.UsageError) {
        #if canImport(Glibc)
        let flags = Int32(MSG_NOSIGNAL)
        #else
        let flags: Int32 = 0
        #endif
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { systemSend(requests, $0.baseAddress! + offset, $0.count - offset, flags) }
            if sent < 0 {
                if errno == EINTR { continue }
                throw stopped()
            }
            offset += sent
        }
    }

    /// The next answer line, without its newline.
    private func line() throws(FlagCompiler.UsageError) -> [UInt8] {
        while true {
            if let newline = buffer[position...].firstIndex(of: 10) {
                defer { position = newline + 1 }
                return Array(buffer[position..<newline])
            }
            try fill()
        }
    }

    /// The next `count` bytes of the answers.
    private func take(_ count: Int) throws(FlagCompiler.UsageError) -> [UInt8] {
        while buffer.count - position < count { try fill() }
        defer { position += count }
        return Array(buffer[position..<(position + count)])
    }

    /// Reads more of git's answers, dropping those already taken.
    private func fill() throws(FlagCompiler.UsageError) {
        if position > 0, position >= buffer.count / 2 {
            buffer.removeFirst(position)
            position = 0
        }
        while true {
            let got = chunk.withUnsafeMutableBytes { systemRead(answers.fileDescriptor, $0.baseAddress!, $0.count) }
            if got < 0, errno == EINTR { continue }
            guard got > 0 else { throw stopped() }
            buffer += chunk[..<got]
            return
        }
    }

    private func stopped() -> FlagCompiler.UsageError {
        close()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return FlagCompiler.UsageError(description: "git stopped while reading the files of \(label): \(Git.firstLine(message))")
    }
}

#if canImport(Glibc)
private func systemRead(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int { Glibc.read(descriptor, buffer, count) }
private func systemSend(_ descriptor: Int32, _ buffer: UnsafeRawPointer, _ count: Int, _ flags: Int32) -> Int { Glibc.send(descriptor, buffer, count, flags) }
private func systemClose(_ descriptor: Int32) -> Int32 { Glibc.close(descriptor) }
#else
private func systemRead(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int { Darwin.read(descriptor, buffer, count) }
private func systemSend(_ descriptor: Int32, _ buffer: UnsafeRawPointer, _ count: Int, _ flags: Int32) -> Int { Darwin.send(descriptor, buffer, count, flags) }
private func systemClose(_ descriptor: Int32) -> Int32 { Darwin.close(descriptor) }
#endif
