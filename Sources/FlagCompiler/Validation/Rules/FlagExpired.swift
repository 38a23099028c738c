import FlagRuntime

/// `flag-expired` (warning): a flag past its `expires` date is stale and should be removed with the code that reads it.
enum FlagExpired: ProjectRule {
    static let description = RuleDescription(
        id: .flagExpired, summary: "A flag past its expires date is stale (warning).",
        checkedIn: ["Validation/Rules/FlagExpired.swift"],
        triggering: one(flag("expires: 2026-05-31\ndefault: false")),
        nonTriggering: one(flag("expires: 2026-06-01\ndefault: false"))
    )

    /// Reports `flag` when its `expires` is at or before `now` (Unix seconds).
    static func check(_ flag: SourceFlag, now: Int64, into diagnostics: inout DiagnosticCollector) {
        guard let expires = flag.metadata.expires, expires <= now, let location = flag.expiresLocation else { return }
        diagnostics.add(Diagnostic(
            .flagExpired, file: flag.file, at: location,
            "flag '\(flag.key.value)' expired \(describeExpiry(expires)); remove the flag and the code that reads it, or extend 'expires'"
        ))
    }

    /// `at the end of 2026-05-31` for a date (stale from the next midnight), else `at <timestamp>`.
    static func describeExpiry(_ instant: Int64) -> String {
        guard instant % 86_400 == 0 else { return "at \(Timestamp.format(instant))" }
        return "at the end of \(Timestamp.format(instant - 86_400).prefix(10))"
    }
}
