import ArgumentParser
import FlagCompiler
import FlagRuntime
import Foundation

/// `flagc generate`: code from the flags.
struct Generate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Generate code from the flags.",
        subcommands: [GenerateSwift.self]
    )
}

/// `flagc generate swift`: typed `FlagHandle`s for a Swift service.
struct GenerateSwift: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "swift",
        abstract: "Write typed flag handles for Swift (Flags.billing.invoiceAutoGenerate), for teams that commit the file.",
        discussion: """
            A namespace per module (the key's first segment) and a FlagHandle per flag, typed Bool, Int, Double, \
            [String: JSONValue], or an enum of a string flag's variants; documentation comments from description, owner, \
            type and expires; flags past 'expires' are deprecated, so code that reads them warns. The FlagAccessors build \
            plugin writes the same file at build time. Reads flag files, or a compiled snapshot with --snapshot. Writes \
            standard output, or --out FILE (atomically, only when its bytes change). Exit status: 0 written, 1 the flags \
            have errors or two flags map to one Swift name, 2 usage errors.
            """
    )

    @Argument(help: "Flag files or folders of flag files.")
    var paths: [String] = ["flags"]

    @Option(help: ArgumentHelp("Read this compiled snapshot (snapshot.json or snapshot.bin) instead of flag files.", valueName: "file"))
    var snapshot: String?

    @Option(help: ArgumentHelp("Write the Swift file here instead of standard output.", valueName: "file"))
    var out: String?

    @Option(help: ArgumentHelp("The access level of the declarations: internal (the default) or public.", valueName: "level"))
    var access = "internal"

    @Option(help: ArgumentHelp("The name of the outer namespace.", valueName: "name"))
    var namespace = "Flags"

    @Option(help: "The project config (default: the nearest flagc.yaml at or above the first path).")
    var config: String?

    @Option(help: ArgumentHelp("Treat this RFC 3339 time as now when deprecating expired flags.", valueName: "rfc3339"))
    var now: String?

    func validate() throws {
        _ = try InputOptions.seconds(now)
        guard access == "internal" || access == "public" else { throw ValidationError("--access '\(access)' is not internal or public") }
        guard SwiftAccessorsCheck.isIdentifier(namespace) else { throw ValidationError("--namespace '\(namespace)' is not a Swift identifier; write it like Flags") }
    }

    func run() async throws {
        let now = try InputOptions.seconds(now) ?? Int64(Date().timeIntervalSince1970)
        let flags: Snapshot
        var kinds: [String: FlagKind] = [:]
        if let snapshot {
            do {
                flags = try SnapshotLoader.read(contentsOfFile: snapshot).snapshot
            } catch {
                throw CommandUsageError("--snapshot '\(snapshot)' cannot be read: \(error.description)")
            }
        } else {
            var options = FlagCompiler.Options(paths: paths, configPath: config, now: now)
            options.producesSnapshot = true
            let result = try FlagCompiler(options: options).compile()
            try Output.stopOnErrors(result, format: .text, validating: paths.joined(separator: " "))
            guard let compiled = result.snapshot else { throw ExitCode.failure }
            flags = compiled
            kinds = result.flagKinds
        }
        let source: String
        do {
            source = try SwiftAccessors(snapshot: flags, kinds: kinds, now: now, access: access, namespace: namespace).source()
        } catch {
            Output.standardError("error: \(error.description)\n")
            throw ExitCode.failure
        }
        guard let out else {
            Output.standardOutput(source)
            return
        }
        let outcome = try SnapshotFile.writeAtomically(Array(source.utf8), to: out)
        Output.standardError("\(outcome == .written ? "wrote" : "unchanged") \(out): \(flags.flags.count) flag handles\n")
    }
}

/// Checks of `flagc generate swift`'s options.
enum SwiftAccessorsCheck {
    /// Whether `text` is a plain Swift identifier (ASCII letters, digits and `_`, not starting with a digit).
    static func isIdentifier(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, !("0"..."9").contains(first) else { return false }
        return text.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_") }
    }
}
