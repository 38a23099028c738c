import Foundation
import Testing

/// End-to-end tests of `flagc init`: what it writes passes `flagc validate` and `flagc test`, and it never
/// overwrites anything.
@Suite("flagc init")
struct InitCommandTests {
    static let files = ["flags/flagc.yaml", "flags/example.yaml", "flags/example.test.yaml", ".github/workflows/flags.yml"]

    @Test func writesFilesThatValidateAndTest() throws {
        try withSandbox { sandbox in
            let initRun = try sandbox.flagc("init")
            #expect(initRun.status == 0, "\(initRun)")
            for file in Self.files { #expect(sandbox.exists(file), "\(file) was not written") }
            let validate = try sandbox.flagc("validate", "--strict")
            #expect(validate.status == 0, "\(validate)")
            #expect(validate.stdout == "0 errors, 0 warnings in 2 files\n")
            let test = try sandbox.flagc("test", "--min-coverage", "100")
            #expect(test.status == 0, "\(test)")
            #expect(test.stdoutLines.last == "2 passed, 0 failed (2 results in 1 file)")
            // Without schemas in the repository, the files say where to get them rather than point nowhere.
            let config = String(decoding: try sandbox.contents("flags/flagc.yaml"), as: UTF8.self)
            #expect(!config.contains("$schema=../schemas"))
        }
    }

    @Test func writesIntoTheFolderGiven() throws {
        try withSandbox { sandbox in
            try sandbox.write("repo/schemas/flags.schema.json", "{}\n")
            let run = try sandbox.flagc("init", "repo")
            #expect(run.status == 0, "\(run)")
            for file in Self.files { #expect(sandbox.exists("repo/" + file), "\(file) was not written") }
            let flags = String(decoding: try sandbox.contents("repo/flags/example.yaml"), as: UTF8.self)
            #expect(flags.hasPrefix("# yaml-language-server: $schema=../schemas/flags.schema.json\n"))
            #expect(try sandbox.flagc("validate", "repo/flags").status == 0)
        }
    }

    @Test func refusesWhenAnyFileExists() throws {
        try withSandbox { sandbox in
            try sandbox.write("flags/flagc.yaml", "require: [owner]\n")
            let run = try sandbox.flagc("init")
            #expect(run.status == 1, "\(run)")
            #expect(run.stdout == "")
            #expect(run.stderrLines.contains("  flags/flagc.yaml"), "\(run.stderr)")
            #expect(try sandbox.listing("flags") == ["flagc.yaml"])
            #expect(!sandbox.exists(".github"))
            #expect(String(decoding: try sandbox.contents("flags/flagc.yaml"), as: UTF8.self) == "require: [owner]\n")
        }
    }
}
