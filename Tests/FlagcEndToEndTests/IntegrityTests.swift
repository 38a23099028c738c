import Dispatch
@testable import FlagRuntime
import Foundation
import Synchronization
import Testing

/// The three promises, tried adversarially through the built binary: a bad flag tree never yields a snapshot, a
/// bad or forged snapshot is never served, and no input makes a command hang or grow without bound.
@Suite struct IntegrityTests {
    // MARK: Signatures in every output format

    /// A signed snapshot in `out/`, the trusted key in `keys/ci.pub`, another key in `keys/other.pub`.
    static func signedProject(_ sandbox: Sandbox) throws {
        try sandbox.write("flags/demo.yaml", booleanFlag())
        for name in ["ci", "other"] {
            let keygen = try sandbox.flagc("keygen", "--out", "keys", "--name", name)
            try #require(keygen.status == 0, "\(keygen)")
        }
        let signed = try sandbox.flagc(["compile", "flags", "--out", "out", "--signing-key", "keys/ci.key"] + fixedNow)
        try #require(signed.status == 0, "\(signed)")
        let unsigned = try sandbox.flagc(["compile", "flags", "--out", "plain"] + fixedNow)
        try #require(unsigned.status == 0, "\(unsigned)")
    }

    @Test func inspectJSONVerifiesBeforePrinting() throws {
        try withSandbox { sandbox in
            try Self.signedProject(sandbox)
            let verified = try sandbox.flagc("inspect", "out/snapshot.bin", "--trusted-key", "keys/ci.pub", "--format", "json")
            #expect(verified.status == 0, "\(verified)")
            #expect(verified.stdout.hasPrefix("{"), "\(verified)")
            for (file, key, reason) in [
                ("plain/snapshot.bin", "keys/ci.pub", "unsigned snapshot"),
                ("plain/snapshot.json", "keys/ci.pub", "unsigned snapshot"),
                ("out/snapshot.bin", "keys/other.pub", "signed by an untrusted key"),
            ] {
                let run = try sandbox.flagc("inspect", file, "--trusted-key", key, "--format", "json")
                #expect(run.status == 1, "\(run)")
                #expect(run.stdout.isEmpty, "nothing of an unverified snapshot is printed: \(run)")
                #expect(run.stderr.contains("NOT VERIFIED: \(reason)"), "\(run)")
            }
            // Altered after signing: one payload byte changed and the checksums recomputed.
            var forged = [UInt8](try sandbox.contents("out/snapshot.bin"))
            let headerLength = Int(forged[12]) | Int(forged[13]) << 8
            forged[forged.count - 1] ^= 0x01
            forged.replaceSubrange(32..<64, with: SHA256.hash(Array(forged[headerLength...])))
            Self.resealHeader(&forged, headerLength: headerLength)
            try Data(forged).write(to: sandbox.url("forged.bin"))
            let run = try sandbox.flagc("inspect", "forged.bin", "--trusted-key", "keys/ci.pub", "--format", "json")
            #expect(run.status == 1 && run.stdout.isEmpty, "\(run)")
        }
    }

    @Test func evalAndWatchDemandASignatureWithTrustedKey() throws {
        try withSandbox { sandbox in
            try Self.signedProject(sandbox)
            let good = try sandbox.flagc("eval", "out/snapshot.bin", "demo.feature", "--trusted-key", "keys/ci.pub")
            #expect(good.status == 0, "\(good)")
            let unsigned = try sandbox.flagc("eval", "plain/snapshot.bin", "demo.feature", "--trusted-key", "keys/ci.pub")
            #expect(unsigned.status == 1 && unsigned.stdout.isEmpty, "\(unsigned)")
            #expect(unsigned.stderr.contains("unsigned snapshot"), "\(unsigned)")
            let untrusted = try sandbox.flagc("eval", "out/snapshot.bin", "demo.feature", "--trusted-key", "keys/other.pub")
            #expect(untrusted.status == 1, "\(untrusted)")
            let watch = try sandbox.flagc("watch", "plain/snapshot.json", "--trusted-key", "keys/ci.pub")
            #expect(watch.status == 1, "\(watch)")
            #expect(watch.stderr.contains("unsigned snapshot"), "\(watch)")
            let badKey = try sandbox.flagc("eval", "out/snapshot.bin", "demo.feature", "--trusted-key", "nowhere.pub")
            #expect(badKey.status == 2, "\(badKey)")
        }
    }

    // MARK: Compile's outputs are one unit

