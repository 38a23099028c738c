@testable import FlagRuntime
import Testing

/// The JSON form of snapshots: canonical bytes, a faithful round trip, and a content id that ignores the revision.
@Suite struct SnapshotJSONTests {
    /// A snapshot using every construct of the model.
    static let everything: Snapshot = {
        let conditions: [Condition] = [
            .environment(["staging", "production"]),
            .attribute(name: Condition.targetingKey, op: .in, operand: .strings(["ada", "grace"])),
            .attribute(name: "tenant", op: .notIn, operand: .strings(["initech"])),
            .attribute(name: "groups", op: .intersects, operand: .strings(["beta"])),
            .attribute(name: "seats", op: .gte, operand: .number(10)),
            .attribute(name: "ratio", op: .lt, operand: .number(0.25)),
            .attribute(name: "score", op: .in, operand: .numbers([1, 2.5])),
            .attribute(name: "email", op: .endsWith, operand: .string("@example.com")),
            .attribute(name: "verified", op: .eq, operand: .boolean(true)),
            .attribute(name: "signed_up", op: .before, operand: .timestamp(1_767_225_600)),
            .attribute(name: "app_version", op: .semverGte, operand: .string("2.4.0")),
            .attribute(name: "beta", op: .exists, operand: .boolean(false)),
            .segments([
                ResolvedSegment(name: "staff", conditions: [.attribute(name: "email", op: .endsWith, operand: .string("@example.com"))]),
                ResolvedSegment(name: "nested", conditions: [.segments([ResolvedSegment(name: "inner", conditions: [.environment(["dev"])])])]),
            ]),
        ]
        let flags = [
            Flag(
                key: "ui.button_color", type: .string, enabled: false,
                variants: [Variant(name: "blue", value: .string("#00f")), Variant(name: "green", value: .string("#0f0"))],
                defaultVariant: "blue",
                rules: [
                    Rule(name: "staff", from: 1_700_000_000, until: 1_800_000_000, conditions: conditions, outcome: .serve(variant: "green")),
                    Rule(outcome: .split(Split(seed: "exp", bucketBy: "tenant", buckets: [.init(variant: "blue", weight: 3333), .init(variant: "green", weight: 6667)]))),
                ],
                metadata: FlagMetadata(description: "Colour \"quoted\"\nline", owner: "team-ui", expires: 1_830_000_000, values: ["ticket": .string("UI-1"), "priority": .integer(2), "reviewed": .bool(true)])
            ),
            Flag(key: "auth.two_factor.enabled", type: .boolean, variants: [Variant(name: "true", value: .boolean(true)), Variant(name: "false", value: .boolean(false))], defaultVariant: "false"),
            Flag(key: "api.limit", type: .integer, variants: [Variant(name: "low", value: .integer(-9_223_372_036_854_775_807)), Variant(name: "high", value: .integer(1000))], defaultVariant: "low"),
            Flag(key: "api.ratio", type: .number, variants: [Variant(name: "a", value: .number(0.1)), Variant(name: "b", value: .number(3))], defaultVariant: "b"),
            Flag(key: "ui.layout", type: .object, variants: [Variant(name: "grid", value: .object(["columns": .integer(3), "nested": .object(["é": .array([.null, .double(1e-7)])])]))], defaultVariant: "grid"),
        ]
        return Snapshot(revision: "abc123", flags: flags)
    }()

    /// The snapshot is written straight from the model; rewriting what it wrote from a parsed tree gives the same
    /// bytes, so the output is the canonical form of its own content.
    @Test func directEncodingIsCanonical() throws {
        var environmentSpecific = SnapshotJSONTests.everything
        environmentSpecific.environment = "production"
        environmentSpecific.environments = ["staging", "production"]
        environmentSpecific.revision = nil
        for snapshot in [SnapshotJSONTests.everything, environmentSpecific] {
            let bytes = snapshot.jsonBytes()
            #expect(bytes == JSONWriter(style: .pretty).bytes(try JSONValue(parsing: bytes)))
        }
    }

    @Test func contentIDIsTheHashOfCanonicalFlags() throws {
        for snapshot in [SnapshotJSONTests.everything, Snapshot(environment: "production", environments: ["production"], flags: SnapshotJSONTests.everything.flags)] {
            guard case .object(var document) = try JSONValue(parsing: snapshot.jsonBytes()) else { Issue.record("not an object"); return }
            for key in ["formatVersion", "id", "revision"] { document[key] = nil }
            #expect(snapshot.id == SHA256.hexDigest(JSONWriter(style: .compact).bytes(.object(document))))
        }
        let snapshot = SnapshotJSONTests.everything
        #expect(snapshot.id.count == 64)
        #expect(Snapshot(environment: "production", flags: snapshot.flags).id != snapshot.id)
        #expect(Snapshot(environments: ["production"], flags: snapshot.flags).id != snapshot.id)
    }

    @Test func roundTripThroughJSON() throws {
        let snapshot = SnapshotJSONTests.everything
        let decoded = try Snapshot(jsonBytes: snapshot.jsonBytes())
        #expect(decoded == snapshot)
        #expect(decoded.jsonBytes() == snapshot.jsonBytes())
    }

    @Test(arguments: [
        (#"{"formatVersion": 2, "id": "x", "flags": {}}"#, "formatVersion"),
        (#"{"formatVersion": 1, "flags": {}}"#, "id"),
        (#"{"formatVersion": 1, "id": "x", "flags": {"a.b": {"type": "colour"}}}"#, "flags.a.b.type"),
        (#"{"formatVersion": 1, "id": "x", "flags": {"a.b": {"type": "boolean", "enabled": true, "variants": [{"name": "on", "value": 1}], "defaultVariant": "on", "rules": [], "metadata": {}}}}"#, "flags.a.b.variants[0].value"),
        (#"{"formatVersion": 1, "id": "x", "flags": {"a.b": {"type": "boolean", "enabled": true, "variants": [{"name": "on", "value": true}], "defaultVariant": "off", "rules": [], "metadata": {}}}}"#, "flags.a.b.defaultVariant"),
        (#"{"formatVersion": 1, "id": "x", "flags": {"a.b": {"type": "boolean", "enabled": true, "variants": [{"name": "on", "value": true}], "defaultVariant": "on", "rules": [{"conditions": [], "split": {"seed": "s", "bucketBy": "targetingKey", "buckets": [{"variant": "on", "weight": 9999}]}}], "metadata": {}}}}"#, "flags.a.b.rules[0].split.buckets"),
        (#"{"formatVersion": 1, "id": "x", "flags": {"a.b": {"type": "boolean", "enabled": true, "variants": [{"name": "on", "value": true}], "defaultVariant": "on", "rules": [{"conditions": [{"attribute": "x", "op": "like", "value": "y"}], "serve": "on"}], "metadata": {}}}}"#, "flags.a.b.rules[0].conditions[0].op"),
        (#"{"formatVersion": 1, "id": "x", "flags": [}"#, ""),
    ])
    func malformedSnapshotsNameThePath(json: String, path: String) {
        #expect(throws: SnapshotDecodingError.self) { try Snapshot(jsonBytes: Array(json.utf8)) }
        do {
            _ = try Snapshot(jsonBytes: Array(json.utf8))
        } catch {
            #expect(error.path == path, "\(error)")
        }
    }
}
