/// A validation rule's description: its id, a summary, where it is checked, and examples that do and do not
/// trigger it.
///
/// The examples are executable documentation: one generic test compiles each of them and checks that the
/// rule fires on the triggering example and not on the other.
public struct RuleDescription: Sendable {
    /// The rule id.
    public var id: RuleID
    /// What the rule checks, in one line.
    public var summary: String
    /// The source files that report the rule, relative to `Sources/FlagCompiler/`, the main one first. The
    /// folder names the stage (`Discovery`, `Parsing`, `Decoding`, `Config`); a rule checked across files has
    /// a file of its own, `Validation/Rules/<RuleID>.swift`, that holds its check and this description.
    public var checkedIn: [String]
    /// Flag files (path → content) on which the rule reports a diagnostic. A path named `flagc.yaml` is the
    /// project config; the project's `flags` folder is compiled.
    public var triggering: [String: ExampleFile]
    /// Flag files on which the rule stays silent.
    public var nonTriggering: [String: ExampleFile]
}

/// What a path of a rule example holds: a file's text, or a symbolic link (for the rules about files that
/// cannot be read or links that lead outside the folder). A string literal is a file's text.
public enum ExampleFile: Sendable, Hashable, ExpressibleByStringLiteral {
    /// A regular file with this text.
    case text(String)
    /// A symbolic link to this destination, relative to the link's folder; nothing needs to be there.
    case symbolicLink(to: String)

    /// A file with the literal as its text.
    public init(stringLiteral text: String) {
        self = .text(text)
    }
}

/// Every validation rule, with examples: the registry behind `flagc rules`.
public enum RuleCatalog {
    /// The date used as "now" when the examples are checked.
    public static let exampleNow = "2026-06-01T00:00:00Z"

    /// A flag file with one valid flag whose body is `body` (indented under the key).
    static func flag(_ body: String, key: String = "demo.feature") -> String {
        let indented = body.split(separator: "\n", omittingEmptySubsequences: false).map { $0.isEmpty ? "" : "    " + $0 }.joined(separator: "\n")
        return "flags:\n  \(key):\n    description: Demo flag\n    owner: team-demo\n\(indented)\n"
    }

    /// An example of one file, `flags/demo.yaml`.
    static func one(_ yaml: String) -> [String: ExampleFile] { ["flags/demo.yaml": .text(yaml)] }

    /// The rules, sorted by id: those checked while reading single files (below) and the cross-file rules
    /// (each in its file under `Validation/Rules/`).
    public static let all: [RuleDescription] = (discovery + parsing + decoding + config + crossFile).sorted { $0.id < $1.id }

    /// The rules `ProjectValidator` checks across files, gathered from their files.
    static let crossFile: [RuleDescription] = [
        DuplicateFlag.description,
        DuplicateSegment.description,
        SegmentIdentical.description,
        SegmentUnused.description,
        FlagExpired.description,
        KeyNaming.description,
        MissingMetadata.description,
        OwnerUnknown.description,
        SegmentCycle.description,
        SegmentDepth.description,
        SnapshotSize.description,
        TestUnknownReference.description,
        UnknownEnvironment.description,
        UnknownSegment.description,
        UnreachableRule.description,
        WindowPassed.description,
    ]

    /// Discovery: paths that cannot be read or lead outside the folder.
    static let discovery: [RuleDescription] = [
        RuleDescription(id: .fileUnreadable, summary: "Every flag file and folder can be read; no symbolic link leads nowhere.",
                        checkedIn: ["Discovery/FileDiscovery.swift"],
                        triggering: ["flags/demo.yaml": .symbolicLink(to: "demo.txt")],
                        nonTriggering: ["flags/demo.yaml": .symbolicLink(to: "demo.txt"), "flags/demo.txt": .text(flag("default: false"))]),
        RuleDescription(id: .symlinkOutside, summary: "Symbolic links stay inside the folder being validated (unless flagc.yaml says 'symlinks: follow').",
                        checkedIn: ["Discovery/FileDiscovery.swift"],
                        triggering: ["flags/demo.yaml": .symbolicLink(to: "../shared/demo.yaml"), "shared/demo.yaml": .text(flag("default: false"))],
                        nonTriggering: ["flags/flagc.yaml": "symlinks: follow\n", "flags/demo.yaml": .symbolicLink(to: "../shared/demo.yaml"), "shared/demo.yaml": .text(flag("default: false"))]),
    ]

