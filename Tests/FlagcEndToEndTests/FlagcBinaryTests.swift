import FlagRuntime
import Foundation
import GitTestSupport
import Testing

/// End-to-end tests: run the built `flagc` binary and check standard output, standard error and the exit status.
///
/// Every test works in its own temporary folder (see `Sandbox`) and runs `flagc` there, so diagnostics show
/// short relative paths and tests can run in parallel. Dates are pinned with `--now`.
@Suite("flagc binary")
struct FlagcBinaryTests {
    // MARK: - Fixtures

    /// Errors in three files, chosen so that any other sort shows: string order of line numbers (12 and 13
    /// before 4), rule-id order (key-naming before rollout-range), message order ('colour' before 'defualt'),
    /// and the order the files are written in all differ from file → line → column.
    static let errorFiles: [String: String] = [
        "flags/sub/c.yaml": """
            # Defines demo.alpha a second time.
            flags:
              demo.alpha:
                description: Alpha again
                owner: team-demo
                default: true
              demo.epsilon:
                description: Epsilon
                owner: team-demo
                default: false
                rules:
                  - when: { segments: [staff] }
                    serve: true

            """,
        "flags/b.yaml": """
            flags:
              demo.delta:
                description: Delta
                owner: team-demo
                variants: { blue: "#00f", green: "#0f0" }
                default: red
              demo.zeta: { description: Zeta, owner: team-demo, default: false, defualt: true, colour: red }

            """,
        "flags/a.yaml": """
            flags:
              demo.alpha:
                description: Alpha
                defualt: false
                owner: team-demo
                default: false
              demo.beta:
                description: Beta
                owner: team-demo
                default: false
                rules:
                  - rollout: 150
              Demo-Gamma:
                description: Gamma
                owner: team-demo
                default: true

            """,
    ]

    /// The diagnostics `errorFiles` produce, in reporting order: (file, line, column, severity, rule).
    static let expectedErrors: [(String, Int, Int, String, String)] = [
        ("flags/a.yaml", 4, 5, "error", "unknown-field"),
        ("flags/a.yaml", 12, 18, "error", "rollout-range"),
        ("flags/a.yaml", 13, 3, "error", "key-naming"),
        ("flags/b.yaml", 6, 14, "error", "default-unknown-variant"),
        ("flags/b.yaml", 7, 69, "error", "unknown-field"),
        ("flags/b.yaml", 7, 84, "error", "unknown-field"),
        ("flags/sub/c.yaml", 3, 3, "error", "duplicate-flag"),
        ("flags/sub/c.yaml", 12, 28, "error", "unknown-segment"),
    ]

    /// Only warnings: an expired flag and an unreachable rule.
    static let warningFile = """
        flags:
          demo.old:
            description: Old flag
            owner: team-demo
            expires: 2026-05-31
            default: false
            rules:
              - serve: true
              - when: { users: [ada] }
                serve: false

        """

    // MARK: - validate: text

    @Test func validateCleanFolderExitsZeroWithSummary() throws {
        try withSandbox { sandbox in
            try sandbox.copyFixture("project", to: "project")
            let run = try sandbox.flagc(["validate", "project/flags"] + fixedNow)
            #expect(run.status == 0, "\(run)")
            #expect(run.stdout == "0 errors, 0 warnings in 3 files\n", "\(run)")
            #expect(run.stderr.isEmpty, "\(run)")
        }
    }

    @Test func validateDefaultsToFlagsFolderAndCountsOneFile() throws {
        try withSandbox { sandbox in
            try sandbox.write("flags/demo.yaml", booleanFlag())
            let noPath = try sandbox.flagc(["validate"] + fixedNow)
            #expect(noPath.status == 0, "\(noPath)")
            #expect(noPath.stdout == "0 errors, 0 warnings in 1 file\n", "\(noPath)")

            let singleFile = try sandbox.flagc(["validate", "flags/demo.yaml"] + fixedNow)
            #expect(singleFile.status == 0, "\(singleFile)")
            #expect(singleFile.stdout == "0 errors, 0 warnings in 1 file\n", "\(singleFile)")
        }
    }