    /// The id a snapshot file records (either form).
    static func id(_ sandbox: Sandbox, _ path: String) throws -> String {
        try SnapshotLoader.load(bytes: [UInt8](try sandbox.contents(path))).id
    }

    @Test func aFailedOutputReplacesNothing() throws {
        try withSandbox { sandbox in
            try sandbox.write("flags/demo.yaml", booleanFlag())
            let first = try sandbox.flagc(["compile", "flags", "--out", "out", "--flagd", "out/flagd.json"] + fixedNow)
            try #require(first.status == 0, "\(first)")
            let before = try ["snapshot.json", "snapshot.bin", "flagd.json"].map { try sandbox.contents("out/\($0)") }

            try sandbox.write("flags/demo.yaml", booleanFlag(extra: "    rules:\n      - rollout: 25\n"))
            // The flagd export cannot be written (its folder would be below a file).
            try sandbox.write("blocker", "a file")
            let flagdFails = try sandbox.flagc(["compile", "flags", "--out", "out", "--flagd", "blocker/flagd.json"] + fixedNow)
            #expect(flagdFails.status == 1, "\(flagdFails)")
            #expect(flagdFails.stderr.contains("nothing replaced"), "\(flagdFails)")
            // snapshot.json is a folder: the rename could not replace it, so nothing is written at all.
            try FileManager.default.removeItem(at: sandbox.url("out/snapshot.json"))
            try FileManager.default.createDirectory(at: sandbox.url("out/snapshot.json"), withIntermediateDirectories: false)
            let jsonIsFolder = try sandbox.flagc(["compile", "flags", "--out", "out"] + fixedNow)
            #expect(jsonIsFolder.status == 1, "\(jsonIsFolder)")
            #expect(jsonIsFolder.stderr.contains("snapshot.json: it is a folder"), "\(jsonIsFolder)")
            #expect(try sandbox.contents("out/snapshot.bin") == before[1], "snapshot.bin was replaced although snapshot.json could not be")
            #expect(try sandbox.contents("out/flagd.json") == before[2])
            #expect(try sandbox.listing("out") == ["flagd.json", "snapshot.bin", "snapshot.json"], "no temporary file is left")
        }
    }

    @Test func leftoverTemporaryFilesAreRemoved() throws {
        try withSandbox { sandbox in
            try sandbox.write("flags/demo.yaml", booleanFlag())
            try sandbox.write("out/.snapshot.bin.tmp-999999", String(repeating: "x", count: 4096))
            try sandbox.write("out/.snapshot.json.tmp-1", "partial")
            try sandbox.write("out/notes.txt", "kept")
            let run = try sandbox.flagc(["compile", "flags", "--out", "out"] + fixedNow)
            #expect(run.status == 0, "\(run)")
            #expect(try sandbox.listing("out") == ["notes.txt", "snapshot.bin", "snapshot.json"])
        }
    }

    /// Two compiles of different flag trees race into one folder; the lock makes the final pair one compile's.
    @Test func racingCompilesLeaveAMatchingPair() throws {
        try withSandbox { sandbox in
            // Large enough that writing takes a while, so the compiles overlap.
            let flags = (0..<400).map { "  demo.flag_\($0):\n    description: d\n    owner: o\n    default: false\n" }.joined()
            try sandbox.write("a/demo.yaml", "flags:\n" + flags)
            try sandbox.write("b/demo.yaml", "flags:\n" + flags.replacingOccurrences(of: "default: false", with: "default: true"))
            for round in 0..<8 {
                let results = Mutex<[Int32]>([])
                DispatchQueue.concurrentPerform(iterations: 2) { index in
                    let run = try? sandbox.flagc(["compile", index == 0 ? "a" : "b", "--out", "out"] + fixedNow)
                    results.withLock { $0.append(run?.status ?? -1) }
                }
                #expect(results.withLock { $0 } == [0, 0], "round \(round)")
                #expect(try Self.id(sandbox, "out/snapshot.json") == Self.id(sandbox, "out/snapshot.bin"), "round \(round): json and bin from different compiles")
                #expect(try sandbox.listing("out") == ["snapshot.bin", "snapshot.json"], "round \(round)")
            }
        }
    }

    // MARK: Devices, FIFOs and links

