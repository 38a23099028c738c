import Foundation

/// A flag with an `owner`, and where the owner is written.
package struct FlagOwner: Sendable, Hashable {
    /// The flag file, as diagnostics name it.
    package var file: String
    /// The flag's key.
    package var key: String
    /// The owner as the flag writes it.
    package var owner: String
    /// Where the `owner` value is.
    package var location: SourceLocation
}

/// What `flagc owners` decides: for each flag file, whether the CODEOWNERS rule GitHub applies to it (the last
/// matching one) names the owners of its flags, and the CODEOWNERS block that would.
///
/// Files whose flags have no owner (segment files, flags without `owner`) need no reviewer and are left out.
package enum OwnersCheck {
    /// A flag file and the owners its flags name.
    package struct FlagFile: Sendable {
        /// The path as diagnostics name it.
        package var path: String
        /// The path from the repository root, as CODEOWNERS patterns see it.
        package var rootPath: String
        /// The flags with an owner, in file order.
        package var flags: [FlagOwner]

        /// The owners named, each once (ignoring case), in the order first named.
        package var owners: [String] {
            var seen = Set<String>()
            return flags.map(\.owner).filter { seen.insert($0.lowercased()).inserted }
        }
    }

    /// An owner the deciding rule lacks, and the flags of the file that name it.
    package struct MissingOwner: Sendable {
        /// The owner as the flags write it.
        package var owner: String
        /// The flags naming it, in file order.
        package var flags: [FlagOwner]
    }

    /// A flag file, the rule GitHub applies to it, and the owners of its flags that rule does not ask to review.
    package struct Finding: Sendable {
        /// The file.
        package var file: FlagFile
        /// The last rule matching it: nil when none does; a rule without owners un-owns it.
        package var rule: CodeOwners.Rule?
        /// The owners the rule lacks (every owner of the file when it is not covered); empty when it is fine.
        package var missing: [MissingOwner]

        /// Whether GitHub asks every owner of the file's flags to review it.
        package var isSatisfied: Bool { missing.isEmpty }

        /// Whether some rule with owners decides the file (so only some owners are missing).
        package var isCovered: Bool { !(rule?.owners.isEmpty ?? true) }
    }

    /// The folder CODEOWNERS patterns are relative to for the flags at `flagsPath`: the repository root (the
    /// nearest folder at or above them holding `.git`); outside a repository, the folder of the project config,
    /// else the current folder.
    package static func root(for flagsPath: String, config: ProjectConfig) -> String {
        let folder = FileDiscovery.isFile(flagsPath) ? SnapshotFile.folder(of: flagsPath) : flagsPath
        return FileDiscovery.repositoryRoot(above: folder) ?? config.path.map { SnapshotFile.folder(of: $0) } ?? "."
    }

    /// GitHub's CODEOWNERS locations below `root`, in GitHub's order.
    package static func githubLocations(root: String) -> [String] {
        CodeOwners.githubLocations.map { FileDiscovery.join(root, $0) }
    }

    /// The CODEOWNERS file GitHub uses below `root`: the first of `githubLocations` that exists.
    package static func githubCodeOwners(root: String) -> String? {
        githubLocations(root: root).first { FileDiscovery.isFile($0) }
    }

    /// Reads and parses a CODEOWNERS file: its valid rules, and its invalid lines as `codeowners-invalid`.
    package static func read(_ path: String, limits: InputLimits = InputLimits()) throws(FlagCompiler.UsageError) -> (CodeOwners, [Diagnostic]) {
        do {
            let (file, problems) = CodeOwners.parse(try FileDiscovery.read(path, limit: limits.maximumFileSize), path: path)
            return (file, problems.sorted)
        } catch {
            throw FlagCompiler.UsageError(description: "cannot read \(path): \(error.message)")
        }
    }

    /// The flag files of `flagOwners`, sorted by their path from `root`; the files outside `root` apart.
    package static func files(_ flagOwners: [FlagOwner], root: String) -> (inside: [FlagFile], outside: [String]) {
        var byPath: [String: [FlagOwner]] = [:]
        for flag in flagOwners { byPath[flag.file, default: []].append(flag) }
        let realRoot = FileDiscovery.realPath(root) ?? root
        var inside: [FlagFile] = []
        var outside: [String] = []
        for (path, flags) in byPath {
            // The file's folder is resolved, not the file: CODEOWNERS sees a link by its own path.
            let folder = FileDiscovery.realPath(SnapshotFile.folder(of: path)) ?? SnapshotFile.folder(of: path)
            let full = FileDiscovery.join(folder, (path as NSString).lastPathComponent)
            guard FileDiscovery.isInside(full, realRoot), full != realRoot else {
                outside.append(path)
                continue
            }
            let relative = String(full.dropFirst(realRoot.hasSuffix("/") ? realRoot.count : realRoot.count + 1))
            inside.append(FlagFile(path: path, rootPath: relative, flags: flags))
        }
        return (inside.sorted { $0.rootPath < $1.rootPath }, outside.sorted())
    }

    /// Each file with its deciding rule and the owners that rule lacks (none: the file is fine), in the order of
    /// `files`.
    package static func check(_ files: [FlagFile], against codeOwners: CodeOwners) -> [Finding] {
        files.map { file in
            let rule = codeOwners.rule(for: file.rootPath)
            let handles = rule?.owners ?? []
            let missing = file.owners.filter { owner in !handles.contains { KnownOwners.owner(owner, names: $0) } }
            return Finding(file: file, rule: rule, missing: missing.map { owner in
                MissingOwner(owner: owner, flags: file.flags.filter { $0.owner.lowercased() == owner.lowercased() })
            })
        }
    }

    /// How CODEOWNERS writes `owner`: as it is when it is a handle or an email; else the first of `handles` (from
    /// CODEOWNERS and flagc.yaml's `owners`) that it names; else `@organization/owner`; else `@owner`.
    package static func handle(for owner: String, handles: [String], organization: String?) -> String {
        if OwnerHandle.isWrittenAsHandle(owner) { return owner }
        if let known = handles.first(where: { OwnerHandle($0)?.isNamed(by: owner) ?? false }) { return known }
        return organization.map { "@\($0)/\(owner)" } ?? "@\(owner)"
    }

    /// A CODEOWNERS block with one line per flag file, `/<path from the root> @owner…`, sorted by path.
    package static func block(_ files: [FlagFile], handles: [String], organization: String?) -> String {
        var lines = [
            "# Flag files and the owners of their flags (flagc owners --print).",
            "# Keep this block at the end of CODEOWNERS: the last matching line wins.",
        ]
        for file in files {
            let owners = file.owners.map { handle(for: $0, handles: handles, organization: organization) }
            var seen = Set<String>()
            let unique = owners.filter { seen.insert($0.lowercased()).inserted }.sorted { $0.lowercased() < $1.lowercased() }
            lines.append("/\(escape(file.rootPath)) \(unique.joined(separator: " "))")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A path written as a CODEOWNERS pattern that matches exactly it: spaces, `#` and the characters patterns
    /// give a meaning escaped with `\`.
    package static func escape(_ path: String) -> String {
        var text = ""
        for character in path {
            if " #*?\\[]!".contains(character) { text.append("\\") }
            text.append(character)
        }
        return text
    }
}
