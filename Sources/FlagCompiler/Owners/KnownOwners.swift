/// The owners a flag's `owner` may name, from `owners:` in `flagc.yaml`: a list, or the owners written in a
/// CODEOWNERS file (`owners: { from: CODEOWNERS }`).
///
/// An entry is a name as flags write it (`team-billing`), or a handle as CODEOWNERS writes it (`@alice`,
/// `@acme/team-web`, `alice@example.com`); a flag names a handle by it or by its short form (`OwnerHandle`).
///
/// ```yaml
/// owners: [team-billing, "@acme/team-web", alice@example.com]
/// # or: owners: { from: CODEOWNERS }   # .github/CODEOWNERS, CODEOWNERS or docs/CODEOWNERS at the repository root
/// ```
package struct KnownOwners: Sendable {
    /// The entries as written, in order.
    package var entries: [String]
    /// Where they come from: the `flagc.yaml` or the CODEOWNERS file, as messages name it.
    package var source: String
    /// Whether they were read from a CODEOWNERS file.
    package var isCodeOwners: Bool

    /// The value of `owners.from` that means GitHub's own locations (`CodeOwners.githubLocations`).
    package static let githubName = "CODEOWNERS"

    /// Whether an entry of the `owners` list is well-formed: a handle, or a name without spaces and `@`.
    static func isValidEntry(_ entry: String) -> Bool {
        OwnerHandle(entry) != nil || (!entry.contains("@") && !entry.contains { $0.isWhitespace })
    }

    /// Whether a flag's `owner` names `entry`: equal ignoring case, or (for a handle) equal to its short form.
    package static func owner(_ owner: String, names entry: String) -> Bool {
        if let handle = OwnerHandle(entry) { return handle.isNamed(by: owner) }
        return owner.lowercased() == entry.lowercased()
    }

    /// Whether a flag's `owner` names one of the entries.
    package func contains(_ owner: String) -> Bool {
        entries.contains { KnownOwners.owner(owner, names: $0) }
    }

    /// `; did you mean 'team-billing'?` for a misspelt owner (the short forms, as flags write them, and the
    /// entries as written are the candidates), else nothing.
    func didYouMean(_ owner: String) -> String {
        let candidates = Set(entries + entries.compactMap { OwnerHandle($0)?.shortForm })
        return Suggestions.didYouMean(owner, in: candidates.sorted())
    }

    /// Reads the owners of `owners: { from: … }`: `CODEOWNERS` means GitHub's locations, in GitHub's order, at the
    /// repository root (the nearest folder at or above the config's folder holding `.git`); any other value is
    /// a path from that root, or from the config's folder outside a repository. Reports a missing file as
    /// `config-invalid` at `from`, and the file's invalid lines as `codeowners-invalid`.
    static func read(from: Located<String>, configPath: String, limits: InputLimits) -> (KnownOwners?, DiagnosticCollector) {
        var diagnostics = DiagnosticCollector()
        let configFolder = SnapshotFile.folder(of: configPath)
        let root = FileDiscovery.repositoryRoot(above: configFolder)
        let base = root ?? configFolder
        let candidates = from.value == githubName ? CodeOwners.githubLocations : [from.value]
        let paths = candidates.map { $0.hasPrefix("/") ? $0 : FileDiscovery.join(base, $0) }
        guard let path = paths.first(where: { FileDiscovery.isFile($0) }) else {
            let place = root.map { "at the repository root (\($0))" } ?? "beside \(configPath) (no repository: no folder above it holds .git)"
            let searched = from.value == githubName ? "none of \(CodeOwners.githubLocations.joined(separator: ", ")) exists" : "'\(from.value)' does not exist"
            diagnostics.add(Diagnostic(.configInvalid, file: configPath, at: from.location, "'owners.from' is '\(from.value)', but \(searched) \(place); add the file, fix the path, or list the owners (owners: [team-a, team-b])"))
            return (nil, diagnostics)
        }
        do {
            let (file, problems) = CodeOwners.parse(try FileDiscovery.read(path, limit: limits.maximumFileSize), path: path)
            diagnostics.add(problems)
            return (KnownOwners(entries: file.owners, source: path, isCodeOwners: true), diagnostics)
        } catch {
            diagnostics.add(Diagnostic(error.rule, file: path, at: nil, error.message))
            return (nil, diagnostics)
        }
    }
}