    @Test func devicesAndFIFOsAreRefusedWithoutReading() throws {
        try withSandbox { sandbox in
            try sandbox.write("flags/demo.yaml", booleanFlag())
            try #require(mkfifo(sandbox.url("flags/pipe.yaml").path, 0o644) == 0)
            try #require(mkfifo(sandbox.url("pipe").path, 0o644) == 0)
            let validate = try sandbox.flagc(["validate", "flags"] + fixedNow)
            #expect(validate.status == 1, "\(validate)")
            #expect(validate.stdout.contains("flags/pipe.yaml: error[file-unreadable]: cannot read the file: it is a FIFO"), "\(validate)")
            let device = try sandbox.flagc(["validate", "/dev/zero"] + fixedNow)
            #expect(device.status == 1, "\(device)")
            #expect(device.stdout.contains("it is a device, not a regular file"), "\(device)")
            let compile = try sandbox.flagc(["compile", "flags", "--out", "out"] + fixedNow)
            #expect(compile.status == 1 && !sandbox.exists("out"), "\(compile)")
            for arguments in [
                ["inspect", "pipe"], ["eval", "pipe", "demo.feature"], ["eval", "/dev/urandom", "demo.feature"],
                ["inspect", "/dev/zero"], ["watch", "pipe"],
            ] {
                let run = try Flagc.run(arguments, in: sandbox.root, timeout: 20)
                #expect(run.status == 1, "\(run)")
                #expect(run.stderr.contains("not a regular file"), "\(run)")
            }
            let built = try sandbox.flagc(["compile", "flags/demo.yaml", "--out", "out"] + fixedNow)
            try #require(built.status == 0, "\(built)")
            let batch = try Flagc.run(["eval", "out/snapshot.json", "--batch", "pipe"], in: sandbox.root, timeout: 20)
            #expect(batch.status == 1 && batch.stderr.contains("not a regular file"), "\(batch)")
            let key = try Flagc.run(["inspect", "out/snapshot.bin", "--trusted-key", "pipe"], in: sandbox.root, timeout: 20)
            #expect(key.status == 2 && key.stderr.contains("not a regular file"), "\(key)")
            let config = try Flagc.run(["validate", "flags/demo.yaml", "--config", "pipe"], in: sandbox.root, timeout: 20)
            #expect(config.status == 1 && config.stdout.contains("pipe: error[file-unreadable]"), "\(config)")
        }
    }

    @Test func danglingAndOutsideLinksAreErrors() throws {
        try withSandbox { sandbox in
            try sandbox.write("flags/demo.yaml", booleanFlag())
            try sandbox.write("elsewhere/secret.yaml", booleanFlag("other.secret"))
            let manager = FileManager.default
            try manager.createSymbolicLink(atPath: sandbox.url("flags/gone.yaml").path, withDestinationPath: "nowhere.yaml")
            try manager.createSymbolicLink(atPath: sandbox.url("flags/secret.yaml").path, withDestinationPath: sandbox.url("elsewhere/secret.yaml").path)
            try manager.createSymbolicLink(atPath: sandbox.url("flags/zero.yaml").path, withDestinationPath: "/dev/zero")
            try manager.createSymbolicLink(atPath: sandbox.url("flags/inside.yaml").path, withDestinationPath: "demo.yaml")
            let run = try Flagc.run(["validate", "flags"] + fixedNow, in: sandbox.root, timeout: 20)
            #expect(run.status == 1, "\(run)")
            let diagnostics = run.stdoutLines.dropLast().filter { !$0.contains(": note: ") }.map { $0.prefix { $0 != " " } + " " + $0.split(separator: " ")[1].prefix { $0 != ":" } }
            #expect(diagnostics == [
                "flags/gone.yaml: error[file-unreadable]", "flags/inside.yaml:2:3: error[duplicate-flag]",
                "flags/secret.yaml: error[symlink-outside]", "flags/zero.yaml: error[symlink-outside]",
            ], "\(run)")
            #expect(!run.stdout.contains("other.secret"), "nothing of the outside file is echoed: \(run)")
            let compile = try sandbox.flagc(["compile", "flags", "--out", "out"] + fixedNow)
            #expect(compile.status == 1 && !sandbox.exists("out"), "\(compile)")

