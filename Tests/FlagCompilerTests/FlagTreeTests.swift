import Foundation
@testable import FlagCompiler
import FlagRuntime
import GitTestSupport
import Testing

/// Reading the two sides of a diff from real git repositories, the working tree and folders.
@Suite struct FlagTreeTests {
    static let flag = """
    flags:
      checkout.new_flow:
        description: The new checkout.
        owner: team-payments
        default: false

    """

    static func flag(_ key: String) -> String {
        "flags:\n  \(key):\n    description: A flag.\n    owner: team-a\n    default: false\n"
    }

    static let limits = InputLimits()

    static func read(_ revision: String, _ paths: [String], in repository: GitRepository, configPath: String? = nil, limits: InputLimits = limits) throws -> FlagTree {
        try FlagTreeReader.revision(revision, paths: paths, configPath: configPath, limits: limits, repository: repository.path)
    }

    static func texts(_ tree: FlagTree) -> [String: String] {
        Dictionary(uniqueKeysWithValues: tree.files.map { ($0.path, String(decoding: $0.bytes, as: UTF8.self)) })
    }

    static func usageError(_ body: () throws -> FlagTree) -> String? {
        do {
            _ = try body()
            return nil
        } catch let error as FlagCompiler.UsageError {
            return error.description
        } catch {
            return "unexpected error \(error)"
        }
    }

    @Test func aRevisionIsReadFromGitObjectsAndTheWorkTreeAndIndexAreUntouched() throws {
        let repository = try GitRepository()
        try repository.write("flags/a.yaml", Self.flag("a.one"))
        try repository.write("flags/b.yaml", Self.flag("b.one"))
        let first = try repository.commit("first")
        try repository.write("flags/a.yaml", Self.flag("a.changed"))
        try repository.write("flags/c.yaml", Self.flag("c.staged"))
        try repository.git("add", "flags/c.yaml")
        try repository.remove("flags/b.yaml")
        try repository.write("flags/d.yaml", Self.flag("d.untracked"))
        let status = try repository.git("status", "--porcelain")
        let indexFile = repository.url.appendingPathComponent(".git/index")
        let index = try Data(contentsOf: indexFile)

        let tree = try Self.read("HEAD", ["flags"], in: repository)
        #expect(try Data(contentsOf: indexFile) == index)

        #expect(tree.revision == first)
        #expect(tree.label == "HEAD (\(first.prefix(7)))")
        #expect(Self.texts(tree) == ["flags/a.yaml": Self.flag("a.one"), "flags/b.yaml": Self.flag("b.one")])
        #expect(tree.problems.isEmpty)
        #expect(!tree.isMissing)
        #expect(try repository.git("status", "--porcelain") == status)
    }

    @Test func aPathInOneRevisionOnlyIsMissingInTheOther() throws {
        let repository = try GitRepository()
        try repository.write("flags/a.yaml", Self.flag("a.one"))
        let first = try repository.commit("first")
        try repository.write("more/b.yaml", Self.flag("b.one"))
        let second = try repository.commit("second")

        let before = try Self.read(first, ["more"], in: repository)
        #expect(before.isMissing)
        #expect(before.files.isEmpty)
        #expect(before.problems.isEmpty)
        let after = try Self.read(second, ["more"], in: repository)
        #expect(!after.isMissing)
        #expect(after.files.map(\.path) == ["more/b.yaml"])
        // One path of several present: not missing.
        #expect(!(try Self.read(first, ["flags", "more"], in: repository)).isMissing)
    }

