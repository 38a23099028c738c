import FlagRuntime

extension Snapshot {
    /// A snapshot with one flag per value, each serving its value to everybody (reason `STATIC`), for
    /// application tests that need a store without flag files.
    ///
    /// A boolean flag has the variants `true` and `false`; any other flag one variant, `value`. The id is the
    /// content id, as `flagc compile` gives it, so the snapshot can be written to a file and loaded.
    public init(values: [String: FlagValue], revision: String? = nil) {
        let booleans = [Variant(name: "true", value: .boolean(true)), Variant(name: "false", value: .boolean(false))]
        let flags = values.map { key, value -> Flag in
            if case .boolean(let on) = value {
                return Flag(key: key, type: .boolean, variants: booleans, defaultVariant: on ? "true" : "false")
            }
            let type: FlagValueType = value.type == .integer ? .integer : value.type
            return Flag(key: key, type: type, variants: [Variant(name: "value", value: value)], defaultVariant: "value")
        }
        self.init(revision: revision, flags: flags)
    }
}

extension FlagStore {
    /// A store serving `values` (see `Snapshot(values:)`), for application tests:
    ///
    /// ```swift
    /// let store = FlagStore(values: ["ui.new_dashboard": true, "ui.theme": "dark", "api.rate_limit": 100])
    /// #expect(store.boolean("ui.new_dashboard", default: false))
    /// ```
    public convenience init(values: [String: FlagValue], environment: String? = nil, clock: any FlagClock = SystemClock()) {
        self.init(snapshot: Snapshot(values: values), provenance: nil, environment: environment, clock: clock,
                  signatureVerifier: nil, freshnessPolicy: SnapshotFreshnessPolicy())
    }
}
