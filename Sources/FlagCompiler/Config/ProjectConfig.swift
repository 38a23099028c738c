/// The project conventions from `flagc.yaml` (every field optional).
///
/// ```yaml
/// naming:
///   pattern: '^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*){1,2}$'
///   example: billing.invoice_auto_generate
/// require: [description, owner]
/// environments: [development, staging, production]
/// symlinks: inside        # or follow: symbolic links may lead outside the flag folder
/// refs:
///   patterns: ["Flags.{camel}", "FLAG_{UPPER}"]   # extra names `flagc refs` looks for
/// stale:
///   lifetimes: { release: 40, operational: 7, kill_switch: never }   # days, per flag `type`
///   settled-days: 14
/// owners: [team-billing, "@acme/team-web"]        # or { from: CODEOWNERS }: the owners flags may name
/// ```
public struct ProjectConfig: Sendable {
    /// The file name of the project config inside a flags folder.
    public static let fileName = "flagc.yaml"
    /// The default naming pattern: `{module}.{feature}[.{action}]`, lowercase snake_case segments.
    public static let defaultNamingPattern = #"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*){1,2}$"#
    /// The flag fields that `require` may list.
    public static let requirableFields = ["description", "owner", "expires", "metadata"]

    /// The regular expression every flag key must match.
    public private(set) var namingPattern: String
    /// A key that matches the pattern, shown in messages.
    public var namingExample: String
    /// Flag fields every flag must have.
    public var required: [String]
    /// When non-empty, the only environment names allowed anywhere.
    public var environments: [String]
    /// Whether symbolic links in a flag folder may lead outside it (`symlinks: follow`; default `inside`).
    public var followsOutsideLinks: Bool
    /// Extra templates `flagc refs` looks for besides each key and its camelCase accessor name
    /// (`refs.patterns`; see `ReferencePattern`).
    public var referencePatterns: [ReferencePattern]
    /// The levels the team gives adjustable rules (`rules:`, for example `flag-expired: error`,
    /// `window-passed: off`); rules not listed keep their default severity.
    public var ruleLevels: [RuleID: RuleLevel] = [:]
    /// What `flagc stale` counts as stale (`stale:`): lifetimes per flag type, and the days to settle.
    public var stale: StaleSettings
    /// Where the config came from, when it was read from a file.
    public var path: String?
    /// The owners a flag's `owner` may name (`owners`); nil when `owners` is not set, so any owner is accepted.
    package var knownOwners: KnownOwners?
    /// `owners: { from: … }`: the CODEOWNERS file the compiler reads `knownOwners` from (`KnownOwners.read`).
    var ownersFile: Located<String>?

    private(set) var keyPattern: KeyPattern

    /// The defaults, used when a folder has no `flagc.yaml`.
    public init() {
        self.namingPattern = ProjectConfig.defaultNamingPattern
        self.namingExample = "billing.invoice_auto_generate"
        self.required = ["description", "owner"]
        self.environments = []
        self.followsOutsideLinks = false
        self.referencePatterns = []
        self.stale = StaleSettings()
        self.keyPattern = KeyPattern(ProjectConfig.defaultNamingPattern)!
    }

    /// Replaces the naming pattern; returns false when it is not a valid regular expression.
    mutating func setNamingPattern(_ pattern: String) -> Bool {
        guard let compiled = KeyPattern(pattern) else { return false }
        namingPattern = pattern
        keyPattern = compiled
        return true
    }

    /// Whether a flag key follows the naming convention.
    public func keyFollowsConvention(_ key: String) -> Bool {
        keyPattern.matches(key)
    }
}

