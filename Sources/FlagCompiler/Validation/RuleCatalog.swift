/// A validation rule's description: its id, a summary, and examples that do and do not trigger it.
///
/// The examples are executable documentation: one generic test compiles each of them and checks that the
/// rule fires on the triggering example and not on the other.
public struct RuleDescription: Sendable {
    /// The rule id.
    public var id: RuleID
    /// What the rule checks, in one line.
    public var summary: String
    /// Flag files (path → YAML) on which the rule reports a diagnostic. A path named `flagc.yaml` is the project config.
    public var triggering: [String: String]
    /// Flag files on which the rule stays silent.
    public var nonTriggering: [String: String]
}

/// Every validation rule, with examples.
public enum RuleCatalog {
    /// The date used as "now" when the examples are checked.
    public static let exampleNow = "2026-06-01T00:00:00Z"

    /// A flag file with one valid flag whose body is `body` (indented under the key).
    static func flag(_ body: String, key: String = "demo.feature") -> String {
        let indented = body.split(separator: "\n", omittingEmptySubsequences: false).map { $0.isEmpty ? "" : "    " + $0 }.joined(separator: "\n")
        return "flags:\n  \(key):\n    description: Demo flag\n    owner: team-demo\n\(indented)\n"
    }

    static func one(_ yaml: String) -> [String: String] { ["flags/demo.yaml": yaml] }

    /// Segments `s1` … `sN`, each referencing the next, and a flag referencing `s1`: N levels of nesting.
    static func chainedSegments(_ count: Int) -> String {
        var yaml = flag("default: false\nrules:\n  - when: { segments: [s1] }\n    serve: true") + "segments:\n"
        for level in 1..<count { yaml += "  s\(level):\n    when: { segments: [s\(level + 1)] }\n" }
        return yaml + "  s\(count):\n    when: { groups: [staff] }\n"
    }

    /// `levels` levels of `width` segments, each referencing every segment of the level below, and a flag
    /// referencing the top: inlined, it holds width^levels copies of the bottom segments.
    static func segmentLattice(width: Int, levels: Int) -> String {
        var yaml = flag("default: false\nrules:\n  - when: { segments: [l\(levels)_0] }\n    serve: true") + "segments:\n"
        for index in 0..<width { yaml += "  l0_\(index):\n    when: { groups: [g\(index)] }\n" }
        for level in 1...levels {
            let below = (0..<width).map { "l\(level - 1)_\($0)" }.joined(separator: ", ")
            for index in 0..<width { yaml += "  l\(level)_\(index):\n    when: { segments: [\(below)] }\n" }
        }
        return yaml
    }

