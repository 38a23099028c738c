import Foundation

/// A flag history with fixed commit dates for the `flagc stale` tests: one flag settles at 100 %, one expires,
/// one outlives its type, a kill switch is turned off, a window closes.
///
/// | date | commit |
/// | --- | --- |
/// | 2026-01-01 | `app.checkout` (release, 50 %), `app.promotion` (experiment, expires 2026-02-28), `app.maintenance` (operational, false), `app.search` (kill switch, on), `app.pilot` (acme until 2026-02-01) |
/// | 2026-02-10 | `app.checkout` at 100 % |
/// | 2026-02-20 | `app.search` off; `other.flag` (10 %) in `flags/other.yaml` |
/// | 2026-03-01 | `app.checkout` gets a new description (nothing served changes) |
public enum StaleHistory {
    /// A flag with the fields every flag here has, then `body` (indented under the key).
    public static func flag(_ key: String, _ body: String) -> String {
        let indented = body.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n")
        return "  \(key):\n    description: A flag.\n    owner: team-a\n\(indented)\n"
    }

    /// A flag file holding `flags`.
    public static func file(_ flags: [String]) -> String { "flags:\n" + flags.joined() }

    /// The flags of the history, in their states.
    public static let rollingOut = flag("app.checkout", "type: release\ndefault: false\nrules:\n  - rollout: 50")
    public static let rolledOut = flag("app.checkout", "type: release\ndefault: false\nrules:\n  - rollout: 100")
    public static let promotion = flag("app.promotion", "type: experiment\nexpires: 2026-02-28\ndefault: false\nrules:\n  - rollout: 30")
    public static let maintenance = flag("app.maintenance", "type: operational\ndefault: false")
    public static let killOn = flag("app.search", "type: kill_switch\ndefault: true")
    public static let killOff = flag("app.search", "type: kill_switch\nenabled: false\ndefault: true")
    public static let pilot = flag("app.pilot", "default: false\nrules:\n  - when: { tenants: [acme] }\n    until: 2026-02-01T00:00:00Z\n    serve: true")

    /// The history the issue describes: one flag settles at 100 %, one expires, one outlives its type.
    public static func repository() throws -> GitRepository {
        let repository = try GitRepository()
        try repository.write("flags/app.yaml", file([rollingOut, promotion, maintenance, killOn, pilot]))
        try repository.commit("Add the app flags", date: "2026-01-01T09:00:00Z")
        try repository.write("flags/app.yaml", file([rolledOut, promotion, maintenance, killOn, pilot]))
        try repository.commit("Roll the checkout out to everyone", date: "2026-02-10T09:00:00Z")
        try repository.write("flags/app.yaml", file([rolledOut, promotion, maintenance, killOff, pilot]))
        try repository.write("flags/other.yaml", file([flag("other.flag", "default: false\nrules:\n  - rollout: 10")]))
        try repository.commit("Turn search off", date: "2026-02-20T09:00:00Z")
        // A new description changes nothing that is served: the checkout stays settled since 10 February.
        try repository.write("flags/app.yaml", file([rolledOut.replacingOccurrences(of: "A flag.", with: "The new checkout."), promotion, maintenance, killOff, pilot]))
        try repository.commit("Describe the checkout", date: "2026-03-01T09:00:00Z")
        return repository
    }
}
