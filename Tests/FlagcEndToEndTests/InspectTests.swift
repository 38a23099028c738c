import FlagRuntime
import FlagRuntimeTesting
import Foundation
import Testing

/// End-to-end tests of the binary snapshot through the real binary: `flagc compile` writes `snapshot.bin` beside
/// `snapshot.json` (same id, equal snapshots), `flagc keygen` and `--signing-key` sign it, and `flagc inspect`
/// describes either form, verifies signatures and prints the canonical JSON.
@Suite("flagc inspect and snapshot.bin")
struct InspectTests {
    /// The repository's own `flags/` folder.
    static let repositoryFlags = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("flags").path
    /// The conformance suites' flag folders, which together use every construct of the format.
    static let conformanceSuites = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Conformance/Suites")

    /// Both files of a compiled folder, decoded and checked by the runtime loader.
    static func loadBoth(_ sandbox: Sandbox, _ folder: String) throws -> (binary: LoadedSnapshot, json: LoadedSnapshot) {
        let binary = try SnapshotLoader.read(contentsOfFile: sandbox.url("\(folder)/snapshot.bin").path)
        let json = try SnapshotLoader.read(contentsOfFile: sandbox.url("\(folder)/snapshot.json").path)
        return (binary, json)
    }

    // MARK: compile

    @Test func compileWritesBothFormsWithTheSameIDAndOnlyWhenTheyChange() throws {
        try withSandbox { sandbox in
            try sandbox.copyFixture("project", to: "project")
            let arguments = ["compile", "project/flags", "--out", "out", "--revision", "r1"] + fixedNow
            let first = try sandbox.flagc(arguments)
            #expect(first.status == 0, "\(first)")
            let wrote = try #require(first.stdout.wholeMatch(of: /wrote out\/snapshot\.json and out\/snapshot\.bin: 3 flags, id ([0-9a-f]{64})\n/), "\(first)")
            #expect(try sandbox.listing("out") == ["snapshot.bin", "snapshot.json"], "no temporary file may be left behind")

            let (binary, json) = try InspectTests.loadBoth(sandbox, "out")
            #expect(binary.encoding == .binary(majorVersion: 1, minorVersion: 0))
            #expect(json.encoding == .json(formatVersion: 1))
            #expect(binary.snapshot == json.snapshot)
            #expect(binary.snapshot.id == String(wrote.1))
            #expect(binary.snapshot.revision == "r1")

            let bytes = try sandbox.contents("out/snapshot.bin")
            let past = Date(timeIntervalSince1970: 1_000_000_000)
            try sandbox.setModificationDate(past, of: "out/snapshot.bin")
            let second = try sandbox.flagc(arguments)
            #expect(second.stdout == "unchanged out/snapshot.json and out/snapshot.bin: 3 flags, id \(wrote.1)\n", "\(second)")
            #expect(try sandbox.modificationDate("out/snapshot.bin") == past, "an unchanged snapshot.bin must not be rewritten")
            #expect(try sandbox.contents("out/snapshot.bin") == bytes)

            // Only the revision changes: the JSON and binary files both change, the id does not.
            let third = try sandbox.flagc(["compile", "project/flags", "--out", "out", "--revision", "r2"] + fixedNow)
            #expect(third.stdout == "wrote out/snapshot.json and out/snapshot.bin: 3 flags, id \(wrote.1)\n", "\(third)")
        }
    }

    @Test func repositoryFlagsGiveEqualSnapshotsInBothForms() throws {
        try withSandbox { sandbox in
            for environment in [nil, "production"] as [String?] {
                let folder = environment ?? "all"
                let run = try sandbox.flagc(["compile", InspectTests.repositoryFlags, "--out", folder, "--revision", "x"] + (environment.map { ["--env", $0] } ?? []) + fixedNow)
                #expect(run.status == 0, "\(run)")
                let (binary, json) = try InspectTests.loadBoth(sandbox, folder)
                #expect(binary.snapshot == json.snapshot)
                #expect(binary.snapshot.jsonBytes() == [UInt8](try sandbox.contents("\(folder)/snapshot.json")))
                #expect(binary.snapshot.environment == environment)
                #expect(binary.byteCount < json.byteCount / 3)
            }
        }
    }