extension ProjectConfig {
    /// Decodes `flagc.yaml`, reporting every problem.
    static func decode(_ bytes: [UInt8], path: String, limits: InputLimits) -> (ProjectConfig, DiagnosticCollector) {
        var diagnostics = FileDiagnostics(file: path)
        var config = ProjectConfig()
        config.path = path
        guard let root = YAMLParser(limits: limits).parse(bytes, diagnostics: &diagnostics) else {
            return (config, diagnostics.collector)
        }
        guard let fields = diagnostics.fields(of: root, allowed: ["naming", "require", "environments", "symlinks", "refs", "stale", "owners", "rules"], in: "flagc.yaml") else {
            return (config, diagnostics.collector)
        }
        if let naming = fields["naming"], let namingFields = diagnostics.fields(of: naming.value, allowed: ["pattern", "example"], in: "'naming'") {
            if let pattern = namingFields["pattern"], let text = diagnostics.text(pattern.value, "'naming.pattern'") {
                if !config.setNamingPattern(text) {
                    diagnostics.report(.configInvalid, at: pattern.value.location, "'naming.pattern' is not a valid regular expression; fix the pattern")
                }
            }
            if let example = namingFields["example"], let text = diagnostics.text(example.value, "'naming.example'") {
                config.namingExample = text
                if !config.keyFollowsConvention(text) {
                    diagnostics.report(.configInvalid, at: example.value.location, "'naming.example' (\(text)) does not match 'naming.pattern' (\(config.namingPattern)); fix one of them")
                }
            } else if namingFields["pattern"] != nil, !config.keyFollowsConvention(config.namingExample) {
                diagnostics.report(.configInvalid, at: naming.value.location, "'naming' sets a pattern but no example that matches it; add 'example:' with a key that follows the pattern")
            }
        }
        if let require = fields["require"], let items = diagnostics.list(require.value, "'require'", allowEmpty: true) {
            config.required = []
            for item in items {
                guard let field = diagnostics.name(item, "an entry of 'require'") else { continue }
                if ProjectConfig.requirableFields.contains(field) {
                    config.required.append(field)
                } else {
                    diagnostics.report(.configInvalid, at: item.location, "'\(field)' cannot be required\(Suggestions.didYouMean(field, in: ProjectConfig.requirableFields)); 'require' takes \(ProjectConfig.requirableFields.joined(separator: ", "))")
                }
            }
        }
        if let environments = fields["environments"], let names = diagnostics.list(environments.value, "'environments'", allowEmpty: true) {
            config.environments = names.compactMap { diagnostics.name($0, "an entry of 'environments'") }
        }
        if let symlinks = fields["symlinks"], let text = diagnostics.text(symlinks.value, "'symlinks'") {
            switch text {
            case "inside": config.followsOutsideLinks = false
            case "follow": config.followsOutsideLinks = true
            default:
                diagnostics.report(.configInvalid, at: symlinks.value.location, "'symlinks' is '\(text)'; write 'inside' (links must stay inside the flag folder, the default) or 'follow' (links may lead anywhere)")
            }
        }
        if let refs = fields["refs"], let refsFields = diagnostics.fields(of: refs.value, allowed: ["patterns"], in: "'refs'"),
           let patterns = refsFields["patterns"], let items = diagnostics.list(patterns.value, "'refs.patterns'", allowEmpty: true) {
            for item in items {
                guard let text = diagnostics.text(item, "an entry of 'refs.patterns'") else { continue }
                switch ReferencePattern.parse(text) {
                case .success(let pattern): config.referencePatterns.append(pattern)
                case .failure(let problem): diagnostics.report(.configInvalid, at: item.location, "'refs.patterns' entry '\(text)' \(problem.description)")
                }
            }
        }
        if let stale = fields["stale"] { config.stale = decodeStale(stale.value, into: &diagnostics) }
        if let rules = fields["rules"] { config.ruleLevels = decodeRuleLevels(rules.value, into: &diagnostics) }
        if let owners = fields["owners"] {
            config.decodeOwners(owners.value, diagnostics: &diagnostics)
        }
        return (config, diagnostics.collector)
    }

    /// `owners`: a list of owners, or `{ from: CODEOWNERS }` / `{ from: path }` (read later, by the compiler).
    private mutating func decodeOwners(_ node: YAMLNode, diagnostics: inout FileDiagnostics) {
        let forms = "write a list of owners ([team-billing, \"@acme/team-web\"]) or { from: CODEOWNERS }"
        if node.sequence != nil {
            guard let items = diagnostics.list(node, "'owners'") else { return }
            var entries: [String] = []
            for item in items {
                guard let entry = diagnostics.name(item, "an entry of 'owners'") else { continue }
                if KnownOwners.isValidEntry(entry) {
                    entries.append(entry)
                } else {
                    diagnostics.report(.configInvalid, at: item.location, "'owners' entry '\(entry)' is not an owner; write a name as flags write it (team-billing), @user, @org/team or an email address")
                }
            }
            knownOwners = KnownOwners(entries: entries, source: path ?? ProjectConfig.fileName, isCodeOwners: false)
        } else if node.mapping != nil {
            guard let ownerFields = diagnostics.fields(of: node, allowed: ["from"], in: "'owners'") else { return }
            guard let from = ownerFields["from"] else {
                diagnostics.report(.configInvalid, at: node.location, "'owners' is a mapping without 'from'; \(forms)")
                return
            }
            if let text = diagnostics.text(from.value, "'owners.from'") {
                ownersFile = Located(value: text, location: from.value.location)
            }
        } else {
            diagnostics.report(.configInvalid, at: node.location, "'owners' must be a list or a mapping, not \(node.kindDescription); \(forms)")
        }
    }
}

