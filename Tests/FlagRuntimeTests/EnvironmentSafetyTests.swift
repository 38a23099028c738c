@testable import FlagRuntime
import Foundation
import Testing

/// A snapshot carries the environments the project declares, and a store refuses any other environment (a typo
/// such as `prod` used to turn every environment rule off, silently), and any but the one a `--env` snapshot was
/// compiled for.
@Suite struct EnvironmentSafetyTests {
    static let declared = ["development", "staging", "production"]

    static func snapshot(environment: String? = nil, environments: [String]? = declared) -> Snapshot {
        let booleans = [Variant(name: "true", value: .boolean(true)), Variant(name: "false", value: .boolean(false))]
        let rules = environment == nil ? [Rule(conditions: [.environment(["staging"])], outcome: .serve(variant: "true"))] : []
        return Snapshot(environment: environment, environments: environments, flags: [
            Flag(key: "demo.staging", type: .boolean, variants: booleans, defaultVariant: "false", rules: rules),
        ])
    }

    /// Writes `snapshot` in both forms into a new folder and returns their paths.
    static func files(_ snapshot: Snapshot) throws -> [String] {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("environment-safety-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try Data(snapshot.jsonBytes()).write(to: URL(fileURLWithPath: folder + "/snapshot.json"))
        try Data(snapshot.binaryBytes()).write(to: URL(fileURLWithPath: folder + "/snapshot.bin"))
        return [folder + "/snapshot.json", folder + "/snapshot.bin"]
    }

    @Test func anUndeclaredEnvironmentIsRefusedNamingTheDeclaredOnes() throws {
        for path in try Self.files(Self.snapshot()) {
            do {
                _ = try FlagStore(contentsOfFile: path, environment: "prod")
                Issue.record("\(path) was served in 'prod'")
            } catch {
                #expect(error.description == "cannot load \(path): environment 'prod' is not one of the snapshot's environments: development, staging, production")
            }
            let store = try FlagStore(contentsOfFile: path, environment: "staging")
            #expect(store.boolean("demo.staging", default: false))
            #expect(store.snapshot.environments == Self.declared, "both forms carry the list, in declaration order")
        }
        #expect(throws: SnapshotLoadError(path: "", reason: "environment 'Staging' is not one of the snapshot's environments: development, staging, production")) {
            try FlagStore(snapshot: Self.snapshot(), environment: "Staging")
        }
    }

    @Test func aSnapshotCompiledForOneEnvironmentIsRefusedInAnother() throws {
        let production = Self.snapshot(environment: "production")
        for path in try Self.files(production) {
            #expect(throws: SnapshotLoadError.self) { try FlagStore(contentsOfFile: path, environment: "staging") }
            #expect(try FlagStore(contentsOfFile: path).environment == "production")
            #expect(try FlagStore(contentsOfFile: path, environment: "production").environment == "production")
        }
        do {
            _ = try FlagStore(snapshot: production, environment: "staging")
            Issue.record("served in staging")
        } catch {
            #expect(error.reason.contains("compiled for environment 'production'"), "\(error)")
        }
    }

    @Test func withoutDeclaredEnvironmentsAnyNameIsAccepted() throws {
        let store = try FlagStore(snapshot: Self.snapshot(environments: nil), environment: "anything")
        #expect(store.environment == "anything")
        #expect(try FlagStore(snapshot: Self.snapshot(), environment: nil).environment == nil, "no environment: nothing to refuse")
    }

    @Test func aReplacementThatDropsTheStoresEnvironmentIsRefusedAndTheOldSnapshotStays() throws {
        let store = try FlagStore(snapshot: Self.snapshot(), environment: "staging")
        let servedID = store.snapshot.id
        let withoutStaging = Self.snapshot(environments: ["development", "production"])
        #expect(throws: SnapshotLoadError.self) { try store.replace(with: withoutStaging) }
        let path = try Self.files(withoutStaging)[1]
        #expect(throws: SnapshotLoadError.self) { try store.replace(contentsOfFile: path) }
        #expect(store.snapshot.id == servedID)
        #expect(store.boolean("demo.staging", default: false))
    }

    @Test func invalidSnapshotsGivenInCodeAreRefused() {
        var typo = Self.snapshot()
        typo.flags[0].rules[0].outcome = .serve(variant: "ture")
        typo.id = typo.contentID
        #expect(throws: SnapshotLoadError(path: "", reason: "flags.demo.staging.rules[0].serve: 'ture' names no variant of the flag")) {
            try FlagStore(snapshot: typo)
        }
        let store = try? FlagStore(snapshot: Self.snapshot())
        #expect(throws: SnapshotLoadError.self) { try store?.replace(with: typo) }
        var listedTwice = Self.snapshot()
        listedTwice.environments = ["staging", "staging"]
        #expect(throws: SnapshotLoadError.self) { try FlagStore(snapshot: listedTwice) }
        #expect(throws: SnapshotEncodingError.self) { try listedTwice.binaryBytes() }
    }

    @Test func theDeclaredEnvironmentsArePartOfTheID() {
        #expect(Self.snapshot().id != Self.snapshot(environments: nil).id)
        #expect(Self.snapshot().id != Self.snapshot(environments: ["staging", "development", "production"]).id)
    }
}
