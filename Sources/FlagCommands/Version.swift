import CFlagcBuildInfo

/// The version `flagc --version` prints, and the only place it is written down.
///
/// Releasing: set `current` to the new version (semantic versioning, `MAJOR.MINOR.PATCH` with an optional
/// `-prerelease`) in the commit that is tagged `vMAJOR.MINOR.PATCH`. `scripts/check-docs.sh` fails when
/// CHANGELOG.md's newest release heading or a `flagc X.Y.Z` in README.md names another version.
enum FlagcVersion {
    static let current = "0.1.0"

    /// The git commit the binary was built from, when the build named it (scripts/build-static-flagc.sh does, for
    /// the binary the GitHub Action caches); nil for a plain `swift build`.
    static var commit: String? {
        flagc_build_commit().map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// What `flagc --version` prints: the version, and the commit when known (`0.1.0 (commit 3f2a9c1e…)`).
    static var description: String {
        commit.map { "\(current) (commit \($0))" } ?? current
    }
}