    @Test func nestedFoldersAndASingleFileAreFoundAsValidateFindsThem() throws {
        let repository = try GitRepository()
        try repository.write("flags/a.yaml", Self.flag("a.one"))
        try repository.write("flags/sub/deep/b.yml", Self.flag("b.one"))
        try repository.write("flags/.hidden/c.yaml", Self.flag("c.one"))
        try repository.write("flags/.d.yaml", Self.flag("d.one"))
        try repository.write("flags/sub/flagc.yaml", "require: [owner]\n")
        try repository.write("flags/notes.md", "not a flag file\n")
        try repository.write("flags/é.yaml", Self.flag("e.one"))
        try repository.write("flags/Z.yaml", Self.flag("z.one"))
        try repository.write("flagsextra/x.yaml", Self.flag("x.one"))
        let commit = try repository.commit("first")

        let tree = try Self.read(commit, ["flags"], in: repository)
        #expect(tree.files.map(\.path) == ["flags/Z.yaml", "flags/a.yaml", "flags/sub/deep/b.yml", "flags/é.yaml"])
        let checkout = try repository.checkout(commit)
        let disk = try FlagTreeReader.directory(checkout.path, paths: ["flags"], configPath: nil, limits: Self.limits)
        #expect(disk.files.map(\.path) == tree.files.map(\.path))
        #expect(disk.files.map(\.bytes) == tree.files.map(\.bytes))

        let file = try Self.read(commit, ["flags/sub/deep/b.yml"], in: repository)
        #expect(Self.texts(file) == ["flags/sub/deep/b.yml": Self.flag("b.one")])
        // A file named on the command line is read whatever its name; `flags/` names files as `validate` does.
        #expect(try Self.read(commit, ["flags/notes.md"], in: repository).files.map(\.path) == ["flags/notes.md"])
        #expect(try Self.read(commit, ["flags/"], in: repository).files.first?.path == "flags/Z.yaml")
    }

    @Test func pathsAreTakenRelativeToTheFolderGitRunsIn() throws {
        let repository = try GitRepository()
        try repository.write("flagc.yaml", "require: [owner]\n")
        try repository.write("flags/a.yaml", Self.flag("a.one"))
        try repository.write("other/b.yaml", Self.flag("b.one"))
        let commit = try repository.commit("first")
        let folder = repository.url.appendingPathComponent("flags").path

        let tree = try FlagTreeReader.revision(commit, paths: ["."], configPath: nil, limits: Self.limits, repository: folder)
        #expect(tree.files.map(\.path) == ["./a.yaml"])
        let disk = try FlagTreeReader.directory(folder, paths: ["."], configPath: nil, limits: Self.limits)
        #expect(disk.files.map(\.path) == ["./a.yaml"])
        // Named as `validate .` names it there.
        #expect(tree.config?.path == "./../flagc.yaml")
        #expect(disk.config?.path == tree.config?.path)

        let up = try FlagTreeReader.revision(commit, paths: ["../other"], configPath: nil, limits: Self.limits, repository: folder)
        #expect(up.files.map(\.path) == ["../other/b.yaml"])
        let absolute = repository.url.appendingPathComponent("other").path
        let byAbsolutePath = try FlagTreeReader.revision(commit, paths: [absolute], configPath: nil, limits: Self.limits, repository: folder)
        #expect(byAbsolutePath.files.map(\.path) == [absolute + "/b.yaml"])
        let outside = Self.usageError { try FlagTreeReader.revision(commit, paths: ["../.."], configPath: nil, limits: Self.limits, repository: folder) }
        #expect(outside?.hasPrefix("'../..' is outside the repository") == true)
    }

