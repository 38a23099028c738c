import FlagRuntime

/// A 1-based position in a source file.
public struct SourceLocation: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The 1-based line.
    public var line: Int
    /// The 1-based column, counted in characters.
    public var column: Int

    /// Creates a location.
    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    /// Orders by line, then column.
    public static func < (lhs: SourceLocation, rhs: SourceLocation) -> Bool {
        (lhs.line, lhs.column) < (rhs.line, rhs.column)
    }

    /// `line:column`.
    public var description: String { "\(line):\(column)" }
}

/// How serious a diagnostic is.
public enum Severity: String, Sendable, Hashable, Comparable {
    /// Fails validation and blocks compilation.
    case error
    /// Reported; fails only with `--strict`.
    case warning

    /// Errors sort before warnings.
    public static func < (lhs: Severity, rhs: Severity) -> Bool {
        lhs == .error && rhs == .warning
    }
}

/// One problem found in the flag files: a rule id, a severity, where, and what to do.
///
/// A diagnostic is also an `Error`, so a stage can throw the one that stops it.
public struct Diagnostic: Error, Sendable, Hashable, CustomStringConvertible {
    /// The stable rule id, for example `key-naming` (see `flagc rules`).
    public var rule: RuleID
    /// Error or warning.
    public var severity: Severity
    /// The path of the file, as given on the command line.
    public var file: String
    /// Where in the file; `nil` for problems that concern a whole file.
    public var location: SourceLocation?
    /// What is wrong and what to do about it.
    public var message: String
    /// Other places that explain this one (for example the first definition of a duplicate).
    public var related: [Related]

    /// Another place that a diagnostic refers to.
    public struct Related: Sendable, Hashable {
        /// The file.
        public var file: String
        /// The place in it.
        public var location: SourceLocation
        /// What is there.
        public var message: String

        /// Creates a related place.
        public init(file: String, location: SourceLocation, message: String) {
            self.file = file
            self.location = location
            self.message = message
        }
    }

    /// Creates a diagnostic; the severity defaults to the rule's.
    public init(_ rule: RuleID, severity: Severity? = nil, file: String, at location: SourceLocation?, _ message: String, related: [Related] = []) {
        self.rule = rule
        self.severity = severity ?? rule.defaultSeverity
        self.file = file
        self.location = location
        self.message = message
        self.related = related
    }

    /// `file:line:col: severity[rule]: message`.
    public var description: String {
        let position = location.map { "\(file):\($0.line):\($0.column)" } ?? file
        return "\(position): \(severity.rawValue)[\(rule.rawValue)]: \(message)"
    }

    /// The order in which diagnostics are reported: file, line, column, then rule id and message.
    public static func reportingOrder(_ lhs: Diagnostic, _ rhs: Diagnostic) -> Bool {
        if lhs.file != rhs.file { return precedesByUTF8(lhs.file, rhs.file) }
        let left = lhs.location ?? SourceLocation(line: 0, column: 0)
        let right = rhs.location ?? SourceLocation(line: 0, column: 0)
        if left != right { return left < right }
        if lhs.rule != rhs.rule { return lhs.rule.rawValue < rhs.rule.rawValue }
        return lhs.message < rhs.message
    }
}

/// Diagnostics counted but not kept, because a file or the run reached its limit: how many, of which rules.
public struct SuppressedDiagnostics: Sendable, Hashable {
    /// How many were suppressed, per rule.
    public private(set) var countsByRule: [RuleID: Int] = [:]
    /// How many of each rule are errors.
    private var errorsByRule: [RuleID: Int] = [:]
    /// How many of them are errors.
    public private(set) var errors = 0
    /// How many of them are warnings.
    public private(set) var warnings = 0

    /// None suppressed.
    public init() {}

    /// How many were suppressed.
    public var count: Int { errors + warnings }

    /// Counts one more.
    mutating func add(_ diagnostic: Diagnostic) {
        countsByRule[diagnostic.rule, default: 0] += 1
        if diagnostic.severity == .error {
            errors += 1
            errorsByRule[diagnostic.rule, default: 0] += 1
        } else {
            warnings += 1
        }
    }

    /// Applies `flagc.yaml`'s rule levels to the counts, as `DiagnosticCollector.adjust` does to the diagnostics.
    mutating func adjust(levels: [RuleID: RuleLevel]) {
        for (rule, level) in levels where countsByRule[rule] != nil && rule.isAdjustable {
            let count = countsByRule[rule] ?? 0
            let ruleErrors = errorsByRule[rule] ?? 0
            errors -= ruleErrors
            warnings -= count - ruleErrors
            switch level {
            case .off:
                countsByRule[rule] = nil
                errorsByRule[rule] = nil
            case .error:
                errors += count
                errorsByRule[rule] = count
            case .warning:
                warnings += count
                errorsByRule[rule] = nil
            }
        }
    }

