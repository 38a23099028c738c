import Foundation
import Testing

/// `flagc generate swift`: the handles it writes compile, a misspelled or removed flag does not, and an expired one
/// warns. Checked with the real compiler (`swiftc -typecheck`) against the FlagRuntime module of this build.
@Suite struct GenerateCommandTests {
    static let flags = """
        flags:
          billing.invoice_auto_generate:
            description: Generate invoices automatically.
            owner: team-billing
            type: release
            default: false
          billing.checkout_button_color:
            description: Colour of the checkout button.
            owner: team-growth
            expires: 2026-05-31
            variants: { blue: "#1f6feb", green: "#2da44e" }
            default: green
          api.rate_limit:
            description: Requests per minute.
            owner: team-api
            variants: { low: 10, high: 100 }
            default: low
          api.ratio:
            description: A share.
            owner: team-api
            variants: { small: 0.25, large: 0.5 }
            default: large
          ui.layout:
            description: Layout.
            owner: team-web
            variants: { grid: { columns: 3, dense: false } }
            default: grid

        """

    static let usage = """
        import FlagRuntime

        func read(_ store: FlagStore) -> Bool {
            let colour: Flags.billing.CheckoutButtonColor = store.value(Flags.billing.checkoutButtonColor)
            let limit: Int = store.value(Flags.api.rateLimit)
            let ratio: Double = store.value(Flags.api.ratio)
            let layout: [String: JSONValue] = store.value(Flags.ui.layout)
            return store.isEnabled(Flags.billing.invoiceAutoGenerate) && colour == .green && limit > 0 && ratio > 0 && !layout.isEmpty
        }

        """