    /// Parsing: YAML that is malformed, ambiguous between YAML versions, or too large.
    static let parsing: [RuleDescription] = [
        RuleDescription(id: .yamlSyntax, summary: "The file must be well-formed YAML.",
                        checkedIn: ["Parsing/YAMLParser.swift"],
                        triggering: one("flags:\n  demo.feature: [unclosed\n"),
                        nonTriggering: one(flag("default: false"))),
        RuleDescription(id: .yamlConflictMarker, summary: "No git merge-conflict markers (<<<<<<<, =======, >>>>>>>) left in a file.",
                        checkedIn: ["Parsing/ConflictMarkers.swift"],
                        triggering: one("flags:\n  demo.feature:\n    description: Demo flag\n    owner: team-demo\n<<<<<<< HEAD\n    default: false\n=======\n    default: true\n>>>>>>> feature\n"),
                        nonTriggering: one(flag("metadata: { note: \"<<<<<<< inside a value is text\" }\ndefault: false"))),
        RuleDescription(id: .yamlCommentValue, summary: "No unquoted value starting with '#', which YAML reads as an empty value and a comment.",
                        checkedIn: ["Diagnostics/Diagnostic.swift"],
                        triggering: one(flag("variants:\n  white: #ffffff\n  black: \"#000000\"\ndefault: black")),
                        nonTriggering: one(flag("variants:\n  white: \"#ffffff\"  # a comment after a value is fine\n  black: \"#000000\"\ndefault: black"))),
        RuleDescription(id: .yamlTab, summary: "Indentation uses spaces only.",
                        checkedIn: ["Parsing/YAMLParser.swift"],
                        triggering: one("flags:\n\tdemo.feature:\n\t\tdefault: false\n"),
                        nonTriggering: one(flag("default: false"))),
        RuleDescription(id: .yamlDuplicateKey, summary: "A mapping has each key once.",
                        checkedIn: ["Parsing/YAMLParser.swift"],
                        triggering: one(flag("default: false\ndefault: true")),
                        nonTriggering: one(flag("default: false"))),
        RuleDescription(id: .yamlMultipleDocuments, summary: "A file holds one YAML document.",
                        checkedIn: ["Parsing/YAMLParser.swift"],
                        triggering: one(flag("default: false") + "---\nflags: {}\n"),
                        nonTriggering: one("---\n" + flag("default: false"))),
        RuleDescription(id: .yamlAnchor, summary: "No anchors or aliases: they hide content from reviewers.",
                        checkedIn: ["Parsing/YAMLParser.swift"],
                        triggering: one(flag("default: false\nrules:\n  - when: &pilot { tenants: [acme] }\n    serve: true\n  - when: *pilot\n    serve: false")),
                        nonTriggering: one(flag("default: false\nrules:\n  - when: { tenants: [acme] }\n    serve: true"))),
        RuleDescription(id: .yamlMergeKey, summary: "No merge keys (<<).",
                        checkedIn: ["Parsing/YAMLParser.swift"],
                        triggering: one("flags:\n  demo.feature:\n    <<: { description: Demo flag, owner: team-demo }\n    default: false\n"),
                        nonTriggering: one(flag("default: false"))),
        RuleDescription(id: .yamlTag, summary: "No explicit YAML tags.",
                        checkedIn: ["Parsing/YAMLParser.swift"],
                        triggering: one(flag("default: !!bool false")),
                        nonTriggering: one(flag("default: false"))),
        RuleDescription(id: .numberOutOfRange, summary: "No unquoted number that a flag value cannot hold exactly (integers beyond 64 bits, .inf, .nan).",
                        checkedIn: ["Parsing/YAMLParser.swift"],
                        triggering: one(flag("variants: { low: 1, high: 9223372036854775808 }\ndefault: low")),
                        nonTriggering: one(flag("variants: { low: 1, high: 9223372036854775807 }\ndefault: low"))),
        RuleDescription(id: .inputLimit, summary: "Files stay within the size, nesting and list-length limits.",
                        checkedIn: ["Parsing/YAMLParser.swift", "Discovery/FileDiscovery.swift", "Decoding/TestFileDecoder.swift"],
                        triggering: one(flag("metadata: { deep: " + String(repeating: "[", count: 40) + String(repeating: "]", count: 40) + " }\ndefault: false")),
                        nonTriggering: one(flag("default: false"))),
    ]