    @Test func theConfigIsPickedInEachRevisionAsOnDisk() throws {
        let repository = try GitRepository()
        try repository.write("flagc.yaml", "require: [owner]\n")
        try repository.write("flags/a.yaml", Self.flag("a.one"))
        let first = try repository.commit("root config")
        try repository.write("flags/flagc.yaml", "require: [description]\n")
        let second = try repository.commit("flags config")
        try repository.remove("flagc.yaml")
        let third = try repository.commit("root config removed")
        try repository.remove("flags/flagc.yaml")
        try repository.write("flags/team/flagc.yaml", "require: []\n")
        let fourth = try repository.commit("config below")

        let expected: [(String, String?, String?)] = [
            (first, "flags/../flagc.yaml", "require: [owner]\n"),
            (second, "flags/flagc.yaml", "require: [description]\n"),
            (third, "flags/flagc.yaml", "require: [description]\n"),
            (fourth, "flags/team/flagc.yaml", "require: []\n"),
        ]
        for (commit, path, text) in expected {
            let tree = try Self.read(commit, ["flags"], in: repository)
            #expect(tree.config?.path == path)
            #expect(tree.config.map { String(decoding: $0.bytes, as: UTF8.self) } == text)
            let disk = try FlagTreeReader.directory(try repository.checkout(commit).path, paths: ["flags"], configPath: nil, limits: Self.limits)
            #expect(disk.config?.path == path, "the working tree's rule for \(path ?? "none")")
        }
        // From the repository's root the config below is found as `validate .` finds it.
        #expect(try Self.read(second, ["."], in: repository).config?.path == "flagc.yaml")
        #expect(try Self.read(third, ["."], in: repository).config?.path == "./flags/flagc.yaml")
        #expect(try FlagTreeReader.directory(try repository.checkout(third).path, paths: ["."], configPath: nil, limits: Self.limits).config?.path == "./flags/flagc.yaml")

        // --config is read from each revision; a revision without it has none.
        let given = try Self.read(first, ["flags"], in: repository, configPath: "flags/flagc.yaml")
        #expect(given.config == nil)
        #expect(try Self.read(second, ["flags"], in: repository, configPath: "flags/flagc.yaml").config?.path == "flags/flagc.yaml")
        let folder = Self.usageError { try Self.read(second, ["flags"], in: repository, configPath: "flags") }
        #expect(folder?.hasPrefix("--config 'flags' is a folder in ") == true)
    }

    @Test(arguments: ["HEAD~1", "main~1", "v1", "v1-annotated", "short"])
    func everySpellingOfACommitWorks(spelling: String) throws {
        let repository = try GitRepository()
        try repository.write("flags/a.yaml", Self.flag("a.one"))
        let first = try repository.commit("first")
        try repository.write("flags/a.yaml", Self.flag("a.two"))
        try repository.commit("second", date: "2026-01-02T00:00:00Z")
        try repository.tag("v1", at: first)
        try repository.tag("v1-annotated", at: first, message: "release 1")
        let short = try repository.git("rev-parse", "--short", first)
        let revision = spelling == "short" ? short : spelling

        let tree = try Self.read(revision, ["flags"], in: repository)
        #expect(tree.revision == first)
        #expect(Self.texts(tree) == ["flags/a.yaml": Self.flag("a.one")])
        #expect(tree.label == (spelling == "short" ? short : "\(spelling) (\(short))"))
    }