    @Test func validateReportsEveryDiagnosticOfEveryFileSorted() throws {
        try withSandbox { sandbox in
            try sandbox.write(Self.errorFiles)
            let run = try sandbox.flagc(["validate", "flags"] + fixedNow)
            #expect(run.status == 1, "\(run)")
            #expect(run.stderr.isEmpty, "\(run)")

            let lines = run.stdoutLines
            let diagnostics = lines.compactMap(TextDiagnostic.init)
            let expected = Self.expectedErrors.map { "\($0.0):\($0.1):\($0.2): \($0.3)[\($0.4)]:" }
            #expect(diagnostics.map(\.prefix) == expected, "\(run)")
            for diagnostic in diagnostics {
                #expect(!diagnostic.message.trimmingCharacters(in: .whitespaces).isEmpty, "empty message: \(diagnostic)")
            }

            // Independently of the expected list: sorted by file (bytes), then line, then column (numerically).
            let keys = diagnostics.map { (Array($0.file.utf8), $0.line, $0.column) }
            for (before, after) in zip(keys, keys.dropFirst()) {
                let ordered = before.0.lexicographicallyPrecedes(after.0)
                    || (before.0 == after.0 && (before.1, before.2) <= (after.1, after.2))
                #expect(ordered, "not in file/line/column order: \(before) then \(after)")
            }

            // Every line is a diagnostic, a note under one, or the final summary.
            #expect(lines.last == "8 errors, 0 warnings in 3 files", "\(run)")
            for line in lines.dropLast() where TextDiagnostic(line) == nil {
                #expect(line.range(of: #"^[^ ]+:[0-9]+:[0-9]+: note: .+"#, options: .regularExpression) != nil, "unexpected line: \(line)")
            }

            // Stable wording: the misspelt field and its suggestion; the duplicate's note points at the first definition.
            #expect(diagnostics[0].message.contains("'defualt'") && diagnostics[0].message.contains("'default'"))
            #expect(diagnostics[2].message.contains("'Demo-Gamma'"))
            let duplicateIndex = try #require(lines.firstIndex { $0.hasPrefix("flags/sub/c.yaml:3:3: error[duplicate-flag]: ") })
            #expect(lines[duplicateIndex + 1].hasPrefix("flags/a.yaml:2:3: note: "), "\(run)")
        }
    }

    @Test func warningsOnlyPassUnlessStrict() throws {
        try withSandbox { sandbox in
            try sandbox.write("flags/old.yaml", Self.warningFile)

            let lenient = try sandbox.flagc(["validate", "flags"] + fixedNow)
            #expect(lenient.status == 0, "\(lenient)")
            #expect(lenient.stdoutLines.compactMap(TextDiagnostic.init).map(\.prefix) == [
                "flags/old.yaml:5:14: warning[flag-expired]:",
                "flags/old.yaml:9:9: warning[unreachable-rule]:",
            ], "\(lenient)")
            #expect(lenient.stdoutLines.last == "0 errors, 2 warnings in 1 file", "\(lenient)")