    /// The rules, sorted by id.
    public static let all: [RuleDescription] = [
        RuleDescription(id: .yamlSyntax, summary: "The file must be well-formed YAML.",
                        triggering: one("flags:\n  demo.feature: [unclosed\n"),
                        nonTriggering: one(flag("default: false"))),
        RuleDescription(id: .yamlTab, summary: "Indentation uses spaces only.",
                        triggering: one("flags:\n\tdemo.feature:\n\t\tdefault: false\n"),
                        nonTriggering: one(flag("default: false"))),
        RuleDescription(id: .yamlDuplicateKey, summary: "A mapping has each key once.",
                        triggering: one(flag("default: false\ndefault: true")),
                        nonTriggering: one(flag("default: false"))),
        RuleDescription(id: .yamlMultipleDocuments, summary: "A file holds one YAML document.",
                        triggering: one(flag("default: false") + "---\nflags: {}\n"),
                        nonTriggering: one("---\n" + flag("default: false"))),
        RuleDescription(id: .yamlAnchor, summary: "No anchors or aliases: they hide content from reviewers.",
                        triggering: one(flag("default: false\nrules:\n  - when: &pilot { tenants: [acme] }\n    serve: true\n  - when: *pilot\n    serve: false")),
                        nonTriggering: one(flag("default: false\nrules:\n  - when: { tenants: [acme] }\n    serve: true"))),
        RuleDescription(id: .yamlMergeKey, summary: "No merge keys (<<).",
                        triggering: one("flags:\n  demo.feature:\n    <<: { description: Demo flag, owner: team-demo }\n    default: false\n"),
                        nonTriggering: one(flag("default: false"))),
        RuleDescription(id: .yamlTag, summary: "No explicit YAML tags.",
                        triggering: one(flag("default: !!bool false")),
                        nonTriggering: one(flag("default: false"))),
        RuleDescription(id: .yamlAmbiguousBoolean, summary: "No unquoted yes/no/on/off/y/n, which YAML 1.1 reads as booleans.",
                        triggering: one(flag("enabled: yes\ndefault: false")),
                        nonTriggering: one(flag("enabled: true\ndefault: false"))),
        RuleDescription(id: .yamlAmbiguousNumber, summary: "No unquoted numbers with a leading zero, which YAML 1.1 reads as octal.",
                        triggering: one(flag("variants: { low: 010, high: 100 }\ndefault: low")),
                        nonTriggering: one(flag("variants: { low: 10, high: 100 }\ndefault: low"))),
        RuleDescription(id: .numberOutOfRange, summary: "No unquoted number that a flag value cannot hold exactly (integers beyond 64 bits, .inf, .nan).",
                        triggering: one(flag("variants: { low: 1, high: 9223372036854775808 }\ndefault: low")),
                        nonTriggering: one(flag("variants: { low: 1, high: 9223372036854775807 }\ndefault: low"))),
        RuleDescription(id: .inputLimit, summary: "Files stay within the size, nesting and list-length limits.",
                        triggering: one(flag("metadata: { deep: " + String(repeating: "[", count: 40) + String(repeating: "]", count: 40) + " }\ndefault: false")),
                        nonTriggering: one(flag("default: false"))),
        RuleDescription(id: .fileUnreadable, summary: "Every flag file and folder can be read; no symbolic link leads nowhere.",
                        triggering: [:],
                        nonTriggering: one(flag("default: false"))),
        RuleDescription(id: .symlinkOutside, summary: "Symbolic links stay inside the folder being validated (unless flagc.yaml says 'symlinks: follow').",
                        triggering: [:],
                        nonTriggering: one(flag("default: false"))),
        RuleDescription(id: .emptyFile, summary: "A flag file holds flags or segments (warning).",
                        triggering: one("# nothing here yet\n"),
                        nonTriggering: one(flag("default: false"))),
        RuleDescription(id: .unknownField, summary: "Only fields the format defines (with a did-you-mean suggestion).",
                        triggering: one(flag("defualt: false\ndefault: false")),
                        nonTriggering: one(flag("default: false"))),
        RuleDescription(id: .wrongType, summary: "Each field has the type the format defines.",
                        triggering: one(flag("default: false\nrules: { serve: true }")),
                        nonTriggering: one(flag("default: false\nrules:\n  - serve: true"))),
        RuleDescription(id: .missingField, summary: "Required fields are present (a flag's default, a segment's when).",
                        triggering: one("flags:\n  demo.feature:\n    description: Demo flag\n    owner: team-demo\n"),
                        nonTriggering: one(flag("default: false"))),
        RuleDescription(id: .missingMetadata, summary: "Every flag has the fields flagc.yaml's require lists.",
                        triggering: one("flags:\n  demo.feature:\n    default: false\n"),
                        nonTriggering: ["flags/flagc.yaml": "require: []\n", "flags/demo.yaml": "flags:\n  demo.feature:\n    default: false\n"]),
        RuleDescription(id: .emptyList, summary: "Condition lists are not empty (an empty list never matches).",
                        triggering: one(flag("default: false\nrules:\n  - when: { users: [] }\n    serve: true")),
                        nonTriggering: one(flag("default: false\nrules:\n  - when: { users: [ada] }\n    serve: true"))),
        RuleDescription(id: .configInvalid, summary: "flagc.yaml is valid: the pattern compiles and its example matches.",
                        triggering: ["flags/flagc.yaml": "naming:\n  pattern: '^[a-z]+$'\n  example: billing.invoice\n", "flags/demo.yaml": flag("default: false")],
                        nonTriggering: ["flags/flagc.yaml": "naming:\n  pattern: '^[a-z]+\\.[a-z]+$'\n  example: demo.feature\n", "flags/demo.yaml": flag("default: false")]),
        RuleDescription(id: .keyNaming, summary: "Flag keys follow the naming convention ({module}.{feature}[.{action}]).",
                        triggering: one(flag("default: false", key: "Demo-Feature")),
                        nonTriggering: one(flag("default: false", key: "demo.feature.enabled"))),
        RuleDescription(id: .keyOutsideModule, summary: "With module:, every key starts with the module name.",
                        triggering: one("module: billing\n" + flag("default: false", key: "demo.feature")),
                        nonTriggering: one("module: demo\n" + flag("default: false", key: "demo.feature"))),
        RuleDescription(id: .nameInvalid, summary: "Module and segment names are lowercase snake_case.",
                        triggering: one("segments:\n  Internal-Staff:\n    when: { groups: [staff] }\n"),
                        nonTriggering: one("segments:\n  internal_staff:\n    when: { groups: [staff] }\n")),
        RuleDescription(id: .duplicateFlag, summary: "Each flag is defined once across all files.",
                        triggering: ["flags/a.yaml": flag("default: false"), "flags/b.yaml": flag("default: true")],
                        nonTriggering: ["flags/a.yaml": flag("default: false"), "flags/b.yaml": flag("default: true", key: "demo.other")]),
        RuleDescription(id: .duplicateSegment, summary: "Each segment is defined once across all files.",
                        triggering: ["flags/a.yaml": "segments:\n  staff:\n    when: { groups: [staff] }\n", "flags/b.yaml": "segments:\n  staff:\n    when: { groups: [employees] }\n"],
                        nonTriggering: ["flags/a.yaml": "segments:\n  staff:\n    when: { groups: [staff] }\n", "flags/b.yaml": "segments:\n  employees:\n    when: { groups: [employees] }\n"]),
        RuleDescription(id: .variantMixedTypes, summary: "All variants of a flag have one type.",
                        triggering: one(flag("variants: { small: 10, large: \"big\" }\ndefault: small")),
                        nonTriggering: one(flag("variants: { small: 10, large: 100 }\ndefault: small"))),
        RuleDescription(id: .defaultUnknownVariant, summary: "default names a variant.",
                        triggering: one(flag("variants: { blue: \"#00f\", green: \"#0f0\" }\ndefault: red")),
                        nonTriggering: one(flag("variants: { blue: \"#00f\", green: \"#0f0\" }\ndefault: blue"))),
        RuleDescription(id: .serveUnknownVariant, summary: "serve names a variant (or true/false on a boolean flag).",
                        triggering: one(flag("variants: { blue: \"#00f\", green: \"#0f0\" }\ndefault: blue\nrules:\n  - serve: gren")),
                        nonTriggering: one(flag("variants: { blue: \"#00f\", green: \"#0f0\" }\ndefault: blue\nrules:\n  - serve: green"))),
        RuleDescription(id: .splitUnknownVariant, summary: "split names only variants of the flag.",
                        triggering: one(flag("variants: { blue: \"#00f\", green: \"#0f0\" }\ndefault: blue\nrules:\n  - split: { blue: 50, red: 50 }")),
                        nonTriggering: one(flag("variants: { blue: \"#00f\", green: \"#0f0\" }\ndefault: blue\nrules:\n  - split: { blue: 50, green: 50 }"))),
        RuleDescription(id: .splitDuplicateVariant, summary: "split gives each variant one weight.",
                        triggering: one(flag("variants: { enabled: true, disabled: false }\ndefault: disabled\nrules:\n  - split: { true: 50, enabled: 50 }")),
                        nonTriggering: one(flag("variants: { enabled: true, disabled: false }\ndefault: disabled\nrules:\n  - split: { true: 50, disabled: 50 }"))),
        RuleDescription(id: .splitSum, summary: "Split weights sum to exactly 100.",
                        triggering: one(flag("variants: { blue: \"#00f\", green: \"#0f0\" }\ndefault: blue\nrules:\n  - split: { blue: 33.33, green: 66.66 }")),
                        nonTriggering: one(flag("variants: { blue: \"#00f\", green: \"#0f0\" }\ndefault: blue\nrules:\n  - split: { blue: 33.33, green: 66.67 }"))),
        RuleDescription(id: .splitWeight, summary: "Split weights are non-negative with at most two decimals.",
                        triggering: one(flag("variants: { blue: \"#00f\", green: \"#0f0\" }\ndefault: blue\nrules:\n  - split: { blue: 33.333, green: 66.667 }")),
                        nonTriggering: one(flag("variants: { blue: \"#00f\", green: \"#0f0\" }\ndefault: blue\nrules:\n  - split: { blue: 0, green: 100 }"))),
        RuleDescription(id: .rolloutRange, summary: "A rollout is a percentage from 0 to 100.",
                        triggering: one(flag("default: false\nrules:\n  - rollout: 150")),
                        nonTriggering: one(flag("default: false\nrules:\n  - rollout: 12.5"))),
        RuleDescription(id: .rolloutNotBoolean, summary: "rollout is for boolean flags; other flags use split.",
                        triggering: one(flag("variants: { blue: \"#00f\", green: \"#0f0\" }\ndefault: blue\nrules:\n  - rollout: 10")),
                        nonTriggering: one(flag("default: false\nrules:\n  - rollout: 10"))),
        RuleDescription(id: .ruleOutcome, summary: "Each rule has exactly one of serve, split and rollout.",
                        triggering: one(flag("default: false\nrules:\n  - when: { users: [ada] }\n    serve: true\n    rollout: 10")),
                        nonTriggering: one(flag("default: false\nrules:\n  - when: { users: [ada] }\n    serve: true"))),
        RuleDescription(id: .unknownSegment, summary: "Referenced segments exist.",
                        triggering: one(flag("default: false\nrules:\n  - when: { segments: [staff] }\n    serve: true")),
                        nonTriggering: one(flag("default: false\nrules:\n  - when: { segments: [staff] }\n    serve: true") + "segments:\n  staff:\n    when: { groups: [staff] }\n")),
        RuleDescription(id: .segmentCycle, summary: "Segments do not reference each other in a cycle.",
                        triggering: one("segments:\n  a:\n    when: { segments: [b] }\n  b:\n    when: { segments: [a] }\n"),
                        nonTriggering: one("segments:\n  a:\n    when: { segments: [b] }\n  b:\n    when: { groups: [staff] }\n")),
        RuleDescription(id: .segmentDepth, summary: "Segments nest at most 16 levels deep.",
                        triggering: one(chainedSegments(17)),
                        nonTriggering: one(chainedSegments(16))),
        RuleDescription(id: .snapshotSize, summary: "With segments inlined, the snapshot stays within half of the 256 MiB the runtime loads.",
                        triggering: one(segmentLattice(width: 8, levels: 10)),
                        nonTriggering: one(segmentLattice(width: 2, levels: 4))),
        RuleDescription(id: .unknownEnvironment, summary: "Environment names are among flagc.yaml's environments, when it lists them.",
                        triggering: ["flags/flagc.yaml": "environments: [development, staging, production]\n", "flags/demo.yaml": flag("default: false\nrules:\n  - when: { environments: [prod] }\n    serve: true")],
                        nonTriggering: ["flags/flagc.yaml": "environments: [development, staging, production]\n", "flags/demo.yaml": flag("default: false\nrules:\n  - when: { environments: [production] }\n    serve: true")]),
        RuleDescription(id: .matcherType, summary: "Matcher operands have the type their operator compares.",
                        triggering: one(flag("default: false\nrules:\n  - when: { attributes: { seats: { gte: many } } }\n    serve: true")),
                        nonTriggering: one(flag("default: false\nrules:\n  - when: { attributes: { seats: { gte: 10 } } }\n    serve: true"))),
        RuleDescription(id: .invalidSemver, summary: "semver_* operands are semantic versions.",
                        triggering: one(flag("default: false\nrules:\n  - when: { attributes: { app_version: { semver_gte: \"2.4\" } } }\n    serve: true")),
                        nonTriggering: one(flag("default: false\nrules:\n  - when: { attributes: { app_version: { semver_gte: 2.4.0 } } }\n    serve: true"))),
        RuleDescription(id: .reservedAttribute, summary: "Reserved context names are not used as attributes.",
                        triggering: one(flag("default: false\nrules:\n  - when: { attributes: { environment: [staging] } }\n    serve: true")),
                        nonTriggering: one(flag("default: false\nrules:\n  - when: { environments: [staging] }\n    serve: true"))),
        RuleDescription(id: .invalidTimestamp, summary: "Timestamps are RFC 3339 and dates are YYYY-MM-DD.",
                        triggering: one(flag("default: false\nrules:\n  - until: 2026-12-31\n    serve: true")),
                        nonTriggering: one(flag("default: false\nrules:\n  - until: 2026-12-31T00:00:00Z\n    serve: true"))),
        RuleDescription(id: .windowOrder, summary: "from is before until.",
                        triggering: one(flag("default: false\nrules:\n  - from: 2026-12-31T00:00:00Z\n    until: 2026-12-01T00:00:00Z\n    serve: true")),
                        nonTriggering: one(flag("default: false\nrules:\n  - from: 2026-12-01T00:00:00Z\n    until: 2026-12-31T00:00:00Z\n    serve: true"))),
        RuleDescription(id: .windowPassed, summary: "A rule whose window has entirely passed is dead (warning).",
                        triggering: one(flag("default: false\nrules:\n  - until: 2026-01-01T00:00:00Z\n    serve: true")),
                        nonTriggering: one(flag("default: false\nrules:\n  - until: 2027-01-01T00:00:00Z\n    serve: true"))),
        RuleDescription(id: .flagExpired, summary: "A flag past its expires date is stale (warning).",
                        triggering: one(flag("expires: 2026-05-31\ndefault: false")),
                        nonTriggering: one(flag("expires: 2026-06-01\ndefault: false"))),
        RuleDescription(id: .unreachableRule, summary: "No rule follows one that always matches (warning).",
                        triggering: one(flag("default: false\nrules:\n  - serve: true\n  - when: { users: [ada] }\n    serve: false")),
                        nonTriggering: one(flag("default: false\nrules:\n  - when: { users: [ada] }\n    serve: false\n  - serve: true"))),
    ].sorted { $0.id < $1.id }
}
