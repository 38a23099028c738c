import ArgumentParser
import FlagCompiler
import Foundation

/// `flagc init`: set a repository up for flags: a project config, an example flag with a test, and a CI workflow.
///
/// Nothing is overwritten: when any of the files exists, none is written and the command exits 1, naming them.
/// The files are written as one unit (each to a temporary file beside it, renamed into place once all were
/// written), and they pass `flagc validate` and `flagc test` as written.
struct Init: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Set a repository up for flags: flags/flagc.yaml, an example flag and its test, and a GitHub workflow.",
        discussion: """
            Writes flags/flagc.yaml, flags/example.yaml, flags/example.test.yaml and .github/workflows/flags.yml \
            under DIR. Refuses to overwrite: if any of them exists, nothing is written (exit status 1). When DIR \
            holds flagc's JSON Schemas in schemas/, the files point editors at them.
            """
    )

    @Argument(help: ArgumentHelp("The repository's folder.", valueName: "dir"))
    var directory: String = "."

    func run() async throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw CommandUsageError("'\(directory)' is a file; pass the repository's folder")
        }
        let files = InitFiles.make(schemasAvailable: { FileManager.default.fileExists(atPath: path("schemas/\($0)")) }, today: Date())
        let existing = files.map(\.path).filter { FileManager.default.fileExists(atPath: path($0)) }
        guard existing.isEmpty else {
            let list = existing.map { "  \(path($0))\n" }.joined()
            Output.standardError("error: flagc init writes nothing when one of its files exists, and these do:\n\(list)move them away or set the rest up by hand (docs in README.md)\n")
            throw ExitCode.failure
        }
        _ = try SnapshotFile.writeUnit(files.map { SnapshotFile.Output(path: path($0.path), bytes: Array($0.text.utf8)) }, lockFolder: nil)
        let written = files.map { "  \(path($0.path))\n" }.joined()
        Output.standardOutput("wrote\n\(written)next: edit flags/flagc.yaml, then run 'flagc validate' and 'flagc test'\n")
    }

    /// `relative` under the folder given, as the user would write it.
    private func path(_ relative: String) -> String {
        directory == "." ? relative : (directory as NSString).appendingPathComponent(relative)
    }
}

/// The files `flagc init` writes, by path relative to the repository's folder.
enum InitFiles {
    /// One file to write.
    struct File {
        var path: String
        var text: String
    }

    /// The files; `schemasAvailable` says whether `schemas/NAME` exists in the repository, `today` dates the
    /// example flag's `expires`.
    static func make(schemasAvailable: (String) -> Bool, today: Date) -> [File] {
        func schemaLine(_ name: String) -> String {
            if schemasAvailable(name) { return "# yaml-language-server: $schema=../schemas/\(name)\n" }
            return "# Editor completion: copy schemas/\(name) from flagc's repository into this one and put\n# '# yaml-language-server: $schema=<its path from here>' on the first line.\n"
        }
        return [
            File(path: "flags/flagc.yaml", text: schemaLine("flagc-config.schema.json") + config),
            File(path: "flags/example.yaml", text: schemaLine("flags.schema.json") + exampleFlag(expires: date(today, plusDays: 90))),
            File(path: "flags/example.test.yaml", text: schemaLine("flag-test.schema.json") + exampleTest),
            File(path: ".github/workflows/flags.yml", text: workflow),
        ]
    }

    private static func date(_ day: Date, plusDays days: Int) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.string(from: day.addingTimeInterval(TimeInterval(days) * 86_400))
    }

    static let config = """
        # Project conventions for the flag files in this folder (and its subfolders). docs/flag-format.md in
        # flagc's repository describes every field.
        naming:
          # {module}.{feature}[.{action}]: two or three lowercase snake_case segments.
          pattern: '^[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*){1,2}$'
          example: billing.invoice_auto_generate
        # Fields every flag must have.
        require: [description, owner]
        # The environments rules may name; 'flagc compile --env NAME' builds the snapshot of one.
        environments: [development, staging, production]
        # To check owners, list the teams (owners: [team-a, team-b]) or read them from CODEOWNERS
        # (owners: { from: .github/CODEOWNERS }).

        """

    static func exampleFlag(expires: String) -> String {
        """
        # An example flag, to copy from: rename or delete it once the repository has flags of its own.
        flags:
          example.new_checkout:
            description: The new checkout page, on in staging and rolled out to a tenth of production users.
            owner: team-example
            type: release
            expires: \(expires)
            default: false
            rules:
              - name: staging
                when:
                  environments: [staging]
                serve: true
              - rollout: 10

        """
    }

    static let exampleTest = """
        # Tests of the example flag: 'flagc test' evaluates each case as a service would (docs/testing.md in flagc's
        # repository describes the format).
        tests:
          - name: staging gets the new checkout
            flag: example.new_checkout
            env: staging
            context: { targetingKey: user-1 }
            expect: { value: true, rule: staging }

          - name: a tenth of production users get it
            flag: example.new_checkout
            env: production
            distribution: { samples: 10000, expect: { "true": 10, "false": 90 }, tolerance: 1.5 }

        """

    static let workflow = """
        # Checks the flags on every push and pull request; on a pull request, what the change does to whom goes into
        # the run's summary. flagc is built from source here; docs/ci.md in flagc's repository describes the GitHub
        # Action that does it for you.
        name: flags
        on:
          push:
            branches: [main]
          pull_request:
        env:
          # Where to get flagc from: set these to flagc's repository and the release to use.
          FLAGC_REPOSITORY: https://github.com/OWNER/flagc.git
          FLAGC_REF: main
        jobs:
          flags:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/checkout@v4
                with:
                  fetch-depth: 0 # flagc diff reads the base revision from git
              - name: Build flagc
                run: |
                  sudo apt-get install -y libyaml-dev
                  git clone --depth 1 --branch "$FLAGC_REF" "$FLAGC_REPOSITORY" "$RUNNER_TEMP/flagc"
                  swift build -c release --package-path "$RUNNER_TEMP/flagc" --product flagc
                  echo "$RUNNER_TEMP/flagc/.build/release" >> "$GITHUB_PATH"
              - name: Validate
                run: flagc validate flags --format github # add --strict to fail on warnings (an expired flag) too
              - name: Test
                run: flagc test flags --format github
              - name: Diff against the base branch
                if: github.event_name == 'pull_request'
                run: flagc diff "origin/$GITHUB_BASE_REF" --format markdown >> "$GITHUB_STEP_SUMMARY"

        """
}
