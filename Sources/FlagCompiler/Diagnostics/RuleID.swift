/// The stable id of a validation rule. Ids, not message wording, are the API: CI filters and editor
/// integrations may rely on them.
public enum RuleID: String, Sendable, Hashable, CaseIterable, Comparable {
    // YAML
    /// The file is not well-formed YAML.
    case yamlSyntax = "yaml-syntax"
    /// A git merge-conflict marker (`<<<<<<<`, `=======`, `>>>>>>>`) is left in the file.
    case yamlConflictMarker = "yaml-conflict-marker"
    /// An unquoted value starting with `#` (`white: #ffffff`), which YAML reads as an empty value and a comment.
    case yamlCommentValue = "yaml-comment-value"
    /// A tab is used for indentation.
    case yamlTab = "yaml-tab"
    /// A mapping has the same key twice.
    case yamlDuplicateKey = "yaml-duplicate-key"
    /// The file holds more than one YAML document.
    case yamlMultipleDocuments = "yaml-multiple-documents"
    /// An anchor or alias is used.
    case yamlAnchor = "yaml-anchor"
    /// A merge key (`<<`) is used.
    case yamlMergeKey = "yaml-merge-key"
    /// An explicit tag (`!!str`, `!custom`) is used.
    case yamlTag = "yaml-tag"
    /// An unquoted yes/no/on/off/y/n, which YAML 1.1 reads as a boolean.
    case yamlAmbiguousBoolean = "yaml-ambiguous-boolean"
    /// An unquoted number with a leading zero, which YAML 1.1 reads as octal.
    case yamlAmbiguousNumber = "yaml-ambiguous-number"
    /// An unquoted number no flag value holds exactly: beyond 64-bit integers or doubles, `.inf`, `.nan`.
    case numberOutOfRange = "number-out-of-range"
    /// The file is too large, too deeply nested, or has too long a list.
    case inputLimit = "input-limit"
    /// A file or folder could not be read (or a symbolic link leads nowhere).
    case fileUnreadable = "file-unreadable"
    /// A symbolic link in a flag folder leads outside it.
    case symlinkOutside = "symlink-outside"
    /// A flag file holds no flags and no segments.
    case emptyFile = "empty-file"

    // Structure
    /// A field that the format does not define.
    case unknownField = "unknown-field"
    /// A value of the wrong type.
    case wrongType = "wrong-type"
    /// A required field is missing.
    case missingField = "missing-field"
    /// A field that `flagc.yaml`'s `require` asks for is missing.
    case missingMetadata = "missing-metadata"
    /// A list that must not be empty is empty.
    case emptyList = "empty-list"
    /// A `# flagc:ignore` comment is malformed: no rule, an unknown or unignorable rule, no reason, nothing after it.
    case ignoreInvalid = "ignore-invalid"
    /// The project config `flagc.yaml` is invalid.
    case configInvalid = "config-invalid"
    /// A CODEOWNERS line GitHub would reject (an owner not written `@user`, `@org/team` or as an email, `!`, `[ ]`).
    case codeownersInvalid = "codeowners-invalid"
    /// A flag's `owner` is not one of the owners `flagc.yaml`'s `owners` lists (or its CODEOWNERS file names).
    case ownerUnknown = "owner-unknown"

    // Keys and names
    /// A flag key does not follow the naming convention.
    case keyNaming = "key-naming"
    /// A flag key lies outside the file's `module`.
    case keyOutsideModule = "key-outside-module"
    /// A segment, module or variant name is malformed.
    case nameInvalid = "name-invalid"
    /// The same flag is defined twice.
    case duplicateFlag = "duplicate-flag"
    /// The same segment is defined twice.
    case duplicateSegment = "duplicate-segment"

    // Variants and outcomes
    /// Variant values of different types.
    case variantMixedTypes = "variant-mixed-types"
    /// `default` names no variant.
    case defaultUnknownVariant = "default-unknown-variant"
    /// `serve` names no variant.
    case serveUnknownVariant = "serve-unknown-variant"
    /// A `split` names an unknown variant.
    case splitUnknownVariant = "split-unknown-variant"
    /// A `split` gives one variant two weights (two keys naming the same variant).
    case splitDuplicateVariant = "split-duplicate-variant"
    /// Split weights do not sum to 100.
    case splitSum = "split-sum"
    /// A split weight is negative or has more than two decimals.
    case splitWeight = "split-weight"
    /// A rollout percentage is out of range.
    case rolloutRange = "rollout-range"
    /// A rollout on a flag that is not boolean.
    case rolloutNotBoolean = "rollout-not-boolean"
    /// A rule has no outcome or more than one.
    case ruleOutcome = "rule-outcome"

    // Conditions
    /// An unknown segment is referenced.
    case unknownSegment = "unknown-segment"
    /// A segment that no flag uses.
    case segmentUnused = "segment-unused"
    /// A segment with the same conditions as another.
    case segmentIdentical = "segment-identical"
    /// Segments reference each other in a cycle.
    case segmentCycle = "segment-cycle"
    /// Segments nest deeper than the compiler's limit.
    case segmentDepth = "segment-depth"
    /// With segments inlined, the snapshot would be larger than the runtime loads.
    case snapshotSize = "snapshot-size"
    /// An environment name outside `flagc.yaml`'s `environments`.
    case unknownEnvironment = "unknown-environment"
    /// A matcher operand of the wrong type for its operator.
    case matcherType = "matcher-type"
    /// A malformed semantic version.
    case invalidSemver = "invalid-semver"
    /// A reserved context name used as an attribute.
    case reservedAttribute = "reserved-attribute"

    // Dates
    /// A malformed timestamp or date.
    case invalidTimestamp = "invalid-timestamp"
    /// `from` is not before `until`.
    case windowOrder = "window-order"
    /// A rule's window has entirely passed.
    case windowPassed = "window-passed"
    /// A flag is past its `expires` date.
    case flagExpired = "flag-expired"
    /// A rule can never match because an earlier rule always matches.
    case unreachableRule = "unreachable-rule"

    // Test files
    /// A test case names a flag, variant, rule or environment that does not exist, or an undefined placeholder.
    case testUnknownReference = "test-unknown-reference"

    /// The severity diagnostics of this rule have.
    public var defaultSeverity: Severity {
        switch self {
        case .windowPassed, .flagExpired, .unreachableRule, .emptyFile, .segmentUnused, .segmentIdentical: .warning
        default: .error
        }
    }

    /// Orders by the id string.
    public static func < (lhs: RuleID, rhs: RuleID) -> Bool { lhs.rawValue < rhs.rawValue }
}
