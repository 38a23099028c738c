import Foundation
@testable import FlagCompiler
import FlagRuntime
import Testing

/// A temporary folder holding flag files, removed when the value goes away.
final class TemporaryProject {
    let root: URL

    init(_ files: [String: String]) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("flagc-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        // A `.git` marker stops the config search at this folder.
        try FileManager.default.createDirectory(at: root.appendingPathComponent(".git"), withIntermediateDirectories: true)
        for (path, contents) in files {
            try write(path, contents)
        }
    }

    /// A project holding a rule example: its files, and its symbolic links (which may lead nowhere).
    convenience init(example entries: [String: ExampleFile]) throws {
        try self.init([:])
        for (path, entry) in entries {
            switch entry {
            case .text(let contents):
                try write(path, contents)
            case .symbolicLink(let destination):
                let url = root.appendingPathComponent(path)
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try FileManager.default.createSymbolicLink(atPath: url.path, withDestinationPath: destination)
            }
        }
    }

    func write(_ path: String, _ contents: String) throws {
        let url = root.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(contents.utf8).write(to: url)
    }

    func path(_ relative: String) -> String {
        root.appendingPathComponent(relative).path
    }

    /// Compiles the `flags` folder with a fixed "now"; diagnostic paths are made relative to the project.
    func compile(environment: String? = nil, now: String = RuleCatalog.exampleNow, folder: String = "flags") throws -> FlagCompiler.Result {
        var result = try FlagCompiler(options: .init(paths: [path(folder)], environment: environment, now: Timestamp.parseDateTime(now)!)).compile()
        let prefix = root.path + "/"
        // Messages about symbolic links name real paths, which differ where the temporary folder is reached through a link.
        let realPrefix = (FileDiscovery.realPath(root.path) ?? root.path) + "/"
        func relative(_ path: String) -> String { path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path }
        result.diagnostics = result.diagnostics.map { diagnostic in
            var diagnostic = diagnostic
            diagnostic.file = relative(diagnostic.file)
            diagnostic.message = diagnostic.message.replacingOccurrences(of: prefix, with: "").replacingOccurrences(of: realPrefix, with: "")
            diagnostic.related = diagnostic.related.map { var related = $0; related.file = relative(related.file); return related }
            return diagnostic
        }
        return result
    }

    deinit {
        try? FileManager.default.removeItem(at: root)
    }
}

/// The package root, found from this file's path.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The folder of this target's fixtures.
let fixturesRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

/// Compares `actual` with a golden file; with RECORD_SNAPSHOTS=1 rewrites the golden file instead.
/// A mismatch fails with a unified diff.
func expectGolden(_ actual: String, file golden: URL, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
    if ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] == "1" {
        try FileManager.default.createDirectory(at: golden.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(actual.utf8).write(to: golden)
        return
    }
    guard let expected = try? String(contentsOf: golden, encoding: .utf8) else {
        Issue.record("missing golden file \(golden.path); run the tests with RECORD_SNAPSHOTS=1 to create it", sourceLocation: sourceLocation)
        return
    }
    if expected != actual {
        Issue.record("output differs from \(golden.lastPathComponent) (RECORD_SNAPSHOTS=1 rewrites it):\n\(unifiedDiff(expected, actual))", sourceLocation: sourceLocation)
    }
}

/// A small unified diff (whole-file hunk with context), enough to read a golden mismatch.
func unifiedDiff(_ expected: String, _ actual: String) -> String {
    let old = expected.split(separator: "\n", omittingEmptySubsequences: false)
    let new = actual.split(separator: "\n", omittingEmptySubsequences: false)
    // Longest common subsequence table.
    var table = [[Int]](repeating: [Int](repeating: 0, count: new.count + 1), count: old.count + 1)
    for i in stride(from: old.count - 1, through: 0, by: -1) {
        for j in stride(from: new.count - 1, through: 0, by: -1) {
            table[i][j] = old[i] == new[j] ? table[i + 1][j + 1] + 1 : max(table[i + 1][j], table[i][j + 1])
        }
    }
    var lines = ["--- expected", "+++ actual"]
    var i = 0
    var j = 0
    while i < old.count || j < new.count {
        if i < old.count, j < new.count, old[i] == new[j] {
            lines.append(" \(old[i])")
            i += 1
            j += 1
        } else if j < new.count, i == old.count || table[i][j + 1] >= table[i + 1][j] {
            lines.append("+\(new[j])")
            j += 1
        } else {
            lines.append("-\(old[i])")
            i += 1
        }
    }
    return lines.joined(separator: "\n")
}
