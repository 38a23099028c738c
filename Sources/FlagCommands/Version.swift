/// The version `flagc --version` prints, and the only place it is written down.
///
/// Releasing: set `current` to the new version (semantic versioning, `MAJOR.MINOR.PATCH` with an optional
/// `-prerelease`) in the commit that is tagged `vMAJOR.MINOR.PATCH`. `scripts/check-docs.sh` fails when
/// CHANGELOG.md's newest release heading or a `flagc X.Y.Z` in README.md names another version.
enum FlagcVersion {
    static let current = "0.1.0"
}
