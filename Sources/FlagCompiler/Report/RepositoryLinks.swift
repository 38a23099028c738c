import Foundation

/// Links into the repository's web host (GitHub, GitLab, Gitea and alike): a file at a line, a commit.
///
/// Made from the `origin` remote: `git@github.com:acme/flags.git` and `https://github.com/acme/flags.git`
/// both give `https://github.com/acme/flags`. Credentials in a remote URL are dropped, never shown.
package struct RepositoryLinks: Sendable, Hashable {
    /// The repository's web address, without a trailing slash.
    package var web: String
    /// The commit that file links point at.
    package var revision: String

    /// Creates links from a web address and a revision.
    package init(web: String, revision: String) {
        self.web = web
        self.revision = revision
    }

    /// `WEB/blob/REV/PATH#L12`.
    package func file(_ path: String, line: Int? = nil) -> String {
        "\(web)/blob/\(revision)/\(path.split(separator: "/").map { Self.escape(String($0)) }.joined(separator: "/"))" + (line.map { "#L\($0)" } ?? "")
    }

    /// `WEB/commit/ID`.
    package func commit(_ id: String) -> String { "\(web)/commit/\(id)" }

    /// The web address of a remote URL, or nil when it is not one a browser can open (a local path).
    package static func webAddress(ofRemote remote: String) -> String? {
        var text = remote.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.hasSuffix("/") { text.removeLast() }
        if text.hasSuffix(".git") { text.removeLast(4) }
        var host: Substring, path: Substring
        if let scheme = text.range(of: "://") {
            guard ["https", "http", "ssh", "git"].contains(text[..<scheme.lowerBound].lowercased()) else { return nil }
            let rest = text[scheme.upperBound...]
            guard let slash = rest.firstIndex(of: "/") else { return nil }
            host = rest[..<slash]
            path = rest[rest.index(after: slash)...]
        } else if let colon = text.firstIndex(of: ":"), !text[..<colon].contains("/") {
            // scp-like: git@github.com:acme/flags
            host = text[..<colon]
            path = text[text.index(after: colon)...]
        } else {
            return nil
        }
        if let at = host.lastIndex(of: "@") { host = host[host.index(after: at)...] }
        if let port = host.firstIndex(of: ":") { host = host[..<port] }
        guard !host.isEmpty, !path.isEmpty, host.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" }) else { return nil }
        return "https://\(host)/\(path)"
    }

    /// The links of the repository at `directory` (its `origin` remote and `HEAD`), or nil when either is unknown.
    package static func read(directory: String, environment: [String: String]) -> RepositoryLinks? {
        guard let git = try? Git(directory: directory, environment: environment),
              let remote = try? git.run(["config", "--get", "remote.origin.url"]), remote.status == 0,
              let web = webAddress(ofRemote: Git.text(remote.output)),
              let head = try? git.run(["rev-parse", "--verify", "--quiet", "HEAD^{commit}"]), head.status == 0 else { return nil }
        return RepositoryLinks(web: web, revision: Git.text(head.output))
    }

    private static func escape(_ component: String) -> String {
        component.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/?#"))) ?? component
    }
}