    @Test func conformanceSuitesGiveEqualSnapshotsInBothForms() throws {
        let suites = try FileManager.default.contentsOfDirectory(atPath: InspectTests.conformanceSuites.path).sorted()
        var compiled = 0
        try withSandbox { sandbox in
            for suite in suites {
                let flags = InspectTests.conformanceSuites.appendingPathComponent("\(suite)/flags").path
                guard FileManager.default.fileExists(atPath: flags) else { continue }
                let run = try sandbox.flagc(["compile", flags, "--out", suite] + fixedNow)
                #expect(run.status == 0, "\(run)")
                let (binary, json) = try InspectTests.loadBoth(sandbox, suite)
                #expect(binary.snapshot == json.snapshot, "\(suite)")
                compiled += 1
            }
        }
        #expect(compiled >= 10)
    }

    /// Generated flag files (seeded), compiled by the real binary: both forms decode alike and evaluate alike.
    @Test(arguments: [1, 2, 3] as [UInt64])
    func generatedFlagsGiveEqualSnapshotsAndEvaluations(seed: UInt64) throws {
        var generator = GeneratedFlags(seed: seed)
        try withSandbox { sandbox in
            for (name, text) in generator.files(count: 4, flagsPerFile: 30) { try sandbox.write("flags/\(name)", text) }
            let run = try sandbox.flagc(["compile", "flags", "--out", "out"] + fixedNow)
            #expect(run.status == 0, "\(run)")
            let (binary, json) = try InspectTests.loadBoth(sandbox, "out")
            #expect(binary.snapshot == json.snapshot)
            #expect(binary.snapshot.flags.count == 120)

            let clock = FixedClock(1_780_000_000)
            let binaryStore = try FlagStore(snapshot: binary.snapshot, environment: "staging", clock: clock)
            let jsonStore = try FlagStore(snapshot: json.snapshot, environment: "staging", clock: clock)
            for context in generator.contexts(50) {
                for key in jsonStore.flagKeys {
                    #expect(binaryStore.details(key, context: context) == jsonStore.details(key, context: context))
                }
            }
            // And through the CLI: `flagc eval` answers the same from either file.
            for key in jsonStore.flagKeys.prefix(10) {
                let arguments = [key, "--targeting-key", "user-7", "--attr", "tenant=acme", "--attr", "plan=pro", "--at", "2026-06-01T00:00:00Z", "--format", "json"]
                let fromBinary = try sandbox.flagc(["eval", "out/snapshot.bin"] + arguments)
                let fromJSON = try sandbox.flagc(["eval", "out/snapshot.json"] + arguments)
                #expect(fromBinary.stdout == fromJSON.stdout && fromBinary.status == fromJSON.status, "\(fromBinary)\n\(fromJSON)")
            }
        }
    }

    // MARK: inspect