            // With `symlinks: follow`, the outside file is read (and the device refused as a device).
            try manager.removeItem(at: sandbox.url("flags/gone.yaml"))
            try manager.removeItem(at: sandbox.url("flags/inside.yaml"))
            try sandbox.write("flags/flagc.yaml", "symlinks: follow\n")
            let follow = try Flagc.run(["validate", "flags"] + fixedNow, in: sandbox.root, timeout: 20)
            #expect(follow.stdoutLines.count == 2, "\(follow)")
            #expect(follow.stdoutLines.first?.hasPrefix("flags/zero.yaml: error[file-unreadable]: cannot read the file: it is a device") == true, "\(follow)")
            try manager.removeItem(at: sandbox.url("flags/zero.yaml"))
            let clean = try sandbox.flagc(["compile", "flags", "--out", "out"] + fixedNow)
            #expect(clean.status == 0 && clean.stdout.contains("2 flags"), "\(clean)")
        }
    }

    /// An unreadable sub-folder is an error, not a silent skip. Root reads any folder, so as root the binary runs
    /// as `nobody` through setpriv.
    @Test func unreadableFolderIsAnError() throws {
        try withSandbox { sandbox in
            try sandbox.write("flags/demo.yaml", booleanFlag())
            try sandbox.write("flags/team/more.yaml", booleanFlag("demo.more"))
            var launcher: [String] = []
            if geteuid() == 0 {
                guard FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") else {
                    print("SKIPPED: unreadableFolderIsAnError needs /usr/bin/setpriv to run flagc as nobody (running as root)")
                    return
                }
                launcher = ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"]
                let probe = try Flagc.run(["--version"], in: sandbox.root, launcher: launcher)
                guard probe.status == 0 else {
                    print("SKIPPED: unreadableFolderIsAnError: nobody cannot run the flagc binary here (\(probe.stderr))")
                    return
                }
            }
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: sandbox.root.path)
            try FileManager.default.setAttributes([.posixPermissions: 0o000], ofItemAtPath: sandbox.url("flags/team").path)
            defer { try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: sandbox.url("flags/team").path) }
            let run = try Flagc.run(["validate", "flags"] + fixedNow, in: sandbox.root, launcher: launcher)
            #expect(run.status == 1, "\(run)")
            #expect(run.stdout.contains("flags/team: error[file-unreadable]: cannot read the folder"), "\(run)")
        }
    }

    // MARK: Amplification

    @Test func diagnosticsAreCapped() throws {
        try withSandbox { sandbox in
            let aliases = (0..<30_000).map { "  k\($0): *a\n" }.joined()
            try sandbox.write("flags/aliases.yaml", "x: &a 1\nflags:\n" + aliases)
            let run = try sandbox.flagc(["validate", "flags"] + fixedNow)
            #expect(run.status == 1)
            #expect(run.stdoutLines.count == 202, "200 kept, one suppressed line, one summary: \(run.stdoutLines.count)")
            #expect(run.stdoutLines[200].hasPrefix("… and 29801 more diagnostics not shown"), "\(run.stdoutLines[200])")
            #expect(run.stdoutLines[200].contains("yaml-anchor (29801)"), "\(run.stdoutLines[200])")
            #expect(run.stdoutLines[201] == "30001 errors, 0 warnings in 1 file", "\(run.stdoutLines[201])")
            let json = try sandbox.flagc(["validate", "flags", "--format", "json"] + fixedNow)
            let document = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
            let summary = document?["summary"] as? [String: Any]
            #expect((document?["diagnostics"] as? [Any])?.count == 200)
            #expect(summary?["errors"] as? Int == 30_001)
            #expect((summary?["suppressed"] as? [String: Any])?["count"] as? Int == 29_801)
        }
    }

    @Test func segmentDiamondsAreRefusedBeforeLowering() throws {
        try withSandbox { sandbox in
            var yaml = "segments:\n  s0_0:\n    when: { tenants: [acme] }\n  s0_1:\n    when: { tenants: [globex] }\n"
            for level in 1...40 {
                for index in 0..<2 { yaml += "  s\(level)_\(index):\n    when: { segments: [s\(level - 1)_0, s\(level - 1)_1] }\n" }
            }
            let rule = "    rules:\n      - when: { segments: [s40_0] }\n        serve: true\n"
            try sandbox.write("deep/demo.yaml", yaml + "flags:\n" + booleanFlag(extra: rule).dropFirst("flags:\n".count))
            let deep = try Flagc.run(["compile", "deep", "--out", "out"] + fixedNow, in: sandbox.root, timeout: 20)
            #expect(deep.status == 1 && !sandbox.exists("out"), "\(deep)")
            #expect(deep.stderr.contains("error[segment-depth]"), "\(deep)")

            var wide = "segments:\n"
            for index in 0..<8 { wide += "  l0_\(index):\n    when: { groups: [g\(index)] }\n" }
            for level in 1...12 {
                let below = (0..<8).map { "l\(level - 1)_\($0)" }.joined(separator: ", ")
                for index in 0..<8 { wide += "  l\(level)_\(index):\n    when: { segments: [\(below)] }\n" }
            }
            let wideRule = "    rules:\n      - when: { segments: [l12_0] }\n        serve: true\n"
            try sandbox.write("wide/demo.yaml", wide + "flags:\n" + booleanFlag(extra: wideRule).dropFirst("flags:\n".count))
            let large = try Flagc.run(["compile", "wide", "--out", "out"] + fixedNow, in: sandbox.root, timeout: 20)
            #expect(large.status == 1 && !sandbox.exists("out"), "\(large)")
            #expect(large.stderr.contains("error[snapshot-size]"), "\(large)")

            // A chain of 60,000 segments, each referencing the next: checked without recursion (this crashed
            // with a stack overflow before), reported once.
            var chain = "segments:\n"
            for index in 0..<60_000 { chain += "  c\(index):\n    when: { segments: [c\(index + 1)] }\n" }
            chain += "  c60000:\n    when: { groups: [g] }\n"
            // A flag uses the chain, so its segments are not unused.
            let chainRule = "    rules:\n      - when: { segments: [c0] }\n        serve: true\n"
            try sandbox.write("chain/demo.yaml", chain + "flags:\n" + booleanFlag(extra: chainRule).dropFirst("flags:\n".count))
            let long = try Flagc.run(["validate", "chain"] + fixedNow, in: sandbox.root, timeout: 30)
            #expect(long.status == 1, "\(long.stderr)")
            #expect(long.stdoutLines.count == 2 && long.stdout.contains("error[segment-depth]: segment 'c59984'"), "\(long.stdout.prefix(600))")
        }
    }

    // MARK: The binary id

    @Test func anEditedBinaryWithRecomputedChecksumsIsRefused() throws {
        try withSandbox { sandbox in
            try sandbox.write("flags/demo.yaml", booleanFlag())
            let run = try sandbox.flagc(["compile", "flags", "--out", "out"] + fixedNow)
            try #require(run.status == 0, "\(run)")
            let original = try SnapshotLoader.load(bytes: [UInt8](try sandbox.contents("out/snapshot.bin")))
            // Same id, another default: re-encoded, so every checksum is valid.
            var flag = try #require(original.flags.first)
            flag.defaultVariant = flag.defaultVariant == "true" ? "false" : "true"
            var edited = original
            edited.flags = [flag]
            try Data(try edited.binaryBytes()).write(to: sandbox.url("edited.bin"))
            for arguments in [["inspect", "edited.bin"], ["eval", "edited.bin", "demo.feature"]] {
                let refused = try sandbox.flagc(arguments)
                #expect(refused.status == 1, "\(refused)")
                #expect(refused.stderr.contains("does not match the content"), "\(refused)")
            }
        }
    }

    /// A hand-edited snapshot.json that serves a variant it does not define (with a correct id) is refused by
    /// every reader, with a reason, instead of serving the first variant.
    @Test func invalidSnapshotsAreRefusedByInspectAndEval() throws {
        try withSandbox { sandbox in
            try sandbox.write("flags/demo.yaml", booleanFlag(extra: "    rules:\n      - when: { users: [ada] }\n        serve: true\n"))
            let run = try sandbox.flagc(["compile", "flags", "--out", "out"] + fixedNow)
            try #require(run.status == 0, "\(run)")
            var snapshot = try SnapshotLoader.load(bytes: [UInt8](try sandbox.contents("out/snapshot.json")))
            snapshot.flags[0].rules[0].outcome = .serve(variant: "ture")
            snapshot.id = snapshot.contentID
            try Data(snapshot.jsonBytes()).write(to: sandbox.url("typo.json"))
            for arguments in [["inspect", "typo.json"], ["inspect", "typo.json", "--format", "json"], ["eval", "typo.json", "demo.feature", "--targeting-key", "ada"]] {
                let refused = try sandbox.flagc(arguments)
                #expect(refused.status == 1 && refused.stdout.isEmpty, "\(refused)")
                #expect(refused.stderr.contains("flags.demo.feature.rules[0].serve: 'ture' names no variant of the flag"), "\(refused)")
            }
        }
    }

    // MARK: eval --batch

    @Test func overlongBatchLinesGetAnErrorAndTheBatchGoesOn() throws {
        try withSandbox { sandbox in
            try sandbox.write("flags/demo.yaml", booleanFlag())
            let run = try sandbox.flagc(["compile", "flags", "--out", "out"] + fixedNow)
            try #require(run.status == 0, "\(run)")
            let long = "{\"flag\":\"demo.feature\",\"context\":{\"pad\":\"" + String(repeating: "x", count: 3 << 20) + "\"}}"
            let request = "{\"flag\":\"demo.feature\"}"
            try sandbox.write("requests.jsonl", request + "\n" + long + "\n" + request + "\n" + long)
            let batch = try sandbox.flagc("eval", "out/snapshot.json", "--batch", "requests.jsonl")
            #expect(batch.status == 0, "\(batch)")
            #expect(batch.stdoutLines.count == 4, "\(batch.stdoutLines.map { $0.prefix(80) })")
            #expect(batch.stdoutLines[0].contains("\"reason\":\"DEFAULT\"") || batch.stdoutLines[0].contains("\"value\""))
            for index in [1, 3] {
                #expect(batch.stdoutLines[index].contains("\"errorCode\":\"PARSE_ERROR\""), "\(batch.stdoutLines[index])")
                #expect(batch.stdoutLines[index].contains("\"line\":\(index + 1)"), "\(batch.stdoutLines[index])")
                #expect(batch.stdoutLines[index].contains("longer than 1048576 bytes"), "\(batch.stdoutLines[index])")
            }
            #expect(batch.stdoutLines[2] == batch.stdoutLines[0])
        }
    }

    // MARK: Silent value changes

    @Test func valuesThatWouldChangeAreErrors() throws {
        try withSandbox { sandbox in
            try sandbox.write("flags/demo.yaml", """
                flags:
                  demo.limit:
                    description: d
                    owner: o
                    variants: { low: 1, high: 9223372036854775808 }
                    default: low
                    metadata: { ratio: .inf, big: 1000000000000000000000000000000000000 }
                    rules:
                      - when: { tenants: [acme] }
                        until: 2026-12-31T23:59:60Z
                        serve: high

                """)
            let run = try sandbox.flagc(["compile", "flags", "--out", "out"] + fixedNow)
            #expect(run.status == 1 && !sandbox.exists("out"), "\(run)")
            let diagnostics = run.stderrLines.compactMap(TextDiagnostic.init)
            #expect(diagnostics.map(\.rule) == ["number-out-of-range", "number-out-of-range", "number-out-of-range", "invalid-timestamp"], "\(run)")
            #expect(diagnostics.map { "\($0.line):\($0.column)" } == ["5:31", "7:24", "7:35", "10:16"], "\(run)")
            #expect(diagnostics[3].message.contains("leap second"), "\(run)")
            try sandbox.write("flags/demo.yaml", booleanFlag(extra: "    metadata: { ratio: '.inf', big: '1000000000000000000000000000000000000' }\n"))
            let quoted = try sandbox.flagc(["compile", "flags", "--out", "out"] + fixedNow)
            #expect(quoted.status == 0, "quoting keeps the text: \(quoted)")
        }
    }

    // MARK: Usage errors

    @Test func usageErrorsExitWithTwo() throws {
        try withSandbox { sandbox in
            try sandbox.write("flags/demo.yaml", booleanFlag())
            let bare = try sandbox.flagc([])
            #expect(bare.status == 2 && bare.stderr.contains("SUBCOMMANDS"), "\(bare)")
            let folder = try sandbox.flagc(["validate", "flags", "--config", "flags"] + fixedNow)
            #expect(folder.status == 2, "\(folder)")
            #expect(folder.stderr == "error: --config 'flags' is a folder; pass the path of the flagc.yaml file itself, for example flags/flagc.yaml\n", "\(folder)")
            let now = try sandbox.flagc("validate", "flags", "--now", "tomorrow")
            #expect(now.status == 2, "\(now)")
            #expect(now.stderr.contains("Usage: flagc validate"), "the subcommand's usage: \(now)")
            try sandbox.write("file", "x")
            let below = try sandbox.flagc(["compile", "flags", "--out", "file/sub"] + fixedNow)
            #expect(below.status == 2, "\(below)")
            #expect(below.stderr == "error: --out 'file/sub': 'file' is a file, so no folder can be created below it; pass a folder for snapshot.json and snapshot.bin\n", "\(below)")
        }
    }

    /// Recomputes a header's CRC-32 after an edit.
    static func resealHeader(_ file: inout [UInt8], headerLength: Int) {
        let crc = file.withUnsafeBytes { BinarySnapshotHeader.headerCRC($0, headerLength: headerLength) }
        for index in 0..<4 { file[28 + index] = UInt8(truncatingIfNeeded: crc >> (8 * index)) }
    }
}
