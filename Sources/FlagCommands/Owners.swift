import ArgumentParser
import FlagCompiler
import FlagRuntime
import Foundation

/// `flagc owners`: whether CODEOWNERS asks the owners of each flag file's flags to review it, or the block that would.
struct Owners: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check that CODEOWNERS asks the owners of each flag file's flags to review it, or print the lines that would.",
        discussion: """
            --check [CODEOWNERS] matches each flag file's path from the repository root against CODEOWNERS the way \
            GitHub does (the last matching line wins) and reports each file that no line covers, or whose deciding line \
            lacks an owner of its flags. Without a file it uses GitHub's: .github/CODEOWNERS, CODEOWNERS or \
            docs/CODEOWNERS at the repository root. --print writes a CODEOWNERS block with one line per flag file, \
            '/path @owner…', to put at the end of CODEOWNERS. A flag's owner team-billing is written as the handle that \
            CODEOWNERS or flagc.yaml's owners has for it (@acme/team-billing), else @ORG/team-billing with --org, else \
            @team-billing.

            Exit status: 0 when every flag file is covered (or the block was printed), 1 when one is not, CODEOWNERS has \
            lines GitHub rejects, or the flag files have errors, 2 for usage errors.
            """
    )

    /// The value `--check` takes when given without a file: GitHub's locations.
    static let githubLocations = ".github/CODEOWNERS, CODEOWNERS or docs/CODEOWNERS"

    @Argument(help: ArgumentHelp("The flag files or folder.", valueName: "path"))
    var path = "flags"

    @Option(name: .customLong("check"), defaultAsFlag: Owners.githubLocations, parsing: .next,
            help: ArgumentHelp("Check this CODEOWNERS file (without a value: GitHub's locations at the repository root).", valueName: "codeowners"))
    var check: String? = nil

    @ArgumentParser.Flag(name: .customLong("print"), help: "Print the CODEOWNERS block that makes every flag file reviewed by the owners of its flags.")
    var printsBlock = false

    @Option(help: ArgumentHelp("Write an owner without a handle as @ORG/owner (default: @owner).", valueName: "org"))
    var org: String?

    @Option(help: "Output of --check: text, json or github.")
    var format: DiagnosticFormat = .text

    @Option(help: "The project config (default: the nearest flagc.yaml at or above the path).")
    var config: String?

    func validate() throws {
        guard (check != nil) != printsBlock else {
            throw ValidationError("pass either --check [CODEOWNERS] (check CODEOWNERS) or --print (write the lines that cover the flag files)")
        }
        if let check, check != Owners.githubLocations {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: check, isDirectory: &isDirectory) else {
                throw ValidationError("--check '\(check)' does not exist; name a CODEOWNERS file, or pass --check alone to use GitHub's locations")
            }
            if isDirectory.boolValue {
                throw ValidationError("--check '\(check)' is a folder; --check takes a CODEOWNERS file (write the flags path before it: flagc owners \(check) --check)")
            }
        }
        if let org, org.isEmpty || org.contains(where: { $0 == "/" || $0 == "@" || $0.isWhitespace }) {
            throw ValidationError("--org '\(org)' is not an organization name; write it without '@' or '/', for example --org acme")
        }
    }

    func run() async throws {
        var options = FlagCompiler.Options(paths: [path], configPath: config)
        options.producesSnapshot = false
        let result = try FlagCompiler(options: options).compile()
        try Output.stopOnErrors(result, format: format, validating: path)
        let root = OwnersCheck.root(for: path, config: result.config)
        let (files, outside) = OwnersCheck.files(result.flagOwners, root: root)
        let knownHandles = result.config.knownOwners?.entries ?? []

        if printsBlock {
            // The handles CODEOWNERS already uses name the owners best; a CODEOWNERS that cannot be read adds none.
            let codeOwners = OwnersCheck.githubCodeOwners(root: root).flatMap { try? OwnersCheck.read($0).0 }
            Output.standardOutput(OwnersCheck.block(files, handles: (codeOwners?.owners ?? []) + knownHandles, organization: org))
            for path in outside {
                Output.standardError("warning: \(path) is outside the repository (\(root)), so CODEOWNERS cannot cover it\n")
            }
            return
        }

        let codeOwnersPath = try locateCodeOwners(root: root)
        let (codeOwners, problems) = try OwnersCheck.read(codeOwnersPath)
        let findings = OwnersCheck.check(files, against: codeOwners)
        let output = OwnersOutput(
            codeOwners: codeOwnersPath, findings: findings, outside: outside, problems: problems,
            handles: codeOwners.owners + knownHandles, organization: org
        )
        switch format {
        case .text: Output.standardOutput(output.text())
        case .json: Output.standardOutput(output.json())
        case .github: Output.standardOutput(output.github())
        case .sarif: throw CommandUsageError("flagc owners writes text, json or github, not sarif")
        }
        if !output.passes { throw ExitCode.failure }
    }

    /// The CODEOWNERS file to check: the one given (checked by `validate()`), or the first of GitHub's locations.
    private func locateCodeOwners(root: String) throws -> String {
        guard let check, check != Owners.githubLocations else {
            let searched = OwnersCheck.githubLocations(root: root)
            guard let found = OwnersCheck.githubCodeOwners(root: root) else {
                throw CommandUsageError("no CODEOWNERS file: none of \(searched.joined(separator: ", ")) exists; add one (flagc owners \(path) --print writes its lines), or name the file: --check FILE")
            }
            return found
        }
        return check
    }
}