    /// Adds another set's counts.
    mutating func add(_ other: SuppressedDiagnostics) {
        for (rule, count) in other.countsByRule { countsByRule[rule, default: 0] += count }
        for (rule, count) in other.errorsByRule { errorsByRule[rule, default: 0] += count }
        errors += other.errors
        warnings += other.warnings
    }

    /// The rules, sorted by id.
    public var rules: [RuleID] { countsByRule.keys.sorted() }
}

/// Collects every diagnostic of a run, so that one run reports every problem; past `limit` diagnostics
/// it only counts them (`suppressed`), so that a hostile file cannot make a run's memory or output explode.
public struct DiagnosticCollector: Sendable {
    /// At most this many diagnostics of one file are kept.
    public static let perFileLimit = 200
    /// At most this many diagnostics of a run are kept.
    public static let perRunLimit = 2_000

    /// The diagnostics collected so far, in the order they were found.
    public internal(set) var diagnostics: [Diagnostic] = []
    /// The diagnostics that `# flagc:ignore` comments silenced, in the order found.
    public internal(set) var ignored: [IgnoredDiagnostic] = []
    /// The ones counted but not kept.
    public internal(set) var suppressed = SuppressedDiagnostics()
    /// How many diagnostics are kept; nil keeps all.
    public var limit: Int?

    /// Creates an empty collector.
    public init(limit: Int? = nil) {
        self.limit = limit
    }

    /// Adds a diagnostic (or counts it, past the limit).
    public mutating func add(_ diagnostic: Diagnostic) {
        if let limit, diagnostics.count >= limit {
            suppressed.add(diagnostic)
        } else {
            diagnostics.append(diagnostic)
        }
    }

    /// Adds several diagnostics.
    public mutating func add(contentsOf other: [Diagnostic]) {
        for diagnostic in other { add(diagnostic) }
    }

    /// Adds another collector's diagnostics, its ignored ones and its suppressed counts.
    public mutating func add(_ other: DiagnosticCollector) {
        add(contentsOf: other.diagnostics)
        ignored += other.ignored
        suppressed.add(other.suppressed)
    }

    /// Whether any error has been collected (suppressed ones included).
    public var hasErrors: Bool { suppressed.errors > 0 || diagnostics.contains { $0.severity == .error } }

    /// The diagnostics in reporting order, without exact repeats.
    public var sorted: [Diagnostic] {
        var seen = Set<Diagnostic>()
        return diagnostics.filter { seen.insert($0).inserted }.sorted(by: Diagnostic.reportingOrder)
    }
}

/// Reports diagnostics for one file: the file path is bound once.
struct FileDiagnostics {
    let file: String
    var collector = DiagnosticCollector(limit: DiagnosticCollector.perFileLimit)

    init(file: String) {
        self.file = file
    }

    /// Empty values followed by a comment on their line (`white: #ffffff`), by the location of the `#`, where the
    /// parser puts the value's node.
    var commentValues: [SourceLocation: CommentValue] = [:]

    /// An empty value whose line goes on with a comment: most likely a value starting with `#` left unquoted.
    struct CommentValue {
        /// The key whose value it is; nil for a list item.
        var key: String?
        /// The comment, from its `#`.
        var comment: String
        /// Whether the error was reported: further errors at the place add nothing.
        var reported = false

        var message: String {
            let fix = key.map { "\($0): \"\(comment)\"" } ?? "- \"\(comment)\""
            let what = key.map { "'\($0)' has no value" } ?? "this list item is empty"
            return "\(what): '#' after a space starts a comment in YAML, so '\(comment)' is not read; if it is the value, quote it (\(fix))"
        }
    }

    /// Reports a problem. An error about an empty value that a comment follows (the decoders report those as
    /// they find them, each in its own words) is reported once as `yaml-comment-value` instead, which names the cause.
    mutating func report(_ rule: RuleID, at location: SourceLocation?, _ message: String, related: [Diagnostic.Related] = []) {
        if let location, rule.defaultSeverity == .error, let value = commentValues[location] {
            guard !value.reported else { return }
            commentValues[location]?.reported = true
            collector.add(Diagnostic(.yamlCommentValue, file: file, at: location, value.message, related: related))
            return
        }
        collector.add(Diagnostic(rule, file: file, at: location, message, related: related))
    }
}
