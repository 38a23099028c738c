import Foundation
import GitTestSupport
import Testing

/// End-to-end tests of `flagc refs` on a source tree in several languages, in a real git repository and in a
/// plain folder.
@Suite struct RefsCommandTests {
    /// billing.invoice_auto_generate, billing.retry_limit and billing.legacy_export (their rules do not matter here).
    static let flags = DiffCommandTests.baseBilling

    /// path → contents: references in Swift (a key and a generated accessor), Go, Python and YAML, a typo in
    /// TypeScript, a longer key that is not a reference, and a binary file holding a key.
    static let sources = [
        "flags/billing.yaml": flags,
        "Sources/App/Billing.swift": """
            if store.isEnabled("billing.invoice_auto_generate") { generate() }
            let limit = Flags.billingRetryLimit
            // billing.retry_limit_v2 comes next quarter

            """,
        "web/billing.ts": "const on = client.getBooleanValue('billing.invoice_auto_generat', false);\n",
        "tools/check.py": "import flags\n\nif flags.get(\"billing.retry_limit\") > 2:\n    pass\n",
        "cmd/main.go": "package main\n\nfunc run() { enabled := store.Bool(\"billing.invoice_auto_generate\") }\n",
        "deploy/values.yaml": "features:\n  - billing.invoice_auto_generate\n",
    ]

    static let expectedText = """
        billing.invoice_auto_generate: 3 references
          Sources/App/Billing.swift:1
          cmd/main.go:3
          deploy/values.yaml:2
        billing.legacy_export: no references; a candidate for removal
        billing.retry_limit: 2 references
          Sources/App/Billing.swift:2
          tools/check.py:3
        web/billing.ts:1:36: error[refs-unknown-key]: 'billing.invoice_auto_generat' is not a defined flag, so this code gets its default; did you mean 'billing.invoice_auto_generate'?

        """

    static func repository() throws -> GitRepository {
        let repository = try GitRepository()
        for (path, text) in sources { try repository.write(path, text) }
        try repository.write("assets/logo.bin", bytes: Array("PNG\u{0}billing.legacy_export".utf8))
        // Ignored by git: its reference must not count.
        try repository.write(".gitignore", "generated/\n")
        try repository.write("generated/Flags.swift", "let legacy = \"billing.legacy_export\"\n")
        try repository.commit("Sources and flags")
        return repository
    }

    /// The typo as a SARIF result (checked against OASIS's schema by .ci/run); an error, like --format github.
    @Test func sarifHasTheUnknownKeys() throws {
        let repository = try Self.repository()
        let run = try Flagc.run(["refs", "--format", "sarif"], in: repository.url)
        #expect(run.status == 1, "\(run)")
        try expectGolden(run.stdout, fixture: "refs/report.sarif")
    }

    @Test func textListsReferencesUnusedFlagsAndTypos() throws {
        let repository = try Self.repository()
        let run = try Flagc.run(["refs"], in: repository.url)
        #expect(run.status == 0, "\(run)")
        let lines = run.stdoutLines
        #expect(lines.dropLast().joined(separator: "\n") + "\n" == Self.expectedText, "\(run)")
        // .gitignore, the flag file itself, and the binary file; the files counted exclude the flag file.
        #expect(lines.last == "3 flags: 2 with references, 1 without; 1 unknown key; 6 files scanned (0.0 MB), 1 binary, 0 too large and 0 unreadable skipped", "\(run)")
    }

    @Test func githubFormatFailsOnAnUnknownKey() throws {
        let repository = try Self.repository()
        let run = try Flagc.run(["refs", "--format", "github"], in: repository.url)
        #expect(run.status == 1, "\(run)")
        #expect(run.stdoutLines.contains("::error file=web/billing.ts,line=1,col=36,title=flagc refs-unknown-key::'billing.invoice_auto_generat' is not a defined flag, so this code gets its default; did you mean 'billing.invoice_auto_generate'?"), "\(run)")
        #expect(run.stdoutLines.contains("::notice title=flagc refs-unreferenced::flag 'billing.legacy_export' has no reference in code; a candidate for removal"), "\(run)")

        try repository.write("web/billing.ts", "const on = client.getBooleanValue('billing.invoice_auto_generate', false);\n")
        let fixed = try Flagc.run(["refs", "--format", "github"], in: repository.url)
        #expect(fixed.status == 0, "\(fixed)")
    }