    @Test func inspectDescribesABinarySnapshot() throws {
        try withSandbox { sandbox in
            try sandbox.copyFixture("project", to: "project")
            _ = try sandbox.flagc(["compile", "project/flags", "--out", "out", "--revision", "abc", "--env", "production"] + fixedNow)
            let snapshot = try SnapshotLoader.load(contentsOfFile: sandbox.url("out/snapshot.bin").path)
            let size = try sandbox.contents("out/snapshot.bin").count
            let run = try sandbox.flagc("inspect", "out/snapshot.bin")
            #expect(run.status == 0, "\(run)")
            #expect(run.stderr.isEmpty, "\(run)")
            #expect(run.stdoutLines == [
                "snapshot     out/snapshot.bin",
                "id           \(snapshot.id)",
                "format       binary 1.0, \(size) bytes",
                "revision     abc",
                "environment  production (declared: development, staging, production)",
                "signature    unsigned",
                "flags        3",
                "",
                "KEY                            TYPE     ENABLED  VARIANTS  RULES  DEFAULT",
            ] + snapshot.flags.map { flag in
                flag.key.padding(toLength: 31, withPad: " ", startingAt: 0)
                    + flag.type.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0)
                    + (flag.enabled ? "yes" : "no").padding(toLength: 9, withPad: " ", startingAt: 0)
                    + String(flag.variants.count).padding(toLength: 10, withPad: " ", startingAt: 0)
                    + String(flag.rules.count).padding(toLength: 7, withPad: " ", startingAt: 0)
                    + flag.defaultVariant
            }, "\(run)")

            let json = try sandbox.flagc("inspect", "out/snapshot.json")
            #expect(json.stdoutLines[2].hasPrefix("format       json (format 1), "), "\(json)")
            #expect(Array(json.stdoutLines.dropFirst(3)) == Array(run.stdoutLines.dropFirst(3)))
        }
    }

    @Test func inspectFormatJSONPrintsTheCanonicalSnapshot() throws {
        try withSandbox { sandbox in
            _ = try sandbox.flagc(["compile", InspectTests.repositoryFlags, "--out", "out", "--revision", "x"] + fixedNow)
            let expected = String(decoding: try sandbox.contents("out/snapshot.json"), as: UTF8.self)
            for file in ["out/snapshot.bin", "out/snapshot.json"] {
                let run = try sandbox.flagc("inspect", file, "--format", "json")
                #expect(run.status == 0, "\(run)")
                #expect(run.stdout == expected, "\(file)")
            }
        }
    }

    @Test func inspectReportsDamageAndExitsWithOne() throws {
        try withSandbox { sandbox in
            try sandbox.write("flags/demo.yaml", booleanFlag())
            _ = try sandbox.flagc(["compile", "flags", "--out", "out"] + fixedNow)
            let bytes = try sandbox.contents("out/snapshot.bin")
            try bytes.prefix(200).write(to: sandbox.url("short.bin"))
            let run = try sandbox.flagc("inspect", "short.bin")
            #expect(run.status == 1, "\(run)")
            #expect(run.stdout.isEmpty)
            #expect(run.stderr == "error: cannot load short.bin: truncated: expected \(InspectTests.grouped(bytes.count)) bytes, found 200\n", "\(run)")

            var flipped = bytes
            flipped[flipped.count - 1] ^= 0x40
            try flipped.write(to: sandbox.url("flipped.bin"))
            let damaged = try sandbox.flagc("inspect", "flipped.bin")
            #expect(damaged.status == 1)
            #expect(damaged.stderr.hasPrefix("error: cannot load flipped.bin: checksum mismatch: "), "\(damaged)")

            // A service loading it (flagc eval uses the runtime's loader) refuses it the same way.
            let eval = try sandbox.flagc("eval", "flipped.bin", "demo.feature")
            #expect(eval.status == 1)
            #expect(eval.stderr.hasPrefix("error: cannot load flipped.bin: checksum mismatch: "), "\(eval)")
        }
    }

    // MARK: keys and signatures

    @Test func keygenWritesAKeyPairWithPrivateModeAndRefusesToOverwrite() throws {
        try withSandbox { sandbox in
            let run = try sandbox.flagc("keygen", "--out", "keys", "--name", "ci")
            #expect(run.status == 0, "\(run)")
            let fingerprint = try #require(run.stdoutLines.last?.firstMatch(of: /public key ([0-9a-f]{16})/)?.1, "\(run)")
            #expect(run.stdoutLines.first == "wrote keys/ci.key (private key, mode 0600: store it as a CI secret, never commit it)")
            #expect(try sandbox.listing("keys") == ["ci.key", "ci.pub"])
            let privateMode = try FileManager.default.attributesOfItem(atPath: sandbox.url("keys/ci.key").path)[.posixPermissions] as? Int
            #expect(privateMode == 0o600)
            let privateText = String(decoding: try sandbox.contents("keys/ci.key"), as: UTF8.self)
            let publicText = String(decoding: try sandbox.contents("keys/ci.pub"), as: UTF8.self)
            #expect(privateText.wholeMatch(of: /flagc-ed25519-private-key [A-Za-z0-9+\/]{43}=\n/) != nil, "\(privateText)")
            #expect(publicText.wholeMatch(of: /flagc-ed25519-public-key [A-Za-z0-9+\/]{43}=\n/) != nil, "\(publicText)")

            let again = try sandbox.flagc("keygen", "--out", "keys", "--name", "ci")
            #expect(again.status == 2, "\(again)")
            #expect(again.stderr == "error: keys/ci.key exists; choose another --name or --out, or pass --force to replace it\n")
            #expect(String(decoding: try sandbox.contents("keys/ci.key"), as: UTF8.self) == privateText)

            let forced = try sandbox.flagc("keygen", "--out", "keys", "--name", "ci", "--force")
            #expect(forced.status == 0, "\(forced)")
            #expect(String(decoding: try sandbox.contents("keys/ci.key"), as: UTF8.self) != privateText)
            #expect(!forced.stdout.contains(String(fingerprint)))
        }
    }

    @Test func signedCompileVerifiesOnlyWithItsKey() throws {
        try withSandbox { sandbox in
            try sandbox.copyFixture("project", to: "project")
            _ = try sandbox.flagc("keygen", "--out", "keys", "--name", "ci")
            _ = try sandbox.flagc("keygen", "--out", "keys", "--name", "other")
            let compile = try sandbox.flagc(["compile", "project/flags", "--out", "out", "--signing-key", "keys/ci.key"] + fixedNow)
            #expect(compile.status == 0, "\(compile)")
            let fingerprint = try #require(compile.stdout.firstMatch(of: /\(signed with key ([0-9a-f]{16})\): 3 flags/)?.1, "\(compile)")

            let unverified = try sandbox.flagc("inspect", "out/snapshot.bin")
            #expect(unverified.stdoutLines[5] == "signature    signed, key \(fingerprint) (not verified: pass --trusted-key)", "\(unverified)")

            let verified = try sandbox.flagc("inspect", "out/snapshot.bin", "--trusted-key", "keys/ci.pub")
            #expect(verified.status == 0, "\(verified)")
            #expect(verified.stdoutLines[5] == "signature    signed, key \(fingerprint), verified", "\(verified)")

            let wrongKey = try sandbox.flagc("inspect", "out/snapshot.bin", "--trusted-key", "keys/other.pub")
            #expect(wrongKey.status == 1, "\(wrongKey)")
            #expect(wrongKey.stdoutLines[5].hasPrefix("signature    NOT VERIFIED: signed by an untrusted key (\(fingerprint)); trusted: "), "\(wrongKey)")

            // Several trusted keys: any one will do.
            let either = try sandbox.flagc("inspect", "out/snapshot.bin", "--trusted-key", "keys/other.pub", "--trusted-key", "keys/ci.pub")
            #expect(either.status == 0, "\(either)")

            let json = try sandbox.flagc("inspect", "out/snapshot.json", "--trusted-key", "keys/ci.pub")
            #expect(json.status == 1)
            #expect(json.stdoutLines[5].hasPrefix("signature    NOT VERIFIED: unsigned snapshot: "), "\(json)")

            // Signing is deterministic: compiling again leaves the signed file untouched.
            let again = try sandbox.flagc(["compile", "project/flags", "--out", "out", "--signing-key", "keys/ci.key"] + fixedNow)
            #expect(again.stdout.hasPrefix("unchanged out/snapshot.json and out/snapshot.bin (signed with key \(fingerprint))"), "\(again)")
        }
    }

    @Test func signingKeyProblemsAreUsageErrors() throws {
        try withSandbox { sandbox in
            try sandbox.write("flags/demo.yaml", booleanFlag())
            _ = try sandbox.flagc("keygen", "--name", "ci")
            let missing = try sandbox.flagc(["compile", "flags", "--out", "out", "--signing-key", "nowhere.key"] + fixedNow)
            #expect(missing.status == 2, "\(missing)")
            #expect(missing.stderr == "error: --signing-key nowhere.key: No such file or directory\n", "\(missing)")
            let publicKey = try sandbox.flagc(["compile", "flags", "--out", "out", "--signing-key", "ci.pub"] + fixedNow)
            #expect(publicKey.status == 2, "\(publicKey)")
            #expect(publicKey.stderr == "error: --signing-key ci.pub: this is a public key file, not a private one; pass the .key file written by `flagc keygen`\n", "\(publicKey)")
            #expect(!sandbox.exists("out"), "nothing is written when the key is unusable")
            let trusted = try sandbox.flagc("inspect", "x.bin", "--trusted-key", "ci.key")
            #expect(trusted.status == 2, "\(trusted)")
            #expect(trusted.stderr.hasPrefix("error: --trusted-key ci.key: this is a private key file, not a public one"), "\(trusted)")
        }
    }

    static func grouped(_ number: Int) -> String {
        var text = ""
        for (index, digit) in String(number).reversed().enumerated() {
            if index > 0, index % 3 == 0 { text.append(" ") }
            text.append(digit)
        }
        return String(text.reversed())
    }
}