            let strict = try sandbox.flagc(["validate", "flags", "--strict"] + fixedNow)
            #expect(strict.status == 1, "\(strict)")
            #expect(strict.stdout == lenient.stdout, "--strict changes the status, not the report")
        }
    }

    /// `--now` decides the date checks; an offset is honoured (01:00+02:00 is still 31 May in UTC).
    @Test(arguments: [
        ("2026-05-31T23:59:59Z", false),
        ("2026-06-01T01:00:00+02:00", false),
        ("2026-06-01T00:00:00Z", true),
        ("2027-01-01T00:00:00Z", true),
    ])
    func nowDecidesExpiry(now: String, expired: Bool) throws {
        try withSandbox { sandbox in
            try sandbox.write("flags/demo.yaml", booleanFlag(extra: "    expires: 2026-05-31\n"))
            let run = try sandbox.flagc("validate", "flags", "--now", now)
            #expect(run.status == 0, "\(run)")
            #expect(run.stdout.contains("warning[flag-expired]") == expired, "\(run)")
        }
    }

    // MARK: - validate: json

    @Test func jsonReportIsParseableCompleteAndStable() throws {
        try withSandbox { sandbox in
            try sandbox.write(Self.errorFiles)
            let run = try sandbox.flagc(["validate", "flags", "--format", "json"] + fixedNow)
            #expect(run.status == 1, "\(run)")
            #expect(run.stderr.isEmpty, "\(run)")

            let document = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], "\(run)")
            #expect(document["version"] as? Int == 1)
            let summary = try #require(document["summary"] as? [String: Any])
            #expect(summary["errors"] as? Int == 8)
            #expect(summary["warnings"] as? Int == 0)
            #expect(summary["files"] as? Int == 3)

            let diagnostics = try #require(document["diagnostics"] as? [[String: Any]])
            #expect(diagnostics.count == Self.expectedErrors.count)
            for (diagnostic, expected) in zip(diagnostics, Self.expectedErrors) {
                #expect(diagnostic["file"] as? String == expected.0)
                #expect(diagnostic["line"] as? Int == expected.1)
                #expect(diagnostic["column"] as? Int == expected.2)
                #expect(diagnostic["severity"] as? String == expected.3)
                #expect(diagnostic["rule"] as? String == expected.4)
                let message = try #require(diagnostic["message"] as? String)
                #expect(!message.isEmpty)
            }
            let duplicate = try #require(diagnostics.first { $0["rule"] as? String == "duplicate-flag" })
            let related = try #require(duplicate["related"] as? [[String: Any]])
            #expect(related.count == 1)
            #expect(related.first?["file"] as? String == "flags/a.yaml")
            #expect(related.first?["line"] as? Int == 2)
            #expect(related.first?["column"] as? Int == 3)

            let again = try sandbox.flagc(["validate", "flags", "--format", "json"] + fixedNow)
            #expect(Array(again.stdout.utf8) == Array(run.stdout.utf8), "JSON output differs between two runs")
        }
    }

    @Test func jsonReportOfCleanAndWarningOnlyFolders() throws {
        try withSandbox { sandbox in
            try sandbox.copyFixture("project", to: "project")
            try sandbox.write("warn/old.yaml", Self.warningFile)

            let clean = try sandbox.flagc(["validate", "project/flags", "--format", "json"] + fixedNow)
            #expect(clean.status == 0, "\(clean)")
            let cleanDocument = try #require(try JSONSerialization.jsonObject(with: Data(clean.stdout.utf8)) as? [String: Any])
            #expect((cleanDocument["diagnostics"] as? [Any])?.isEmpty == true)
            #expect(cleanDocument["summary"] as? [String: Int] == ["errors": 0, "warnings": 0, "files": 3])

            let warnings = try sandbox.flagc(["validate", "warn", "--format", "json"] + fixedNow)
            #expect(warnings.status == 0, "\(warnings)")
            let warningDocument = try #require(try JSONSerialization.jsonObject(with: Data(warnings.stdout.utf8)) as? [String: Any])
            #expect(warningDocument["summary"] as? [String: Int] == ["errors": 0, "warnings": 2, "files": 1])
            let severities = (warningDocument["diagnostics"] as? [[String: Any]])?.compactMap { $0["severity"] as? String }
            #expect(severities == ["warning", "warning"])

            let strict = try sandbox.flagc(["validate", "warn", "--format", "json", "--strict"] + fixedNow)
            #expect(strict.status == 1, "\(strict)")
        }
    }

    /// Text, JSON and GitHub output list the same diagnostics in the same order.
    @Test func formatsAgree() throws {
        try withSandbox { sandbox in
            try sandbox.write(Self.errorFiles)
            try sandbox.write("flags/old.yaml", Self.warningFile)
            let text = try sandbox.flagc(["validate", "flags"] + fixedNow)
            let json = try sandbox.flagc(["validate", "flags", "--format", "json"] + fixedNow)
            let github = try sandbox.flagc(["validate", "flags", "--format", "github"] + fixedNow)
            #expect(text.status == 1 && json.status == 1 && github.status == 1)

            let fromText = text.stdoutLines.compactMap(TextDiagnostic.init).map { "\($0.file) \($0.line) \($0.column) \($0.severity) \($0.rule)" }
            let document = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
            let fromJSON = (document["diagnostics"] as? [[String: Any]] ?? []).map {
                "\($0["file"] as? String ?? "?") \($0["line"] as? Int ?? -1) \($0["column"] as? Int ?? -1) \($0["severity"] as? String ?? "?") \($0["rule"] as? String ?? "?")"
            }
            let fromGitHub = github.stdoutLines.compactMap { line -> String? in
                guard let match = line.firstMatch(of: /^::(error|warning) file=([^,]*),line=(\d+),col=(\d+),title=flagc ([a-z0-9-]+)::.+$/) else { return nil }
                return "\(match.2) \(match.3) \(match.4) \(match.1) \(match.5)"
            }
            #expect(fromText.count == 10)
            #expect(fromJSON == fromText)
            #expect(fromGitHub == fromText)
            // Every other github line is a notice for a related place ("first defined here").
            #expect(github.stdoutLines.filter { !$0.hasPrefix("::notice file=") }.count == fromGitHub.count, "every github line is a workflow command: \(github)")
            #expect(github.stdoutLines.filter { $0.hasPrefix("::notice file=") }.count == text.stdoutLines.filter { $0.contains(": note: ") }.count, "\(github)")
        }
    }

    // MARK: - validate: sarif

    /// Errors with related places, a warning, and one silenced by '# flagc:ignore' (checked against OASIS's SARIF
    /// schema by .ci/run).
    @Test func sarifReport() throws {
        try withSandbox { sandbox in
            try sandbox.write(Self.errorFiles)
            try sandbox.write("flags/old.yaml", "# flagc:ignore unreachable-rule kept for the audit\n" + Self.warningFile)
            let run = try sandbox.flagc(["validate", "flags", "--format", "sarif"] + fixedNow)
            #expect(run.status == 1, "\(run)")
            try expectGolden(run.stdout, fixture: "validate/report.sarif")
            #expect(run.stdout.contains("\"justification\": \"kept for the audit\""), "\(run)")
        }
    }

    // MARK: - validate: github

    @Test func githubAnnotations() throws {
        try withSandbox { sandbox in
            try sandbox.write("flags/a.yaml", Self.errorFiles["flags/a.yaml"]!)
            try sandbox.write("flags/old.yaml", Self.warningFile)
            let run = try sandbox.flagc(["validate", "flags", "--format", "github"] + fixedNow)
            #expect(run.status == 1, "\(run)")
            #expect(run.stderr.isEmpty, "\(run)")
            let prefixes = [
                "::error file=flags/a.yaml,line=4,col=5,title=flagc unknown-field::",
                "::error file=flags/a.yaml,line=12,col=18,title=flagc rollout-range::",
                "::error file=flags/a.yaml,line=13,col=3,title=flagc key-naming::",
                "::warning file=flags/old.yaml,line=5,col=14,title=flagc flag-expired::",
                "::warning file=flags/old.yaml,line=9,col=9,title=flagc unreachable-rule::",
            ]
            // A related place is an annotation of its own, at its own line.
            let lines = run.stdoutLines.filter { !$0.hasPrefix("::notice file=") }
            #expect(run.stdoutLines.contains { $0.hasPrefix("::notice file=flags/old.yaml,line=") && $0.hasSuffix("(see flags/old.yaml:9)") }, "\(run)")
            #expect(lines.count == prefixes.count, "no summary in github format: \(run)")
            for (line, prefix) in zip(lines, prefixes) {
                #expect(line.hasPrefix(prefix), "\(line) does not start with \(prefix)")
                #expect(line.count > prefix.count, "empty message: \(line)")
            }
        }
    }

    @Test func githubCleanFolderPrintsNothing() throws {
        try withSandbox { sandbox in
            try sandbox.copyFixture("project", to: "project")
            let run = try sandbox.flagc(["validate", "project/flags", "--format", "github"] + fixedNow)
            #expect(run.status == 0, "\(run)")
            #expect(run.stdout.isEmpty, "\(run)")
            #expect(run.stderr.isEmpty, "\(run)")
        }
    }

    /// Property values escape `%`, `,` and `:`; messages escape `%`, CR and LF (as GitHub's toolkit does).
    @Test func githubEscapesPathsAndMessages() throws {
        try withSandbox { sandbox in
            try sandbox.write("a,b:c/x%y.yaml", booleanFlag("demo.100%") + booleanFlag("\"demo\\nline\"").replacingOccurrences(of: "flags:\n", with: ""))
            let run = try sandbox.flagc(["validate", "a,b:c", "--format", "github"] + fixedNow)
            #expect(run.status == 1, "\(run)")
            let lines = run.stdoutLines
            #expect(lines.count == 2, "a newline in a message must not split the command: \(run)")
            let percent = try #require(lines.first { $0.contains("100") }, "\(run)")
            #expect(percent.hasPrefix("::error file=a%2Cb%3Ac/x%25y.yaml,line=2,col=3,title=flagc key-naming::"), "\(percent)")
            #expect(percent.contains("'demo.100%25'"), "\(percent)")
            #expect(!percent.contains("'demo.100%'"), "\(percent)")
            let newline = try #require(lines.first { $0.contains("line'") }, "\(run)")
            #expect(newline.hasPrefix("::error file=a%2Cb%3Ac/x%25y.yaml,line=6,col=3,title=flagc key-naming::"), "\(newline)")
            #expect(newline.contains("'demo%0Aline'"), "\(newline)")
            // After the `::` that ends the properties, a `%` is only ever the start of an escape.
            for line in lines {
                let message = line[line.range(of: "::", options: .backwards)!.upperBound...]
                #expect(message.firstMatch(of: /%(?!25|0A|0D)/) == nil, "unescaped %: \(line)")
            }

            // The text format prints the path as it is.
            let text = try sandbox.flagc(["validate", "a,b:c"] + fixedNow)
            #expect(text.stdoutLines.compactMap(TextDiagnostic.init).first?.prefix == "a,b:c/x%y.yaml:2:3: error[key-naming]:", "\(text)")
        }
    }

    // MARK: - usage errors

    @Test(arguments: [
        (["validate", "flags", "--bogus"], "--bogus"),
        (["validate", "no-such-folder"], "'no-such-folder' does not exist"),
        (["validate", "empty"], "'empty' holds no flag files"),
        (["validate", "flags", "--now", "garbage"], "--now 'garbage'"),
        (["validate", "flags", "--now", "2026-06-01"], "--now '2026-06-01'"),
        (["validate", "flags", "--format", "xml"], "'xml'"),
        (["validate", "flags", "--env", "production"], "--env"),
        (["compile", "flags"], "--out"),
        (["compile", "flags", "--out", "out", "--env", "prod"], "--env 'prod'"),
        (["compile", "no-such-folder", "--out", "out"], "'no-such-folder' does not exist"),
        (["compile", "flags", "--out", "out", "--format", "xml"], "'xml'"),
        (["frobnicate"], "frobnicate"),
    ])
    func usageErrorsExitTwo(arguments: [String], stderrMentions: String) throws {
        try withSandbox { sandbox in
            try sandbox.write("flags/flagc.yaml", "environments: [development, staging, production]\n")
            try sandbox.write("flags/demo.yaml", booleanFlag())
            try sandbox.write("empty/README.txt", "no flags here\n")
            let pinNow = ["validate", "compile"].contains(arguments[0]) && !arguments.contains("--now")
            let run = try sandbox.flagc(arguments + (pinNow ? fixedNow : []))
            #expect(run.status == 2, "\(run)")
            #expect(run.stdout.isEmpty, "\(run)")
            #expect(run.stderr.contains(stderrMentions), "\(run)")
            #expect(!sandbox.exists("out"), "a usage error must not write anything")
        }
    }

    @Test func unknownEnvironmentMessageListsDeclaredOnes() throws {
        try withSandbox { sandbox in
            try sandbox.copyFixture("project", to: "project")
            let run = try sandbox.flagc(["compile", "project/flags", "--out", "out", "--env", "prod"] + fixedNow)
            #expect(run.status == 2, "\(run)")
            #expect(run.stderr.hasPrefix("error: --env 'prod'"), "\(run)")
            #expect(run.stderr.contains("development, staging, production"), "\(run)")
            #expect(!sandbox.exists("out"))
        }
    }

    // MARK: - compile

    @Test func compileWritesThenReportsUnchangedWithoutTouchingTheFile() throws {
        try withSandbox { sandbox in
            try sandbox.copyFixture("project", to: "project")
            let arguments = ["compile", "project/flags", "--out", "out", "--revision", "r1"] + fixedNow

            let first = try sandbox.flagc(arguments)
            #expect(first.status == 0, "\(first)")
            #expect(first.stderr.isEmpty, "\(first)")
            let wrote = try #require(first.stdout.wholeMatch(of: /wrote out\/snapshot\.json and out\/snapshot\.bin: 3 flags, id ([0-9a-f]{64})\n/), "\(first)")
            #expect(try sandbox.listing("out") == ["snapshot.bin", "snapshot.json"], "no temporary file may be left behind")
            let bytes = try sandbox.contents("out/snapshot.json")
            let snapshot = try Snapshot(jsonBytes: [UInt8](bytes))
            #expect(snapshot.id == String(wrote.1))
            #expect(snapshot.flags.map(\.key) == ["billing.invoice_auto_generate", "checkout.payments.retry_limit", "ui.theme"])

            // Back-date the file: if the second run rewrote it, even within the same clock tick, the date would move.
            let past = Date(timeIntervalSince1970: 1_000_000_000)
            try sandbox.setModificationDate(past, of: "out/snapshot.json")
            let second = try sandbox.flagc(arguments)
            #expect(second.status == 0, "\(second)")
            #expect(second.stdout == "unchanged out/snapshot.json and out/snapshot.bin: 3 flags, id \(wrote.1)\n", "\(second)")
            #expect(second.stderr.isEmpty, "\(second)")
            #expect(try sandbox.modificationDate("out/snapshot.json") == past, "an unchanged snapshot must not be rewritten")
            #expect(try sandbox.contents("out/snapshot.json") == bytes)
            #expect(try sandbox.listing("out") == ["snapshot.bin", "snapshot.json"])

            // A change to the flags rewrites it, with a new id.
            try sandbox.write("project/flags/extra.yaml", booleanFlag("extra.feature"))
            let third = try sandbox.flagc(arguments)
            #expect(third.status == 0, "\(third)")
            let rewrote = try #require(third.stdout.wholeMatch(of: /wrote out\/snapshot\.json and out\/snapshot\.bin: 4 flags, id ([0-9a-f]{64})\n/), "\(third)")
            #expect(rewrote.1 != wrote.1)
            #expect(try sandbox.modificationDate("out/snapshot.json") != past)
            #expect(try sandbox.listing("out") == ["snapshot.bin", "snapshot.json"])
        }
    }

    @Test func compileCreatesMissingOutputFolders() throws {
        try withSandbox { sandbox in
            try sandbox.write("flags/demo.yaml", booleanFlag())
            let run = try sandbox.flagc(["compile", "flags", "--out", "build/deep/er"] + fixedNow)
            #expect(run.status == 0, "\(run)")
            #expect(run.stdout.hasPrefix("wrote build/deep/er/snapshot.json and build/deep/er/snapshot.bin: 1 flags, id "), "\(run)")
            #expect(try sandbox.listing("build/deep/er") == ["snapshot.bin", "snapshot.json"])
        }
    }

    @Test func compileWithAnErrorWritesNothing() throws {
        try withSandbox { sandbox in
            try sandbox.write("flags/a.yaml", Self.errorFiles["flags/a.yaml"]!)

            // No output folder yet: none is created.
            let fresh = try sandbox.flagc(["compile", "flags", "--out", "out"] + fixedNow)
            #expect(fresh.status == 1, "\(fresh)")
            #expect(fresh.stdout.isEmpty, "\(fresh)")
            #expect(fresh.stderr.contains("flags/a.yaml:4:5: error[unknown-field]: "), "\(fresh)")
            #expect(fresh.stderr.contains("3 errors, 0 warnings in 1 file"), "\(fresh)")
            #expect(fresh.stderr.contains("nothing written"), "\(fresh)")
            #expect(!sandbox.exists("out"))

            // An existing snapshot stays byte-identical (and is not touched).
            let old = Data("{\"previous\": true}\n".utf8)
            try sandbox.write("kept/snapshot.json", String(decoding: old, as: UTF8.self))
            let past = Date(timeIntervalSince1970: 1_000_000_000)
            try sandbox.setModificationDate(past, of: "kept/snapshot.json")
            let existing = try sandbox.flagc(["compile", "flags", "--out", "kept"] + fixedNow)
            #expect(existing.status == 1, "\(existing)")
            #expect(existing.stdout.isEmpty, "\(existing)")
            #expect(try sandbox.contents("kept/snapshot.json") == old)
            #expect(try sandbox.modificationDate("kept/snapshot.json") == past)
            #expect(try sandbox.listing("kept") == ["snapshot.json"])
        }
    }

    @Test func compileWithWarningsWritesUnlessStrict() throws {
        try withSandbox { sandbox in
            try sandbox.write("flags/old.yaml", Self.warningFile)

            let strict = try sandbox.flagc(["compile", "flags", "--out", "strict", "--strict"] + fixedNow)
            #expect(strict.status == 1, "\(strict)")
            #expect(strict.stdout.isEmpty, "\(strict)")
            #expect(strict.stderr.contains("flags/old.yaml:5:14: warning[flag-expired]: "), "\(strict)")
            #expect(strict.stderr.contains("nothing written"), "\(strict)")
            #expect(!sandbox.exists("strict"))

            let lenient = try sandbox.flagc(["compile", "flags", "--out", "out"] + fixedNow)
            #expect(lenient.status == 0, "\(lenient)")
            #expect(lenient.stdout.hasPrefix("wrote out/snapshot.json and out/snapshot.bin: 1 flags, id "), "\(lenient)")
            #expect(lenient.stderr.contains("flags/old.yaml:5:14: warning[flag-expired]: "), "warnings still go to stderr: \(lenient)")
            #expect(lenient.stderr.contains("0 errors, 2 warnings in 1 file"), "\(lenient)")
            #expect(sandbox.exists("out/snapshot.json"))
        }
    }

    /// With --format json, compile puts the JSON report on stderr (even when clean) and keeps stdout for the result.
    @Test func compileJSONReportGoesToStandardError() throws {
        try withSandbox { sandbox in
            try sandbox.write("flags/old.yaml", Self.warningFile)
            let run = try sandbox.flagc(["compile", "flags", "--out", "out", "--format", "json"] + fixedNow)
            #expect(run.status == 0, "\(run)")
            #expect(run.stdout.hasPrefix("wrote out/snapshot.json and out/snapshot.bin: "), "\(run)")
            let document = try #require(try JSONSerialization.jsonObject(with: Data(run.stderr.utf8)) as? [String: Any], "\(run)")
            #expect(document["summary"] as? [String: Int] == ["errors": 0, "warnings": 2, "files": 1])
        }
    }

    /// The same flags, in other folders, files, order, styles and comments, compile to the same bytes.
    @Test func compileIsIndependentOfLayoutAndComments() throws {
        try withSandbox { sandbox in
            try sandbox.copyFixture("project", to: "one")
            try sandbox.copyFixture("project-reshuffled", to: "two")
            let first = try sandbox.flagc(["compile", "one/flags", "--out", "out-one", "--revision", "abc"] + fixedNow)
            let second = try sandbox.flagc(["compile", "two/definitions", "--out", "out-two", "--revision", "abc"] + fixedNow)
            #expect(first.status == 0, "\(first)")
            #expect(second.status == 0, "\(second)")
            let one = try sandbox.contents("out-one/snapshot.json")
            let two = try sandbox.contents("out-two/snapshot.json")
            #expect(one == two, "snapshots differ:\n\(String(decoding: one, as: UTF8.self))\n---\n\(String(decoding: two, as: UTF8.self))")
        }
    }

    @Test func compileForAnEnvironmentDropsOtherEnvironmentsRules() throws {
        try withSandbox { sandbox in
            try sandbox.write("flags/flagc.yaml", "environments: [development, staging, production]\n")
            try sandbox.write("flags/demo.yaml", booleanFlag(extra: """
                    rules:
                      - when: { environments: [staging] }
                        serve: true
                      - when: { environments: [production], users: [ada] }
                        serve: true

                """))
            let all = try sandbox.flagc(["compile", "flags", "--out", "all"] + fixedNow)
            let production = try sandbox.flagc(["compile", "flags", "--out", "production", "--env", "production"] + fixedNow)
            #expect(all.status == 0, "\(all)")
            #expect(production.status == 0, "\(production)")

            let allJSON = try Self.snapshotObject(sandbox, "all")
            #expect(allJSON["environment"] == nil)
            #expect(Self.rules(allJSON, "demo.feature").count == 2)

            let productionJSON = try Self.snapshotObject(sandbox, "production")
            #expect(productionJSON["environment"] as? String == "production")
            let rules = Self.rules(productionJSON, "demo.feature")
            #expect(rules.count == 1, "the staging rule is dropped: \(rules)")
            #expect(productionJSON["environments"] as? [String] == ["development", "staging", "production"], "the declared environments stay, so a store can refuse the others")
            let flagsText = String(decoding: try JSONSerialization.data(withJSONObject: productionJSON["flags"] as Any), as: UTF8.self)
            #expect(!flagsText.contains("staging"), "\(flagsText)")
            let text = String(decoding: try sandbox.contents("production/snapshot.json"), as: UTF8.self)
            #expect(text.contains("\"ada\""), "\(text)")

            let decoded = try Snapshot(jsonBytes: [UInt8](try sandbox.contents("production/snapshot.json")))
            #expect(decoded.environment == "production")
            #expect(decoded.flag("demo.feature")?.rules.count == 1)
        }
    }

    @Test func compileRecordsTheRevisionOutsideTheID() throws {
        try withSandbox { sandbox in
            try sandbox.write("flags/demo.yaml", booleanFlag())
            let first = try sandbox.flagc(["compile", "flags", "--out", "a", "--revision", "abc123"] + fixedNow)
            let second = try sandbox.flagc(["compile", "flags", "--out", "b", "--revision", "def456"] + fixedNow)
            #expect(first.status == 0 && second.status == 0, "\(first)\n\(second)")
            let a = try Self.snapshotObject(sandbox, "a")
            let b = try Self.snapshotObject(sandbox, "b")
            #expect(a["revision"] as? String == "abc123")
            #expect(b["revision"] as? String == "def456")
            #expect(a["id"] as? String == b["id"] as? String, "the id covers the flags, not the revision")
            #expect(try sandbox.listing("a") == ["snapshot.bin", "snapshot.json"])
        }
    }

    @Test func compileIntoAPathThatIsAFileFails() throws {
        try withSandbox { sandbox in
            try sandbox.write("flags/demo.yaml", booleanFlag())
            try sandbox.write("occupied", "not a folder\n")
            let run = try sandbox.flagc(["compile", "flags", "--out", "occupied"] + fixedNow)
            #expect(run.status == 2, "a folder that is a file is a usage error: \(run)")
            #expect(run.stdout.isEmpty, "\(run)")
            #expect(run.stderr.hasPrefix("error: "), "\(run)")
            #expect(try sandbox.contents("occupied") == Data("not a folder\n".utf8))
        }
    }

    // MARK: - version, help and rules

    @Test func version() throws {
        try withSandbox { sandbox in
            let run = try sandbox.flagc("--version")
            #expect(run.status == 0, "\(run)")
            // A plain `swift build` names no commit; scripts/build-static-flagc.sh does (scripts/check-static-binary.sh
            // checks it prints the checkout's).
            #expect(run.stdout.wholeMatch(of: /\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?( \(commit [0-9a-f]{40}(-dirty)?\))?\n/) != nil, "\(run)")
            #expect(run.stderr.isEmpty, "\(run)")
        }
    }

    @Test func help() throws {
        try withSandbox { sandbox in
            let run = try sandbox.flagc("--help")
            #expect(run.status == 0, "\(run)")
            for subcommand in ["validate", "compile", "rules"] {
                #expect(run.stdout.contains(subcommand), "\(run)")
            }
        }
    }

    @Test func rulesListsEveryRuleOnce() throws {
        try withSandbox { sandbox in
            let run = try sandbox.flagc("rules")
            #expect(run.status == 0, "\(run)")
            #expect(run.stderr.isEmpty, "\(run)")
            var severities: [String: String] = [:]
            var ids: [String] = []
            for line in run.stdoutLines {
                let match = try #require(line.wholeMatch(of: /([a-z0-9-]+) +(error|warning) +(\S.*)/), "unexpected line: \(line)")
                ids.append(String(match.1))
                severities[String(match.1)] = String(match.2)
            }
            #expect(ids == ids.sorted(), "rules are listed by id")
            #expect(Set(ids).count == ids.count, "each rule once")
            #expect(severities["key-naming"] == "error")
            #expect(severities["unknown-field"] == "error")
            #expect(severities["flag-expired"] == "warning")
            #expect(severities["unreachable-rule"] == "warning")
            // Every rule id these tests rely on is documented by `flagc rules`.
            let used = Set(Self.expectedErrors.map(\.4) + ["flag-expired", "unreachable-rule"])
            #expect(used.isSubset(of: Set(ids)), "missing: \(used.subtracting(ids))")
        }
    }

    // MARK: - edge cases of the command line

    /// A missing `--config` file is a missing path on the command line: a usage error (2).
    @Test
    func missingConfigIsAUsageError() throws {
        try withSandbox { sandbox in
            try sandbox.write("flags/demo.yaml", booleanFlag())
            let run = try sandbox.flagc(["validate", "flags", "--config", "missing.yaml"] + fixedNow)
            #expect(run.status == 2, "\(run)")
            #expect(run.stderr.contains("missing.yaml"), "\(run)")
        }
    }

    /// Text output is one diagnostic per line, even when a message quotes a key containing a newline.
    @Test
    func textDiagnosticsStayOnOneLine() throws {
        try withSandbox { sandbox in
            try sandbox.write("flags/demo.yaml", booleanFlag("\"demo\\nline\""))
            let run = try sandbox.flagc(["validate", "flags"] + fixedNow)
            #expect(run.status == 1, "\(run)")
            #expect(run.stdoutLines.count == 2, "one diagnostic line and the summary: \(run)")
            #expect(run.stdoutLines.first.flatMap(TextDiagnostic.init)?.prefix == "flags/demo.yaml:2:3: error[key-naming]:", "\(run)")
        }
    }

    /// `--out` naming an existing file is a readable usage error, not Foundation's raw NSError dump.
    @Test
    func outputFolderThatIsAFileHasAReadableMessage() throws {
        try withSandbox { sandbox in
            try sandbox.write("flags/demo.yaml", booleanFlag())
            try sandbox.write("occupied", "not a folder\n")
            let run = try sandbox.flagc(["compile", "flags", "--out", "occupied"] + fixedNow)
            #expect(run.status != 0, "\(run)")
            #expect(run.stderr.contains("occupied"), "\(run)")
            #expect(!run.stderr.contains("Domain="), "\(run)")
            #expect(run.stderrLines.count == 1, "\(run)")
        }
    }

    // MARK: - helpers

    static func snapshotObject(_ sandbox: Sandbox, _ folder: String) throws -> [String: Any] {
        let data = try sandbox.contents("\(folder)/snapshot.json")
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    static func rules(_ snapshot: [String: Any], _ key: String) -> [[String: Any]] {
        let flags = snapshot["flags"] as? [String: Any]
        let flag = flags?[key] as? [String: Any]
        return flag?["rules"] as? [[String: Any]] ?? []
    }
}

