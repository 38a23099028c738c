import ArgumentParser
import FlagCompiler
import FlagRuntime
import Foundation
import Synchronization

/// `flagc eval`: evaluate one flag from a compiled snapshot for a context, or a stream of requests with `--batch`.
///
/// The evaluation is the `FlagRuntime` one (`FlagStore.details`, untyped), so the answer is exactly what a service
/// loading the same snapshot would get. Exit status: 0 when a value was produced (DISABLED and DEFAULT included),
/// 1 when the result is an error (for example FLAG_NOT_FOUND) or the snapshot cannot be loaded, 2 for usage errors.
struct Eval: AsyncParsableCommand {
    /// The command's name, abstract and help text.
    static let configuration = CommandConfiguration(
        abstract: "Evaluate a flag from a compiled snapshot for a context.",
        discussion: """
            The context comes from --context (a JSON object: targetingKey, environment and attributes), then \
            --attr and --targeting-key, which win. --attr name=value sets a string attribute; --attr name:=JSON \
            sets a typed one from a JSON literal: seats:=25, beta:=true, groups:='["a","b"]'. The names \
            targetingKey and environment set the targeting key and the evaluation environment.

            Text output: FLAG = VALUE (variant V, reason R, rule N "name"), where VALUE is compact JSON and N \
            counts rules from 1 as --explain does. --format json prints one object with flag, value, variant, \
            reason, errorCode, errorMessage, ruleIndex (from 0) and ruleName.

            --batch FILE (- for standard input) reads one JSON request per line, \
            {"flag": "...", "context": {...}, "env": "...", "at": "RFC3339"} (context, env and at optional; \
            --env and --at give their defaults), and writes one --format json result per non-blank line, in \
            order. A line that is not valid JSON, has a bad shape or is longer than 1 MiB yields a PARSE_ERROR \
            result naming its line number and the run goes on. FILE must be a regular file; to stream requests \
            through a pipe, pass - and use standard input.

            Exit status: 0 when a value was produced (also for DISABLED and DEFAULT) and for any --batch run \
            whose input could be read; 1 when the result is an error or the snapshot cannot be loaded; 2 for \
            usage errors.
            """
    )

    /// The snapshot file.
    @Argument(help: ArgumentHelp("The compiled snapshot (snapshot.json).", valueName: "snapshot"))
    var snapshot: String

    /// The flag to evaluate; nil with `--batch`.
    @Argument(help: ArgumentHelp("The flag key to evaluate (not with --batch).", valueName: "flag"))
    var flag: String?

    /// `--context`, `--attr` and `--targeting-key`.
    @OptionGroup var contextOptions: ContextOptions

    /// `--env`: the store's environment.
    @Option(help: ArgumentHelp("The evaluation environment (a context's environment overrides it).", valueName: "name"))
    var env: String?

    /// `--at`: an RFC 3339 time for a fixed clock.
    @Option(help: ArgumentHelp("Evaluate as of this RFC 3339 time, e.g. 2026-01-01T00:00:00Z (default: now).", valueName: "rfc3339"))
    var at: String?

    /// `--format`; nil means text (and lets `--batch` reject an explicit `text`).
    @Option(help: "Output format: text or json (--batch always writes json).")
    var format: EvalFormat?

    /// `--explain`: print why, rule by rule.
    @ArgumentParser.Flag(help: "Explain the result rule by rule.")
    var explain = false

    /// `--trusted-key`: demand a snapshot signed by one of these keys.
    @OptionGroup var trust: TrustOptions

    /// `--batch FILE`.
    @Option(help: ArgumentHelp("Evaluate the JSON requests in FILE, one per line (- for standard input).", valueName: "file"))
    var batch: String?

    /// Checks option combinations and the forms of --at, --context and --attr, so that usage errors show this command's usage.
    func validate() throws {
        if let batch {
            if let flag {
                throw ValidationError("--batch '\(batch)' evaluates the flags its lines name: drop the FLAG argument '\(flag)'")
            }
            if explain { throw ValidationError("--explain does not apply to --batch; evaluate one flag to see an explanation") }
            if format == .text { throw ValidationError("--batch always writes JSON lines; drop --format text") }
            if contextOptions.isGiven {
                throw ValidationError("--context, --attr and --targeting-key do not apply to --batch: give each line its own \"context\"")
            }
        } else if flag == nil {
            throw ValidationError("missing FLAG: give the key of the flag to evaluate (or --batch FILE)")
        }
        _ = try atSeconds()
        _ = try contextOptions.evaluationContext()
    }

    /// Evaluates one flag and prints the result, or runs the batch.
    func run() async throws {
        let fixedTime = try atSeconds()
        if let batch {
            let clock = SettableClock(default: fixedTime)
            let store = try loadStore(clock: clock)
            do {
                try BatchEvaluator(store: store, clock: clock).run(path: batch)
            } catch {
                Output.standardError("error: \(error)\n")
                throw ExitCode.failure
            }
            return
        }
        let context = try contextOptions.evaluationContext()
        let clock = SettableClock(default: fixedTime)
        let store = try loadStore(clock: clock)
        let key = flag ?? ""
        let details: EvaluationDetails<FlagValue?>
        var lines: [String]?
        if explain {
            let explanation = store.explain(key, context: context)
            details = explanation.details
            lines = explanation.lines
        } else {
            details = store.details(key, context: context)
        }
        switch format ?? .text {
        case .json:
            Output.standardOutput(String(decoding: EvalOutput.json(details, explanation: lines), as: UTF8.self) + "\n")
        case .text:
            var text = ""
            if let lines {
                let environment = context.environment ?? store.environment
                text += "snapshot \(store.snapshot.id.prefix(12)), environment \(environment.map { "'\($0)'" } ?? "(none)")"
                text += fixedTime.map { ", at \(Timestamp.format($0))\n" } ?? "\n"
                for line in lines { text += "  \(line)\n" }
            }
            text += EvalOutput.text(details) + "\n"
            Output.standardOutput(text)
        }
        if details.reason == .error { throw ExitCode.failure }
    }

    /// Loads the snapshot into a store; a load error is reported as `error: cannot load …` and exits with 1.
    ///
    /// `--env` naming an environment the snapshot cannot be evaluated in (one the project does not declare, or
    /// another than the one a snapshot was compiled for with `compile --env`) is a usage error: the answer would
    /// be wrong.
    func loadStore(clock: any FlagClock) throws -> FlagStore {
        let verifier = try trust.verifier()
        let loaded: FlagStore
        do {
            loaded = try FlagStore(contentsOfFile: snapshot, clock: clock, signatureVerifier: verifier)
        } catch {
            Output.standardError("error: \(error)\n")
            throw ExitCode.failure
        }
        guard let env else { return loaded }
        do {
            try FlagStore.checkEnvironment(env, of: loaded.snapshot)
        } catch {
            throw CommandUsageError("--env '\(env)': \(snapshot): \(error.reason)")
        }
        // The snapshot was validated when it loaded: only the environment differs.
        return FlagStore(snapshot: loaded.snapshot, provenance: nil, environment: env, clock: clock, signatureVerifier: verifier,
                         freshnessPolicy: SnapshotFreshnessPolicy())
    }

    /// `--at` in Unix seconds, or nil for the system clock.
    func atSeconds() throws -> Int64? {
        guard let at else { return nil }
        guard let seconds = Timestamp.parseDateTime(at) else {
            throw ValidationError("--at '\(at)' is not an RFC 3339 timestamp; write it like 2026-01-01T00:00:00Z or 2026-01-01T02:00:00+02:00")
        }
        return seconds
    }
}