/// Seeded flag files in the YAML format, rotating through the kinds of flags and rules (like
/// `Benchmarks/scripts/generate-flags.py`, with random choices).
struct GeneratedFlags {
    var state: UInt64

    init(seed: UInt64) { state = seed &* 0x9E37_79B9_7F4A_7C15 }

    mutating func next(_ bound: Int) -> Int {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Int((z ^ (z >> 31)) % UInt64(bound))
    }

    mutating func pick<T>(_ values: [T]) -> T { values[next(values.count)] }

    mutating func files(count: Int, flagsPerFile: Int) -> [(String, String)] {
        var files: [(String, String)] = []
        for file in 0..<count {
            var text = "module: mod\(file)\nflags:\n"
            for index in 0..<flagsPerFile { text += flag("mod\(file).feature_\(index)") }
            if file == 0 {
                text += """
                    segments:
                      staff:
                        when:
                          attributes:
                            email: { ends_with: "@example.com" }
                      pro_staff:
                        when:
                          segments: [staff]
                          attributes:
                            plan: [pro, enterprise]

                    """
            }
            files.append(("mod\(file).yaml", text))
        }
        return files
    }

    mutating func flag(_ key: String) -> String {
        var head = "  \(key):\n    description: Generated \(key).\n    owner: team-\(pick(["a", "b", "ü"]))\n"
        if next(2) == 0 { head += "    expires: 2030-12-31\n    metadata: { ticket: GEN-\(next(1000)), reviewed: \(pick(["true", "false"])) }\n" }
        if next(6) == 0 { head += "    enabled: false\n" }
        switch next(9) {
        case 0:
            return head + "    default: false\n    rules:\n      - name: pilot\n        when: { tenants: [\(pick(["acme", "globex"])), initech] }\n        until: 2030-01-01T00:00:00Z\n        serve: true\n      - rollout: \(next(101))\n"
        case 1:
            return head + "    default: false\n    rules:\n      - when: { environments: [\(pick(["staging", "development"]))] }\n        serve: true\n"
        case 2:
            return head + "    variants: { blue: \"#00f\", green: \"#0f0\", red: \"#f00\" }\n    default: \(pick(["blue", "red"]))\n    rules:\n      - when: { segments: [\(pick(["staff", "pro_staff"]))] }\n        serve: green\n      - when:\n          attributes:\n            plan: [pro, enterprise]\n            app_version: { semver_gte: 2.\(next(5)).0 }\n        split: { blue: 33.33, green: 33.33, red: 33.34 }\n        bucket_by: tenant\n"
        case 3:
            return head + "    default: false\n    rules:\n      - when: { users: [user-\(next(10)), user-7] }\n        serve: true\n      - when: { groups: [beta, staff] }\n        serve: true\n"
        case 4:
            return head + "    variants: { low: \(next(100)), high: 1000 }\n    default: low\n    rules:\n      - when:\n          attributes:\n            seats: { gte: \(next(100)), lt: 5000 }\n        serve: high\n"
        case 5:
            return head + "    default: false\n    rules:\n      - from: 2026-0\(1 + next(9))-01T00:00:00Z\n        until: 2030-12-26T00:00:00Z\n        serve: true\n"
        case 6:
            return head + "    variants:\n      compact: { columns: 2, dense: true, tags: [a, b] }\n      roomy: { columns: 3, dense: false, nested: { ratio: 0.5 } }\n    default: compact\n    rules:\n      - when:\n          attributes:\n            email: { ends_with: \"@example.com\" }\n        serve: roomy\n"
        case 7:
            return head + "    variants: { slow: 0.25, fast: 2.5 }\n    default: slow\n    rules:\n      - when:\n          attributes:\n            signed_up: { before: 2026-01-01T00:00:00Z }\n            beta: { exists: true }\n        serve: fast\n"
        default:
            return head + "    default: \(pick(["true", "false"]))\n"
        }
    }

    mutating func contexts(_ count: Int) -> [EvaluationContext] {
        (0..<count).map { index in
            var attributes: [String: ContextValue] = [:]
            if next(2) == 0 { attributes["tenant"] = .string(pick(["acme", "globex", "initech", "umbrella"])) }
            if next(2) == 0 { attributes["plan"] = .string(pick(["free", "pro", "enterprise"])) }
            if next(2) == 0 { attributes["groups"] = .strings([pick(["beta", "staff", "ops"])]) }
            if next(2) == 0 { attributes["email"] = .string(pick(["a@example.com", "b@other.org"])) }
            if next(2) == 0 { attributes["app_version"] = .string(pick(["2.0.0", "2.4.1", "3.0.0-beta"])) }
            if next(2) == 0 { attributes["seats"] = .number(Double(next(200))) }
            if next(2) == 0 { attributes["signed_up"] = .timestamp(Int64(1_700_000_000 + next(100_000_000))) }
            if next(3) == 0 { attributes["beta"] = .boolean(true) }
            return EvaluationContext(targetingKey: "user-\(index)", attributes: attributes, environment: next(4) == 0 ? "development" : nil)
        }
    }
}