/// `validate --base REV`: a flag defined twice is reported in the file the change touched.
@Suite struct ChangedFileTests {
    @Test func aDuplicateIsReportedInTheFileTheChangeTouched() throws {
        let repository = try GitRepository()
        try repository.write("flags/billing.yaml", booleanFlag("billing.export"))
        try repository.commit("Billing", date: "2026-01-01T00:00:00Z")
        try repository.git("checkout", "--quiet", "-b", "feature")
        // The pull request adds a file that sorts first and defines the same key.
        try repository.write("flags/accounts.yaml", booleanFlag("billing.export"))
        try repository.commit("Accounts", date: "2026-01-02T00:00:00Z")

        let plain = try Flagc.run(["validate", "flags"] + fixedNow, in: repository.url)
        #expect(plain.status == 1)
        #expect(plain.stdoutLines.first?.hasPrefix("flags/billing.yaml:2:3: error[duplicate-flag]: flag 'billing.export' is already defined in flags/accounts.yaml:2") == true, "\(plain)")

        let based = try Flagc.run(["validate", "flags", "--base", "main"] + fixedNow, in: repository.url)
        #expect(based.status == 1)
        #expect(based.stdoutLines.first == "flags/accounts.yaml:2:3: error[duplicate-flag]: flag 'billing.export' is also defined in flags/billing.yaml:2, which this change did not touch; rename this one or remove one of them", "\(based)")
        #expect(based.stdoutLines.dropFirst().first == "flags/billing.yaml:2:3: note: the other definition", "\(based)")

        // Uncommitted and untracked files count as touched too.
        try repository.git("checkout", "--quiet", "main")
        try repository.write("flags/accounts.yaml", booleanFlag("billing.export"))
        let untracked = try Flagc.run(["validate", "flags", "--base", "main"] + fixedNow, in: repository.url)
        #expect(untracked.stdoutLines.first?.hasPrefix("flags/accounts.yaml:2:3: error[duplicate-flag]") == true, "\(untracked)")
        #expect(try Flagc.run(["validate", "flags", "--base", "no-such-branch"], in: repository.url).status == 2)
    }
}