extension ProjectConfig {
    /// Decodes the `stale:` section: `lifetimes` (days or `never` per flag type) and `settled-days`.
    private static func decodeStale(_ node: YAMLNode, into diagnostics: inout FileDiagnostics) -> StaleSettings {
        var settings = StaleSettings()
        guard let fields = diagnostics.fields(of: node, allowed: ["lifetimes", "settled-days"], in: "'stale'") else { return settings }
        if let lifetimes = fields["lifetimes"] {
            if let pairs = lifetimes.value.mapping {
                let types = FlagKind.allCases.map(\.rawValue)
                for pair in pairs {
                    guard let kind = FlagKind(rawValue: pair.name) else {
                        diagnostics.report(.configInvalid, at: pair.key.location, "'stale.lifetimes' names no flag type '\(pair.name)'\(Suggestions.didYouMean(pair.name, in: types)); the types are \(types.joined(separator: ", "))")
                        continue
                    }
                    if let scalar = pair.value.scalar, case .string("never") = scalar.resolved {
                        settings.lifetimes[kind] = .some(nil)
                    } else if let days = days(pair.value, "'stale.lifetimes.\(pair.name)'", orNever: true, into: &diagnostics) {
                        settings.lifetimes[kind] = days
                    }
                }
            } else {
                diagnostics.report(.wrongType, at: lifetimes.value.location, "'stale.lifetimes' must be a mapping from flag types to days (or 'never'), not \(lifetimes.value.kindDescription)")
            }
        }
        if let settled = fields["settled-days"], let days = days(settled.value, "'stale.settled-days'", orNever: false, into: &diagnostics) {
            settings.settledDays = days
        }
        return settings
    }

    /// Decodes `rules:`: a mapping from rule ids to `error`, `warning` or `off`, for adjustable rules only.
    private static func decodeRuleLevels(_ node: YAMLNode, into diagnostics: inout FileDiagnostics) -> [RuleID: RuleLevel] {
        guard let pairs = node.mapping else {
            diagnostics.report(.wrongType, at: node.location, "'rules' must be a mapping from rule ids to error, warning or off, such as { flag-expired: error }, not \(node.kindDescription)")
            return [:]
        }
        var levels: [RuleID: RuleLevel] = [:]
        for pair in pairs {
            guard let rule = RuleID(rawValue: pair.name) else {
                diagnostics.report(.configInvalid, at: pair.key.location, "'rules' names no rule '\(pair.name)'\(Suggestions.didYouMean(pair.name, in: RuleID.allCases.map(\.rawValue))); flagc rules lists them")
                continue
            }
            guard rule.isAdjustable else {
                diagnostics.report(.configInvalid, at: pair.key.location, "'\(pair.name)' cannot be changed in 'rules': its errors make the snapshot wrong; the rules a team may change are the warnings and \(RuleID.allCases.filter { $0.isAdjustable && $0.defaultSeverity == .error }.map(\.rawValue).joined(separator: ", "))")
                continue
            }
            // `off` is a YAML 1.1 boolean, so it is read from the plain text: `window-passed: off` must not need quotes.
            let text = pair.value.scalar?.value ?? ""
            guard let level = RuleLevel(rawValue: text) else {
                diagnostics.report(.configInvalid, at: pair.value.location, "'rules.\(pair.name)' is '\(text)'; write error, warning or off")
                continue
            }
            levels[rule] = level
        }
        return levels
    }

    /// A whole number of days from 1 to 36,500; nil (reported) otherwise.
    private static func days(_ node: YAMLNode, _ what: String, orNever: Bool, into diagnostics: inout FileDiagnostics) -> Int? {
        let alternative = orNever ? ", or 'never'" : ""
        if orNever, let scalar = node.scalar, case .string(let text) = scalar.resolved {
            diagnostics.report(.configInvalid, at: node.location, "\(what) is '\(text)'; write a number of days, or 'never'")
            return nil
        }
        guard let number = diagnostics.number(node, what) else { return nil }
        guard number.rounded() == number, (1...36_500).contains(number) else {
            let shown = number.rounded() == number && abs(number) < 1e15 ? String(Int(number)) : String(number)
            diagnostics.report(.configInvalid, at: node.location, "\(what) is \(shown); write a whole number of days from 1 to 36500\(alternative)")
            return nil
        }
        return Int(number)
    }
}