    /// Decoding: what one file decides on its own.
    static let decoding: [RuleDescription] = [
        RuleDescription(id: .yamlAmbiguousBoolean, summary: "No unquoted yes/no/on/off/y/n, which YAML 1.1 reads as booleans.",
                        checkedIn: ["Decoding/NodeReading.swift", "Decoding/FileDecoder+Flags.swift"],
                        triggering: one(flag("enabled: yes\ndefault: false")),
                        nonTriggering: one(flag("enabled: true\ndefault: false"))),
        RuleDescription(id: .yamlAmbiguousNumber, summary: "No unquoted numbers with a leading zero, which YAML 1.1 reads as octal.",
                        checkedIn: ["Decoding/NodeReading.swift"],
                        triggering: one(flag("variants: { low: 010, high: 100 }\ndefault: low")),
                        nonTriggering: one(flag("variants: { low: 10, high: 100 }\ndefault: low"))),
        RuleDescription(id: .emptyFile, summary: "A flag file holds flags or segments (warning).",
                        checkedIn: ["Decoding/FileDecoder.swift", "Decoding/TestFileDecoder.swift"],
                        triggering: one("# nothing here yet\n"),
                        nonTriggering: one(flag("default: false"))),
        RuleDescription(id: .unknownField, summary: "Only fields the format defines (with a did-you-mean suggestion).",
                        checkedIn: ["Decoding/NodeReading.swift", "Decoding/FileDecoder+Rules.swift"],
                        triggering: one(flag("defualt: false\ndefault: false")),
                        nonTriggering: one(flag("default: false"))),
        RuleDescription(id: .ignoreInvalid, summary: "A '# flagc:ignore RULE-ID reason' comment names an adjustable rule, gives a reason, and comes before a flag, rule or segment.",
                        checkedIn: ["Decoding/IgnoreComment.swift"],
                        triggering: one("flags:\n  # flagc:ignore flag-expired\n  demo.feature:\n    description: Demo flag\n    owner: team-demo\n    expires: 2026-05-01\n    default: false\n"),
                        nonTriggering: one("flags:\n  # flagc:ignore flag-expired kept until the migration ends\n  demo.feature:\n    description: Demo flag\n    owner: team-demo\n    expires: 2026-05-01\n    default: false\n")),
        RuleDescription(id: .wrongType, summary: "Each field has the type the format defines.",
                        checkedIn: ["Decoding/NodeReading.swift", "Decoding/FileDecoder.swift", "Decoding/FileDecoder+Flags.swift", "Decoding/FileDecoder+Rules.swift", "Decoding/FileDecoder+Conditions.swift", "Parsing/YAMLParser.swift", "Decoding/TestFileDecoder.swift", "Config/ProjectConfig.swift"],
                        triggering: one(flag("default: false\nrules: { serve: true }")),
                        nonTriggering: one(flag("default: false\nrules:\n  - serve: true"))),
        RuleDescription(id: .missingField, summary: "Required fields are present (a flag's default, a segment's when).",
                        checkedIn: ["Decoding/FileDecoder+Flags.swift", "Decoding/FileDecoder+Segments.swift", "Decoding/TestFileDecoder.swift"],
                        triggering: one("flags:\n  demo.feature:\n    description: Demo flag\n    owner: team-demo\n"),
                        nonTriggering: one(flag("default: false"))),
        RuleDescription(id: .emptyList, summary: "Condition lists are not empty (an empty list never matches).",
                        checkedIn: ["Decoding/NodeReading.swift", "Decoding/FileDecoder+Conditions.swift", "Decoding/TestFileDecoder.swift"],
                        triggering: one(flag("default: false\nrules:\n  - when: { users: [] }\n    serve: true")),
                        nonTriggering: one(flag("default: false\nrules:\n  - when: { users: [ada] }\n    serve: true"))),
        RuleDescription(id: .keyOutsideModule, summary: "With module:, every key starts with the module name.",
                        checkedIn: ["Decoding/FileDecoder+Flags.swift"],
                        triggering: one("module: billing\n" + flag("default: false", key: "demo.feature")),
                        nonTriggering: one("module: demo\n" + flag("default: false", key: "demo.feature"))),
        RuleDescription(id: .nameInvalid, summary: "Module and segment names are lowercase snake_case.",
                        checkedIn: ["Decoding/FileDecoder.swift", "Decoding/FileDecoder+Segments.swift"],
                        triggering: one("segments:\n  Internal-Staff:\n    when: { groups: [staff] }\n"),
                        nonTriggering: one(flag("default: false\nrules:\n  - when: { segments: [internal_staff] }\n    serve: true") + "segments:\n  internal_staff:\n    when: { groups: [staff] }\n")),
        RuleDescription(id: .variantMixedTypes, summary: "All variants of a flag have one type.",
                        checkedIn: ["Decoding/FileDecoder+Flags.swift"],
                        triggering: one(flag("variants: { small: 10, large: \"big\" }\ndefault: small")),
                        nonTriggering: one(flag("variants: { small: 10, large: 100 }\ndefault: small"))),
        RuleDescription(id: .defaultUnknownVariant, summary: "default names a variant.",
                        checkedIn: ["Decoding/FileDecoder+Flags.swift"],
                        triggering: one(flag("variants: { blue: \"#00f\", green: \"#0f0\" }\ndefault: red")),
                        nonTriggering: one(flag("variants: { blue: \"#00f\", green: \"#0f0\" }\ndefault: blue"))),
        RuleDescription(id: .serveUnknownVariant, summary: "serve names a variant (or true/false on a boolean flag).",
                        checkedIn: ["Decoding/FileDecoder+Rules.swift"],
                        triggering: one(flag("variants: { blue: \"#00f\", green: \"#0f0\" }\ndefault: blue\nrules:\n  - serve: gren")),
                        nonTriggering: one(flag("variants: { blue: \"#00f\", green: \"#0f0\" }\ndefault: blue\nrules:\n  - serve: green"))),
        RuleDescription(id: .splitUnknownVariant, summary: "split names only variants of the flag.",
                        checkedIn: ["Decoding/FileDecoder+Rules.swift"],
                        triggering: one(flag("variants: { blue: \"#00f\", green: \"#0f0\" }\ndefault: blue\nrules:\n  - split: { blue: 50, red: 50 }")),
                        nonTriggering: one(flag("variants: { blue: \"#00f\", green: \"#0f0\" }\ndefault: blue\nrules:\n  - split: { blue: 50, green: 50 }"))),
        RuleDescription(id: .splitDuplicateVariant, summary: "split gives each variant one weight.",
                        checkedIn: ["Decoding/FileDecoder+Rules.swift"],
                        triggering: one(flag("variants: { enabled: true, disabled: false }\ndefault: disabled\nrules:\n  - split: { true: 50, enabled: 50 }")),
                        nonTriggering: one(flag("variants: { enabled: true, disabled: false }\ndefault: disabled\nrules:\n  - split: { true: 50, disabled: 50 }"))),
        RuleDescription(id: .splitSum, summary: "Split weights sum to exactly 100.",
                        checkedIn: ["Decoding/FileDecoder+Rules.swift"],
                        triggering: one(flag("variants: { blue: \"#00f\", green: \"#0f0\" }\ndefault: blue\nrules:\n  - split: { blue: 33.33, green: 66.66 }")),
                        nonTriggering: one(flag("variants: { blue: \"#00f\", green: \"#0f0\" }\ndefault: blue\nrules:\n  - split: { blue: 33.33, green: 66.67 }"))),
        RuleDescription(id: .splitWeight, summary: "Split weights are non-negative with at most two decimals.",
                        checkedIn: ["Decoding/FileDecoder+Rules.swift"],
                        triggering: one(flag("variants: { blue: \"#00f\", green: \"#0f0\" }\ndefault: blue\nrules:\n  - split: { blue: 33.333, green: 66.667 }")),
                        nonTriggering: one(flag("variants: { blue: \"#00f\", green: \"#0f0\" }\ndefault: blue\nrules:\n  - split: { blue: 0, green: 100 }"))),
        RuleDescription(id: .rolloutRange, summary: "A rollout is a percentage from 0 to 100.",
                        checkedIn: ["Decoding/FileDecoder+Rules.swift"],
                        triggering: one(flag("default: false\nrules:\n  - rollout: 150")),
                        nonTriggering: one(flag("default: false\nrules:\n  - rollout: 12.5"))),
        RuleDescription(id: .rolloutNotBoolean, summary: "rollout is for boolean flags; other flags use split.",
                        checkedIn: ["Decoding/FileDecoder+Rules.swift"],
                        triggering: one(flag("variants: { blue: \"#00f\", green: \"#0f0\" }\ndefault: blue\nrules:\n  - rollout: 10")),
                        nonTriggering: one(flag("default: false\nrules:\n  - rollout: 10"))),
        RuleDescription(id: .ruleOutcome, summary: "Each rule has exactly one of serve, split and rollout.",
                        checkedIn: ["Decoding/FileDecoder+Rules.swift"],
                        triggering: one(flag("default: false\nrules:\n  - when: { users: [ada] }\n    serve: true\n    rollout: 10")),
                        nonTriggering: one(flag("default: false\nrules:\n  - when: { users: [ada] }\n    serve: true"))),
        RuleDescription(id: .matcherType, summary: "Matcher operands have the type their operator compares.",
                        checkedIn: ["Decoding/FileDecoder+Conditions.swift"],
                        triggering: one(flag("default: false\nrules:\n  - when: { attributes: { seats: { gte: many } } }\n    serve: true")),
                        nonTriggering: one(flag("default: false\nrules:\n  - when: { attributes: { seats: { gte: 10 } } }\n    serve: true"))),
        RuleDescription(id: .invalidSemver, summary: "semver_* operands are semantic versions.",
                        checkedIn: ["Decoding/FileDecoder+Conditions.swift"],
                        triggering: one(flag("default: false\nrules:\n  - when: { attributes: { app_version: { semver_gte: \"2.4\" } } }\n    serve: true")),
                        nonTriggering: one(flag("default: false\nrules:\n  - when: { attributes: { app_version: { semver_gte: 2.4.0 } } }\n    serve: true"))),
        RuleDescription(id: .reservedAttribute, summary: "Reserved context names are not used as attributes.",
                        checkedIn: ["Decoding/FileDecoder+Conditions.swift"],
                        triggering: one(flag("default: false\nrules:\n  - when: { attributes: { environment: [staging] } }\n    serve: true")),
                        nonTriggering: one(flag("default: false\nrules:\n  - when: { environments: [staging] }\n    serve: true"))),
        RuleDescription(id: .invalidTimestamp, summary: "Timestamps are RFC 3339 and dates are YYYY-MM-DD.",
                        checkedIn: ["Decoding/NodeReading.swift", "Decoding/FileDecoder+Flags.swift"],
                        triggering: one(flag("default: false\nrules:\n  - until: 2026-12-31\n    serve: true")),
                        nonTriggering: one(flag("default: false\nrules:\n  - until: 2026-12-31T00:00:00Z\n    serve: true"))),
        RuleDescription(id: .windowOrder, summary: "from is before until.",
                        checkedIn: ["Decoding/FileDecoder+Rules.swift"],
                        triggering: one(flag("default: false\nrules:\n  - from: 2026-12-31T00:00:00Z\n    until: 2026-12-01T00:00:00Z\n    serve: true")),
                        nonTriggering: one(flag("default: false\nrules:\n  - from: 2026-12-01T00:00:00Z\n    until: 2026-12-31T00:00:00Z\n    serve: true"))),
    ]

