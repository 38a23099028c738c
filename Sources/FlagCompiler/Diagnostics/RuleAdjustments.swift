import FlagRuntime

/// What a team may make of a rule in `flagc.yaml` (`rules: { flag-expired: error, window-passed: off }`).
public enum RuleLevel: String, Sendable, Hashable, CaseIterable {
    /// Fails validation and blocks the snapshot.
    case error
    /// Reported; fails only with `--strict` or `--fail-on warning`.
    case warning
    /// Not reported at all.
    case off
}

extension RuleID {
    /// The errors about the project's own conventions, by id: naming, required fields, known owners.
    static let adjustableErrors: Set<String> = ["key-naming", "missing-metadata", "owner-unknown"]

    /// The rules a team may raise, lower or turn off (in `flagc.yaml`'s `rules:`) and ignore (with
    /// `# flagc:ignore`): every warning, and the errors about the project's own conventions. The other errors make
    /// a snapshot wrong (or impossible), so they cannot be changed.
    public var isAdjustable: Bool {
        defaultSeverity == .warning || RuleID.adjustableErrors.contains(rawValue)
    }
}

extension DiagnosticCollector {
    /// Applies the team's choices: `levels` from `flagc.yaml` (a rule turned `off` is dropped, the others take the
    /// level given) and `ignores` by file (a diagnostic of an ignored rule on the lines a comment covers moves to
    /// `ignored`). Only adjustable rules are affected; the config and the comments reject the others.
    mutating func adjust(levels: [RuleID: RuleLevel], ignores: [String: [IgnoreComment]]) {
        guard !levels.isEmpty || !ignores.isEmpty else { return }
        var kept: [Diagnostic] = []
        for diagnostic in diagnostics {
            guard diagnostic.rule.isAdjustable else {
                kept.append(diagnostic)
                continue
            }
            if let location = diagnostic.location,
               let comment = ignores[diagnostic.file]?.first(where: { $0.rules.contains(diagnostic.rule) && $0.lines.contains(location.line) }) {
                ignored.append(IgnoredDiagnostic(diagnostic: diagnostic, reason: comment.reason, comment: comment.location))
                continue
            }
            switch levels[diagnostic.rule] {
            case .off?: continue
            case .error?: var raised = diagnostic; raised.severity = .error; kept.append(raised)
            case .warning?: var lowered = diagnostic; lowered.severity = .warning; kept.append(lowered)
            case nil: kept.append(diagnostic)
            }
        }
        diagnostics = kept
        suppressed.adjust(levels: levels)
    }
}