    @Test func outsideARepositoryTheErrorSaysSo() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("flagc-no-repository-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(throws: GitRepository.Failure.self, "the temporary folder must not be inside a repository") {
            try GitRepository.git(["rev-parse", "--show-toplevel"], in: folder)
        }
        let message = Self.usageError { try FlagTreeReader.revision("HEAD", paths: ["flags"], configPath: nil, limits: Self.limits, repository: folder.path) }
        #expect(message == "'\(folder.path)' is not inside a git repository; run flagc diff in a checkout, or compare two folders with --base-dir and --head-dir")
    }

    @Test func anUnknownRevisionOrOneThatIsNotACommitIsAUsageError() throws {
        let repository = try GitRepository()
        try repository.write("flags/a.yaml", Self.flag("a.one"))
        try repository.commit("first")

        let unknown = Self.usageError { try Self.read("orgin/main", ["flags"], in: repository) }
        #expect(unknown?.hasPrefix("'orgin/main' is not a revision in this repository; ") == true)
        let option = Self.usageError { try Self.read("--all", ["flags"], in: repository) }
        #expect(option?.hasPrefix("'--all' is not a revision in this repository; ") == true)
        let tree = Self.usageError { try Self.read("HEAD:flags", ["flags"], in: repository) }
        #expect(tree == "'HEAD:flags' names a tree, not a commit; name a commit: a branch, a tag, a commit id or HEAD~1")
        let blob = Self.usageError { try Self.read("HEAD:flags/a.yaml", ["flags"], in: repository) }
        #expect(blob?.hasPrefix("'HEAD:flags/a.yaml' names a blob, not a commit") == true)
    }

    @Test func withoutGitOnThePathTheErrorSaysSo() throws {
        let repository = try GitRepository()
        try repository.write("flags/a.yaml", Self.flag("a.one"))
        try repository.commit("first")
        let empty = repository.url.appendingPathComponent(".git/empty-bin")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        var environment = ProcessInfo.processInfo.environment
        environment["PATH"] = empty.path

        let message = Self.usageError {
            try FlagTreeReader.revision("HEAD", paths: ["flags"], configPath: nil, limits: Self.limits, repository: repository.path, environment: environment)
        }
        #expect(message == "git is not installed (no 'git' on PATH); install git, or compare two folders with --base-dir and --head-dir")
    }

    @Test func aBlobOverTheSizeLimitIsAProblemAndIsNotRead() throws {
        let repository = try GitRepository()
        try repository.write("flags/a.yaml", Self.flag("a.one"))
        try repository.write("flags/big.yaml", String(repeating: "# padding\n", count: 50))
        let commit = try repository.commit("first")

        let tree = try Self.read(commit, ["flags"], in: repository, limits: InputLimits(maximumFileSize: 100))
        #expect(tree.files.map(\.path) == ["flags/a.yaml"])
        #expect(tree.problems.map(\.rule) == [.inputLimit])
        #expect(tree.problems.first?.file == "flags/big.yaml")
        #expect(tree.problems.first?.message == "the file is 500 bytes, more than the limit of 100 bytes; split it into several files")
        // The same wording as the compiler's for the file on disk.
        let disk = try FlagTreeReader.directory(try repository.checkout(commit).path, paths: ["flags"], configPath: nil, limits: InputLimits(maximumFileSize: 100))
        #expect(disk.problems.map(\.message) == tree.problems.map(\.message))
    }

    @Test func manyFilesAreReadInRoundsWithTheirOwnContent() throws {
        let repository = try GitRepository()
        for index in 0..<600 {
            try repository.write("flags/group\(index % 7)/f\(index).yaml", Self.flag("m\(index).flag"))
        }
        let commit = try repository.commit("many")
        let tree = try Self.read(commit, ["flags"], in: repository)
        #expect(tree.files.count == 600)
        for file in tree.files {
            let index = file.path.split(separator: "/").last!.dropFirst().dropLast(5)
            #expect(String(decoding: file.bytes, as: UTF8.self) == Self.flag("m\(index).flag"))
        }
    }

    @Test func symbolicLinksAreFollowedThroughTheRevisionsTreeAsOnDisk() throws {
        let repository = try GitRepository()
        try repository.write("flags/a.yaml", Self.flag("a.one"))
        try repository.write("flags/sub/b.yaml", Self.flag("b.one"))
        try repository.write("shared/s.yaml", Self.flag("s.one"))
        try repository.link("flags/alias.yaml", to: "a.yaml")
        try repository.link("flags/chain.yaml", to: "alias.yaml")
        try repository.link("flags/folder", to: "sub")
        try repository.link("flags/outside.yaml", to: "../shared/s.yaml")
        try repository.link("flags/dangling.yaml", to: "nothing.yaml")
        try repository.link("flags/loop.yaml", to: "loop.yaml")
        try repository.link("flags/notes.txt", to: "nothing.txt")
        let commit = try repository.commit("links")

        let tree = try Self.read(commit, ["flags"], in: repository)
        #expect(Self.texts(tree) == [
            "flags/a.yaml": Self.flag("a.one"), "flags/alias.yaml": Self.flag("a.one"), "flags/chain.yaml": Self.flag("a.one"),
            "flags/folder/b.yaml": Self.flag("b.one"),
        ])
        #expect(tree.problems.map { "\($0.file) \($0.rule.rawValue)" } == [
            "flags/dangling.yaml file-unreadable", "flags/loop.yaml file-unreadable", "flags/outside.yaml symlink-outside",
        ])
        // The walk on disk finds the same files and the same problems (each real folder once: `sub` was read as `folder`).
        let disk = try FlagTreeReader.directory(try repository.checkout(commit).path, paths: ["flags"], configPath: nil, limits: Self.limits)
        #expect(disk.files.map(\.path) == tree.files.map(\.path))
        #expect(disk.problems.map { "\($0.file) \($0.rule.rawValue)" } == tree.problems.map { "\($0.file) \($0.rule.rawValue)" })

        try repository.write("flags/flagc.yaml", "symlinks: follow\n")
        try repository.link("flags/absolute.yaml", to: "/etc/flagc-absent.yaml")
        let following = try Self.read(try repository.commit("follow"), ["flags"], in: repository)
        #expect(Self.texts(following)["flags/outside.yaml"] == Self.flag("s.one"))
        #expect(following.problems.map { "\($0.file) \($0.rule.rawValue)" } == [
            "flags/absolute.yaml symlink-outside", "flags/dangling.yaml file-unreadable", "flags/loop.yaml file-unreadable",
        ])
    }

    @Test func aPathThatIsALinkIsFollowedAndAConfigOutsideTheRepositoryIsReadFromDisk() throws {
        let repository = try GitRepository()
        try repository.write("config/flags/a.yaml", Self.flag("a.one"))
        try repository.link("flags", to: "config/flags")
        let commit = try repository.commit("linked flags folder")
        let outside = FileManager.default.temporaryDirectory.appendingPathComponent("flagc-config-\(UUID().uuidString).yaml")
        try Data("require: [owner]\n".utf8).write(to: outside)
        defer { try? FileManager.default.removeItem(at: outside) }

        let tree = try Self.read(commit, ["flags"], in: repository, configPath: outside.path)
        #expect(Self.texts(tree) == ["flags/a.yaml": Self.flag("a.one")])
        #expect(tree.config?.path == outside.path)
        #expect(tree.config.map { String(decoding: $0.bytes, as: UTF8.self) } == "require: [owner]\n")
        let disk = try FlagTreeReader.directory(try repository.checkout(commit).path, paths: ["flags"], configPath: outside.path, limits: Self.limits)
        #expect(disk.files.map(\.path) == tree.files.map(\.path))
        #expect(disk.config?.bytes == tree.config?.bytes)
    }

    @Test func aSubmoduleIsAWarningAndIsNotRead() throws {
        let repository = try GitRepository()
        try repository.write("flags/a.yaml", Self.flag("a.one"))
        let first = try repository.commit("first")
        try repository.git("update-index", "--add", "--cacheinfo", "160000,\(first),flags/vendor")
        try repository.git("commit", "--quiet", "--message", "submodule")

        let tree = try Self.read("HEAD", ["flags"], in: repository)
        #expect(tree.files.map(\.path) == ["flags/a.yaml"])
        #expect(tree.problems.map { "\($0.file) \($0.rule.rawValue) \($0.severity)" } == ["flags/vendor file-unreadable warning"])
    }

    @Test func aRevisionCompilesToTheSnapshotOfItsCheckout() throws {
        let repository = try GitRepository()
        let flags = packageRoot.appendingPathComponent("flags")
        try FileManager.default.copyItem(at: flags, to: repository.url.appendingPathComponent("flags"))
        let commit = try repository.commit("the project's flags")
        let now = Timestamp.parseDateTime("2026-06-01T00:00:00Z")!

        let tree = try Self.read(commit, ["flags"], in: repository)
        #expect(tree.files.count > 3)
        let config = try #require(tree.config)
        let (decoded, configDiagnostics) = ProjectConfig.decode(config.bytes, path: config.path, limits: Self.limits)
        #expect(configDiagnostics.sorted.isEmpty)
        let fromGit = FlagCompiler(options: .init(paths: [], now: now)).compile(sources: tree.files, config: decoded)

        let checkout = try repository.checkout(commit)
        let fromDisk = try FlagCompiler(options: .init(paths: [checkout.appendingPathComponent("flags").path], now: now)).compile()
        #expect(fromDisk.diagnostics.isEmpty)
        #expect(fromGit.diagnostics.isEmpty)
        let id = try #require(fromDisk.snapshot?.id)
        #expect(fromGit.snapshot?.id == id)
    }

    @Test func theWorkingTreeAndAFolderAreReadAsValidateReadsThem() throws {
        let repository = try GitRepository()
        try repository.write("flags/flagc.yaml", "require: [owner]\n")
        try repository.write("flags/a.yaml", Self.flag("a.one"))
        try repository.write("flags/sub/b.yaml", Self.flag("b.one"))
        try repository.write("flags/big.yaml", String(repeating: "# padding\n", count: 50))
        let flags = repository.url.appendingPathComponent("flags").path

        let tree = try FlagTreeReader.workingTree(paths: [flags], configPath: nil, limits: InputLimits(maximumFileSize: 100))
        let compiled = try FlagCompiler(options: .init(paths: [flags], limits: InputLimits(maximumFileSize: 100))).compile()
        #expect(tree.label == "working tree")
        #expect(tree.revision == nil)
        #expect((tree.files.map(\.path) + tree.problems.map(\.file)).sorted() == compiled.files.sorted())
        #expect(tree.problems.map(\.rule) == [.inputLimit])
        #expect(tree.config?.path == compiled.config.path)

        let folder = try FlagTreeReader.directory(repository.path, paths: [], configPath: nil, limits: Self.limits)
        #expect(folder.label == repository.path)
        #expect(folder.files.map(\.path) == ["./flags/a.yaml", "./flags/big.yaml", "./flags/sub/b.yaml"])
        #expect(folder.config?.path == "./flags/flagc.yaml")
        let named = try FlagTreeReader.directory(repository.path, paths: ["flags"], configPath: "flags/flagc.yaml", limits: Self.limits)
        #expect(named.files.map(\.path) == ["flags/a.yaml", "flags/big.yaml", "flags/sub/b.yaml"])
        #expect(named.config?.path == "flags/flagc.yaml")

        let missing = try FlagTreeReader.directory(repository.path, paths: ["gone"], configPath: "gone/flagc.yaml", limits: Self.limits)
        #expect(missing.isMissing)
        #expect(missing.files.isEmpty)
        #expect(missing.config == nil)
        try repository.write("empty/notes.md", "no flags\n")
        let empty = try FlagTreeReader.directory(repository.path, paths: ["empty"], configPath: nil, limits: Self.limits)
        #expect(!empty.isMissing)
        #expect(empty.files.isEmpty)
    }
}

