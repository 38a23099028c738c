import FlagRuntime
import FlagRuntimeTesting
import Testing

/// `FlagRuntimeTesting`, as an application's tests use it.
@Suite struct TestingProductTests {
    @Test func aStoreFromPlainValuesServesThemToEverybody() {
        let store = FlagStore(values: ["ui.new_dashboard": true, "ui.theme": "dark", "api.rate_limit": 100, "ui.ratio": 0.25,
                                       "ui.layout": ["columns": 2, "dense": false, "tags": ["a", nil]]])
        #expect(store.boolean("ui.new_dashboard", default: false))
        #expect(store.string("ui.theme", default: "light") == "dark")
        #expect(store.integer("api.rate_limit", default: 0) == 100)
        #expect(store.number("ui.ratio", default: 0) == 0.25)
        #expect(store.object("ui.layout", default: [:]) == ["columns": 2, "dense": false, "tags": ["a", nil]])
        let details = store.stringDetails("ui.theme", default: "light", context: EvaluationContext(targetingKey: "u-1"))
        #expect(details.reason == .static && details.variant == "value")
        #expect(store.booleanDetails("ui.new_dashboard", default: false).variant == "true")
        #expect(store.stringDetails("api.rate_limit", default: "x").errorCode == .typeMismatch)
        #expect(store.booleanDetails("missing", default: false).errorCode == .flagNotFound)
    }

    @Test func storeOverridesReachOtherTasksAndTaskOverridesWin() async {
        let store = FlagStore(values: ["ui.new_dashboard": false, "ui.theme": "light"])
        store.override(["ui.new_dashboard": true])
        // A detached task does not inherit task-locals, like a server's request handler.
        let seenElsewhere = await Task.detached { store.booleanDetails("ui.new_dashboard", default: false) }.value
        #expect(seenElsewhere.value && seenElsewhere.reason == .override)
        await FlagOverrides.with(["ui.new_dashboard": false, "ui.theme": "dark"]) {
            #expect(!store.boolean("ui.new_dashboard", default: true), "the task's value wins over the store's")
            #expect(FlagOverrides.current["ui.theme"] == "dark")
            let elsewhere = await Task.detached { store.string("ui.theme", default: "") }.value
            #expect(elsewhere == "light", "task-local values stay in their task")
        }
        #expect(store.overrides == ["ui.new_dashboard": true])
        await store.withOverrides(["ui.theme": "dark"]) {
            #expect(await Task.detached { store.string("ui.theme", default: "") }.value == "dark")
        }
        #expect(store.string("ui.theme", default: "") == "light", "withOverrides restores the previous overrides")
        store.removeOverrides()
        #expect(!store.boolean("ui.new_dashboard", default: true))
        #expect(store.booleanDetails("ui.new_dashboard", default: true).reason == .static)
    }

    @Test func overridesAreScopedToTheirStore() {
        let one = FlagStore(values: ["f": false]), other = FlagStore(values: ["f": false])
        one.override(["f": true])
        #expect(one.boolean("f", default: false) && !other.boolean("f", default: true))
        one.override(["g": "x"])
        #expect(one.overrides == ["f": true, "g": "x"], "override adds to what is forced")
        #expect(one.stringDetails("f", default: "d").errorCode == .typeMismatch)
    }

    @Test func snapshotsFromValuesRoundTripThroughFiles() throws {
        let snapshot = Snapshot(values: ["a.flag": true, "b.limit": 5])
        #expect(try SnapshotLoader.load(bytes: snapshot.jsonBytes()) == snapshot)
        #expect(try SnapshotLoader.load(bytes: snapshot.binaryBytes()) == snapshot)
        let files = InMemorySnapshotFileSystem()
        try files.write(snapshot, to: "/flags/snapshot.bin")
        let first = try #require(files.identity(ofFileAt: "/flags/snapshot.bin"))
        #expect(try SnapshotLoader.load(bytes: files.contents(ofFileAt: "/flags/snapshot.bin", limit: 1 << 20).bytes) == snapshot)
        try files.write(snapshot, to: "/flags/snapshot.bin")
        #expect(files.identity(ofFileAt: "/flags/snapshot.bin") != first, "a write is a new version")
        #expect(throws: SnapshotLoadError.self) { try files.contents(ofFileAt: "/flags/snapshot.bin", limit: 10) }
        files.removeFile(at: "/flags/snapshot.bin")
        #expect(files.identity(ofFileAt: "/flags/snapshot.bin") == nil)
    }
}