    /// `swiftc -typecheck` of the files against this build's modules: its exit status and what it printed.
    static func typecheck(_ files: [URL]) throws -> (status: Int32, output: String)? {
        let build = try Flagc.executable().deletingLastPathComponent()
        // FlagRuntime's C modules, which a client importing it loads too.
        let modules = build.appendingPathComponent("Modules")
        let moduleMaps = ["CSHA256", "CFlagThreadSlots"].map { build.appendingPathComponent("\($0).build/module.modulemap") }
        guard FileManager.default.fileExists(atPath: modules.appendingPathComponent("FlagRuntime.swiftmodule").path),
              moduleMaps.allSatisfy({ FileManager.default.fileExists(atPath: $0.path) }) else {
            print("SKIPPED: GenerateCommandTests: no FlagRuntime module under \(modules.path); the generated code was not compiled")
            return nil
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["swiftc", "-typecheck", "-I", modules.path] + moduleMaps.flatMap { ["-Xcc", "-fmodule-map-file=\($0.path)"] }
            + files.map(\.path)
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }

    @Test func generatedHandlesCompileAndCatchMistakes() throws {
        try withSandbox { sandbox in
            try sandbox.write("flags/flags.yaml", Self.flags)
            let run = try sandbox.flagc(["generate", "swift", "flags", "--out", "Flags.swift", "--now", "2026-06-01T00:00:00Z"])
            #expect(run.status == 0, "\(run)")
            #expect(run.stderr == "wrote Flags.swift: 5 flag handles\n", "\(run)")
            let source = String(decoding: try sandbox.contents("Flags.swift"), as: UTF8.self)
            #expect(source.contains("static let invoiceAutoGenerate = FlagHandle<Bool>(\"billing.invoice_auto_generate\", default: false)"))
            #expect(source.contains("enum CheckoutButtonColor: String, FlagValueConvertible, CaseIterable, Sendable {"))
            #expect(source.contains("static let checkoutButtonColor = FlagHandle<CheckoutButtonColor>(\"billing.checkout_button_color\", default: .green)"))
            #expect(source.contains("static let layout = FlagHandle<[String: JSONValue]>(\"ui.layout\", default: [\"columns\": 3, \"dense\": false])"))
            #expect(source.contains("/// - Type: release"))
            // Written only when its bytes change.
            #expect(try sandbox.flagc(["generate", "swift", "flags", "--out", "Flags.swift", "--now", "2026-06-01T00:00:00Z"]).stderr.hasPrefix("unchanged Flags.swift"))

            try sandbox.write("Use.swift", Self.usage)
            guard let good = try Self.typecheck([sandbox.url("Flags.swift"), sandbox.url("Use.swift")]) else { return }
            #expect(good.status == 0, "\(good.output)")
            // The colour flag expired on 2026-05-31: code that reads it still compiles, with a warning.
            #expect(good.output.contains("warning: 'checkoutButtonColor' is deprecated: flag 'billing.checkout_button_color' expired at the end of 2026-05-31"), "\(good.output)")
            #expect(!good.output.contains("invoiceAutoGenerate' is deprecated"))

            // A misspelled accessor does not compile.
            try sandbox.write("Typo.swift", "import FlagRuntime\nfunc typo(_ store: FlagStore) -> Bool { store.isEnabled(Flags.billing.invoiceAutoGenerat) }\n")
            let typo = try #require(try Self.typecheck([sandbox.url("Flags.swift"), sandbox.url("Typo.swift")]))
            #expect(typo.status != 0 && typo.output.contains("error: type 'Flags.billing' has no member 'invoiceAutoGenerat'"), "\(typo.output)")

            // Nor does code reading a flag that was removed from the files.
            try sandbox.write("flags/flags.yaml", Self.flags.replacingOccurrences(of: "  billing.invoice_auto_generate:", with: "  billing.invoice_manual:"))
            #expect(try sandbox.flagc(["generate", "swift", "flags", "--out", "Flags.swift"]).status == 0)
            let removed = try #require(try Self.typecheck([sandbox.url("Flags.swift"), sandbox.url("Use.swift")]))
            #expect(removed.status != 0 && removed.output.contains("has no member 'invoiceAutoGenerate'"), "\(removed.output)")
        }
    }

    @Test func collisionsAndSnapshotsAndUsageErrors() throws {
        try withSandbox { sandbox in
            try sandbox.write("flags/a.yaml", "flags:\n  billing.invoice_auto:\n    description: A\n    owner: t\n    default: false\n  billing.invoice.auto:\n    description: B\n    owner: t\n    default: true\n")
            let collision = try sandbox.flagc(["generate", "swift", "flags"])
            #expect(collision.status == 1 && collision.stderr.contains("flags 'billing.invoice.auto' and 'billing.invoice_auto' both become Flags.billing.invoiceAuto; rename one of them"), "\(collision)")

            try sandbox.write("flags/a.yaml", Self.flags)
            #expect(try sandbox.flagc(["compile", "flags", "--out", "build"]).status == 0)
            let fromSnapshot = try sandbox.flagc(["generate", "swift", "--snapshot", "build/snapshot.bin", "--access", "public", "--namespace", "Features"])
            #expect(fromSnapshot.status == 0, "\(fromSnapshot)")
            #expect(fromSnapshot.stdout.contains("public enum Features {") && fromSnapshot.stdout.contains("public static let invoiceAutoGenerate"), "\(fromSnapshot)")
            for arguments in [["--access", "open"], ["--namespace", "1Flags"], ["--snapshot", "missing.bin"], ["--now", "soon"]] {
                #expect(try sandbox.flagc(["generate", "swift"] + arguments).status == 2, "\(arguments)")
            }
        }
    }
}

/// `flagc compile --openfeature-manifest`: the OpenFeature CLI's flag manifest, written with the other outputs.
@Suite struct OpenFeatureManifestTests {
    @Test func theManifestHasEachFlagsTypeDefaultAndDescription() throws {
        try withSandbox { sandbox in
            try sandbox.write("flags/flags.yaml", GenerateCommandTests.flags)
            let run = try sandbox.flagc(["compile", "flags", "--out", "build", "--openfeature-manifest", "build/manifest.json"])
            #expect(run.status == 0, "\(run)")
            #expect(run.stdout.contains("wrote build/manifest.json (OpenFeature manifest)"), "\(run)")
            let document = try #require(try JSONSerialization.jsonObject(with: try sandbox.contents("build/manifest.json")) as? [String: Any])
            let flags = try #require(document["flags"] as? [String: [String: Any]])
            #expect(flags.keys.sorted() == ["api.rate_limit", "api.ratio", "billing.checkout_button_color", "billing.invoice_auto_generate", "ui.layout"])
            #expect(flags["billing.invoice_auto_generate"]?["flagType"] as? String == "boolean")
            #expect(flags["billing.invoice_auto_generate"]?["defaultValue"] as? Bool == false)
            #expect(flags["billing.invoice_auto_generate"]?["description"] as? String == "Generate invoices automatically.")
            #expect(flags["billing.checkout_button_color"]?["defaultValue"] as? String == "#2da44e")
            #expect(flags["api.rate_limit"]?["flagType"] as? String == "integer" && flags["api.ratio"]?["flagType"] as? String == "float")
            #expect((flags["ui.layout"]?["defaultValue"] as? [String: Any])?["columns"] as? Int == 3)
            // The same bytes again: unchanged.
            #expect(try sandbox.flagc(["compile", "flags", "--out", "build", "--openfeature-manifest", "build/manifest.json"]).stdout.contains("unchanged build/manifest.json"))
            // A folder is a usage error; flag errors write nothing.
            #expect(try sandbox.flagc(["compile", "flags", "--out", "build", "--openfeature-manifest", "build"]).status == 2)
            try sandbox.write("flags/flags.yaml", "flags:\n  a.b: {}\n")
            #expect(try sandbox.flagc(["compile", "flags", "--out", "other", "--openfeature-manifest", "other/manifest.json"]).status == 1)
            #expect(!sandbox.exists("other/manifest.json"))
        }
    }
}