/// The test helper itself: fixed identity and dates, so commit ids are the same on every machine.
@Suite struct GitRepositoryTests {
    @Test func commitsHaveTheFixedDatesAndIdentity() throws {
        let repository = try GitRepository()
        try repository.write("a.txt", "a\n")
        try repository.commit("first", date: "2026-01-01T00:00:00Z")
        try repository.write("a.txt", "b\n")
        try repository.commit("second", date: "2026-02-03T04:05:06Z")
        #expect(try repository.git("log", "--format=%aI %cI") == "2026-02-03T04:05:06+00:00 2026-02-03T04:05:06+00:00\n2026-01-01T00:00:00+00:00 2026-01-01T00:00:00+00:00")
        #expect(try repository.git("log", "-1", "--format=%an <%ae> %cn <%ce>") == "Flag Tester <tester@example.com> Flag Tester <tester@example.com>")
        #expect(try repository.git("branch", "--show-current") == "main")
    }

    @Test func theSameFilesAndDatesGiveTheSameCommitIds() throws {
        func build() throws -> (GitRepository, String) {
            let repository = try GitRepository()
            try repository.write("flags/a.yaml", "flags: {}\n")
            try repository.commit("first")
            try repository.move("flags/a.yaml", to: "flags/b.yaml")
            return (repository, try repository.commit("moved", date: "2026-01-02T00:00:00Z"))
        }
        var folder: URL?
        do {
            let (one, first) = try build()
            let (two, second) = try build()
            #expect(first == second)
            #expect(one.path != two.path)
            folder = one.url
        }
        #expect(!FileManager.default.fileExists(atPath: try #require(folder).path), "the repository is removed when it goes away")
    }
}