    /// Config: flagc.yaml itself, and the CODEOWNERS file its `owners.from` names.
    static let config: [RuleDescription] = [
        RuleDescription(id: .configInvalid, summary: "flagc.yaml is valid: the pattern compiles, its example matches, owners.from names a file.",
                        checkedIn: ["Config/ProjectConfig.swift", "Owners/KnownOwners.swift"],
                        triggering: ["flags/flagc.yaml": "naming:\n  pattern: '^[a-z]+$'\n  example: billing.invoice\n", "flags/demo.yaml": .text(flag("default: false"))],
                        nonTriggering: ["flags/flagc.yaml": "naming:\n  pattern: '^[a-z]+\\.[a-z]+$'\n  example: demo.feature\n", "flags/demo.yaml": .text(flag("default: false"))]),
        RuleDescription(id: .codeownersInvalid, summary: "The CODEOWNERS file that owners.from names has only lines GitHub accepts: owners written @user, @org/team or as an email; no '!' or '[ ]' in patterns.",
                        checkedIn: ["Owners/CodeOwners.swift"],
                        triggering: ["flags/flagc.yaml": "owners: { from: CODEOWNERS }\n", "CODEOWNERS": "/flags/ team-demo\n", "flags/demo.yaml": .text(flag("default: false"))],
                        nonTriggering: ["flags/flagc.yaml": "owners: { from: CODEOWNERS }\n", "CODEOWNERS": "/flags/ @acme/team-demo\n", "flags/demo.yaml": .text(flag("default: false"))]),
    ]
}
