import FlagRuntime
import Foundation
import Testing

/// `flagc compile --flagd FILE`: the flagd document is written beside the snapshot, atomically, only when its
/// bytes change, and never when something is wrong.
@Suite("flagc compile --flagd")
struct FlagdCompileTests {
    @Test func writesTheDocumentThenReportsItUnchanged() throws {
        try withSandbox { sandbox in
            try sandbox.copyFixture("project", to: "project")
            let arguments = ["compile", "project/flags", "--out", "out", "--revision", "r1", "--flagd", "out/flagd/flags.json"] + fixedNow

            let first = try sandbox.flagc(arguments)
            #expect(first.status == 0, "\(first)")
            #expect(first.stderr.isEmpty, "\(first)")
            let wrote = try #require(first.stdout.wholeMatch(of: /wrote out\/snapshot\.json and out\/snapshot\.bin; wrote out\/flagd\/flags\.json \(flagd\): 3 flags, id ([0-9a-f]{64})\n/), "\(first)")
            #expect(try sandbox.listing("out/flagd") == ["flags.json"], "no temporary file may be left behind")

            let bytes = try sandbox.contents("out/flagd/flags.json")
            let document = try JSONValue(parsing: [UInt8](bytes))
            #expect(document["$schema"]?.stringValue == "https://flagd.dev/schema/v0/flags.json")
            #expect(document["metadata"] == .object(["flagSetId": .string("flagc"), "version": .string(String(wrote.1)), "revision": .string("r1")]))
            let flags = try #require(document["flags"]?.objectValue)
            #expect(flags.keys.sorted() == ["billing.invoice_auto_generate", "checkout.payments.retry_limit", "ui.theme"])
            let flag = try #require(flags["billing.invoice_auto_generate"])
            #expect(flag["state"]?.stringValue == "ENABLED")
            #expect(flag["defaultVariant"]?.stringValue == "false")
            #expect(flag["variants"] == .object(["true": .bool(true), "false": .bool(false)]))
            // Without --env, the environment condition reads the `environment` context attribute.
            let chain = try #require(flag["targeting"]?["if"]?.arrayValue)
            #expect(chain.first == .object(["in": .array([.object(["var": .string("environment")]), .array([.string("staging")])])]))
            #expect(chain.last == .null)

            let past = Date(timeIntervalSince1970: 1_000_000_000)
            try sandbox.setModificationDate(past, of: "out/flagd/flags.json")
            let second = try sandbox.flagc(arguments)
            #expect(second.status == 0, "\(second)")
            #expect(second.stdout == "unchanged out/snapshot.json and out/snapshot.bin; unchanged out/flagd/flags.json (flagd): 3 flags, id \(wrote.1)\n", "\(second)")
            #expect(try sandbox.modificationDate("out/flagd/flags.json") == past, "an unchanged document must not be rewritten")
            #expect(try sandbox.contents("out/flagd/flags.json") == bytes)
        }
    }

    @Test func environmentAndFlagSetID() throws {
        try withSandbox { sandbox in
            try sandbox.copyFixture("project", to: "project")
            let run = try sandbox.flagc(["compile", "project/flags", "--out", "out", "--revision", "r1", "--env", "production",
                                         "--flagd", "flagd.json", "--flagd-flag-set-id", "billing-prod"] + fixedNow)
            #expect(run.status == 0, "\(run)")
            let document = try JSONValue(parsing: [UInt8](try sandbox.contents("flagd.json")))
            #expect(document["metadata"]?["flagSetId"]?.stringValue == "billing-prod")
            #expect(document["metadata"]?["environment"]?.stringValue == "production")
            let text = String(decoding: try sandbox.contents("flagd.json"), as: UTF8.self)
            #expect(!text.contains(#"{"var":"environment"}"#), "--env decides the environment conditions at compile time")
        }
    }

    @Test func aFlagFlagdCannotReadWritesNothing() throws {
        try withSandbox { sandbox in
            try sandbox.write("flags/demo.yaml", """
                flags:
                  demo.dotted:
                    description: Dotted attribute
                    owner: team-demo
                    default: false
                    rules:
                      - name: pro users
                        when: { attributes: { user.plan: [pro] } }
                        serve: true

                """)
            let run = try sandbox.flagc(["compile", "flags", "--out", "out", "--flagd", "out/flagd.json"] + fixedNow)
            #expect(run.status == 1, "\(run)")
            #expect(run.stdout.isEmpty, "\(run)")
            #expect(run.stderr.contains("error[flagd-export]: flag 'demo.dotted', rule 1 (\"pro users\"): attribute 'user.plan' has a '.'"), "\(run)")
            #expect(run.stderr.contains("nothing written"), "\(run)")
            #expect(!FileManager.default.fileExists(atPath: sandbox.url("out").path), "neither the snapshot nor the document may be written")

            // Without --flagd the same flags compile: only the export is refused.
            let plain = try sandbox.flagc(["compile", "flags", "--out", "out"] + fixedNow)
            #expect(plain.status == 0, "\(plain)")
        }
    }

    @Test func usageErrors() throws {
        try withSandbox { sandbox in
            try sandbox.write("flags/demo.yaml", booleanFlag())
            try FileManager.default.createDirectory(at: sandbox.url("folder"), withIntermediateDirectories: true)
            let folder = try sandbox.flagc(["compile", "flags", "--out", "out", "--flagd", "folder"] + fixedNow)
            #expect(folder.status == 2, "a folder is not a file to write: \(folder)")
            #expect(folder.stderr.hasPrefix("error: --flagd 'folder' is a folder"), "\(folder)")

            let setID = try sandbox.flagc(["compile", "flags", "--out", "out", "--flagd-flag-set-id", "x"] + fixedNow)
            #expect(setID.status == 2, "\(setID)")
            #expect(setID.stderr.hasPrefix("error: --flagd-flag-set-id needs --flagd FILE"), "\(setID)")
            #expect(!FileManager.default.fileExists(atPath: sandbox.url("out").path))
        }
    }
}