    @Test func sourcesIncludeAndExcludeNarrowTheScan() throws {
        let repository = try Self.repository()
        let swiftOnly = try Flagc.run(["refs", "--format", "json", "--include", "*.swift"], in: repository.url)
        #expect(swiftOnly.status == 0, "\(swiftOnly)")
        let document = try JSONSerialization.jsonObject(with: Data(swiftOnly.stdout.utf8)) as? [String: Any]
        let files = document?["files"] as? [String: Any]
        #expect(files?["scanned"] as? Int == 1, "\(swiftOnly)")
        #expect((document?["unknownKeys"] as? [Any])?.isEmpty == true, "\(swiftOnly)")
        #expect(document?["unreferenced"] as? [String] == ["billing.legacy_export"], "\(swiftOnly)")

        let narrowed = try Flagc.run(["refs", "tools", "cmd", "--exclude", "cmd/*"], in: repository.url)
        #expect(narrowed.stdoutLines.first == "billing.invoice_auto_generate: no references; a candidate for removal", "\(narrowed)")
        #expect(narrowed.stdoutLines.contains("  tools/check.py:3"), "\(narrowed)")
    }

    @Test func outsideARepositoryTheFolderIsWalked() throws {
        try withSandbox { sandbox in
            try sandbox.write(Self.sources)
            try sandbox.write("generated/Flags.swift", "let legacy = \"billing.legacy_export\"\n")
            // Over the 4 MiB limit: skipped, so its reference does not count.
            try sandbox.write("generated/big.json", "\"billing.retry_limit\"" + String(repeating: " ", count: 4 << 20))
            let run = try sandbox.flagc("refs", "--format", "markdown")
            #expect(run.status == 0, "\(run)")
            #expect(run.stdoutLines.contains("| `billing.legacy_export` | 1 | `generated/Flags.swift:1` |"), "\(run)")
            #expect(run.stdoutLines.contains("| `billing.retry_limit` | 2 | `Sources/App/Billing.swift:2`, `tools/check.py:3` |"), "\(run)")
            #expect(run.stdout.contains("0 binary, 1 too large and 0 unreadable skipped"), "\(run)")
            #expect(run.stdoutLines.contains("- `web/billing.ts:1:36`: `billing.invoice_auto_generat` is not a defined flag, so this code gets its default; did you mean `billing.invoice_auto_generate`?"), "\(run)")
        }
    }

    @Test func flagErrorsStopTheScanAndUsageErrorsExit2() throws {
        try withSandbox { sandbox in
            try sandbox.write("flags/billing.yaml", "flags:\n  billing.x:\n    default: false\n")
            let broken = try sandbox.flagc("refs")
            #expect(broken.status == 1, "\(broken)")
            #expect(broken.stdout.contains("missing-metadata"), "\(broken)")
            try sandbox.write("flags/billing.yaml", Self.flags)
            let missing = try sandbox.flagc("refs", "no/such/folder")
            #expect(missing.status == 2, "\(missing)")
            let badFormat = try sandbox.flagc("refs", "--format", "xml")
            #expect(badFormat.status == 2, "\(badFormat)")
        }
    }

    @Test func extraPatternsFromTheConfig() throws {
        try withSandbox { sandbox in
            try sandbox.write("flags/billing.yaml", Self.flags)
            try sandbox.write("flags/flagc.yaml", "refs:\n  patterns: [\"FLAG_{UPPER}\"]\n")
            try sandbox.write("src/env.sh", "if [ \"$FLAG_BILLING_LEGACY_EXPORT\" = 1 ]; then export; fi\n")
            let run = try sandbox.flagc("refs")
            #expect(run.stdoutLines.contains("  src/env.sh:1"), "\(run)")
            try sandbox.write("flags/flagc.yaml", "refs:\n  patterns: [\"isOn({key})\"]\n")
            let bad = try sandbox.flagc("refs")
            #expect(bad.status == 1, "\(bad)")
            #expect(bad.stdout.contains("config-invalid"), "\(bad)")
        }
    }
}
