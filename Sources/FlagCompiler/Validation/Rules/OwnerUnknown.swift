/// `owner-unknown`: with `owners` in flagc.yaml, every flag's `owner` names a known owner, so a typo cannot send
/// reviews and questions to nobody.
enum OwnerUnknown: ProjectRule {
    static let description = RuleDescription(
        id: .ownerUnknown, summary: "With owners in flagc.yaml (a list, or from: CODEOWNERS), every flag's owner is a known owner (with a did-you-mean).",
        checkedIn: ["Validation/Rules/OwnerUnknown.swift"],
        triggering: ["flags/flagc.yaml": "owners: [team-billing, team-dmeo]\n", "flags/demo.yaml": .text(flag("default: false"))],
        nonTriggering: ["flags/flagc.yaml": "owners: [team-billing, \"@acme/team-demo\"]\n", "flags/demo.yaml": .text(flag("default: false"))]
    )

    /// Reports `flag` when its owner names none of the known owners.
    static func check(_ flag: SourceFlag, config: ProjectConfig, into diagnostics: inout DiagnosticCollector) {
        guard let known = config.knownOwners, let owner = flag.metadata.owner, let location = flag.ownerLocation, !known.contains(owner) else { return }
        let listing = known.isCodeOwners ? "an owner in \(known.source)" : "in 'owners' of \(known.source)"
        let fix = known.isCodeOwners ? "add a CODEOWNERS line that names it" : "add it to 'owners'"
        diagnostics.add(Diagnostic(
            .ownerUnknown, file: flag.file, at: location,
            "flag '\(flag.key.value)' has owner '\(owner)', which is not \(listing)\(known.didYouMean(owner)); fix the owner, or \(fix)"
        ))
    }
}
