/// The version `flagc --version` prints, and the only place it is written down.
///
/// Releasing: set `current` to the new version (semantic versioning, `MAJOR.MINOR.PATCH` with an optional
/// `-prerelease`) in the commit that is tagged `vMAJOR.MINOR.PATCH`. `scripts/check-docs.sh` fails when
/// CHANGELOG.md's newest release heading or a `flagc X.Y.Z` in README.md names another version.
enum FlagcVersion {
    static let current = "0.1.0"

    /// What `flagc --version` prints: the version, and the commit the binary was built from when it was built in
    /// a git checkout (`0.1.0 (commit 3f2a9c1e…)`, recorded by the FlagcBuildInfo plugin).
    static var description: String {
        FlagcBuildInfo.commit.map { "\(current) (commit \($0))" } ?? current
    }
}
