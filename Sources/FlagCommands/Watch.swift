import ArgumentParser
import FlagReload
import FlagRuntime
import Foundation

/// `flagc watch`: serve a snapshot file as a service would and print one line per reload or rejected file.
///
/// It uses `SnapshotFileWatcher`, the reloading a service gets from `FlagRuntime`, so it shows exactly what a
/// service would serve: a debugging tool, and the end-to-end harness of the reload tests.
struct Watch: AsyncParsableCommand {
    /// The command's name, abstract and help text.
    static let configuration = CommandConfiguration(
        abstract: "Watch a snapshot file and print a line each time it is reloaded or rejected.",
        discussion: """
            Runs until interrupted, printing one line per event and flushing after each:
              serving ID: N flags[; FLAG = VALUE (…)]               at start
              reloaded ID (was OLD_ID): changed KEY, …[; FLAG = …]  for each new snapshot
              rejected PATH: REASON; still serving ID              for each file refused
            IDs are printed in full; "changed" lists the flags added, removed or modified ("changed no flags" \
            when only the environment differs). A file rewritten with the same snapshot prints nothing. With \
            FLAG, the flag is evaluated for the context given by --targeting-key and --attr, as `flagc eval` \
            does. The watcher's log messages go to standard error.

            Exit status: 1 when the snapshot cannot be loaded at start, 2 for usage errors.
            """
    )

    /// The snapshot file.
    @Argument(help: ArgumentHelp("The snapshot file to watch (snapshot.json).", valueName: "snapshot"))
    var snapshot: String

    /// The flag to evaluate on each line, if any.
    @Argument(help: ArgumentHelp("A flag to evaluate after each reload.", valueName: "flag"))
    var flag: String?

    /// `--context`, `--attr` and `--targeting-key`.
    @OptionGroup var contextOptions: ContextOptions

    /// `--env`.
    @Option(help: ArgumentHelp("The evaluation environment (default: the snapshot's).", valueName: "name"))
    var env: String?

    /// `--trusted-key`: serve only snapshots signed by one of these keys.
    @OptionGroup var trust: TrustOptions

    /// `--accept-older`.
    @ArgumentParser.Flag(help: "With --trusted-key, also serve signed snapshots older than the one being served (a deliberate rollback).")
    var acceptOlder = false

    /// `--max-age`.
    @Option(help: ArgumentHelp("With --trusted-key, refuse snapshots issued more than this many seconds ago.", valueName: "seconds"))
    var maxAge: Int64?

    /// `--poll-interval`.
    @Option(help: ArgumentHelp("Seconds between polling checks of the file (besides inotify events).", valueName: "seconds"))
    var pollInterval: Double = 1

    /// `--polling-only`.
    @ArgumentParser.Flag(help: "Do not use inotify; only poll.")
    var pollingOnly = false

    /// Checks --attr and --poll-interval, so that usage errors show this command's usage.
    func validate() throws {
        guard pollInterval.isFinite, pollInterval >= 0.001, pollInterval <= 86_400 else {
            throw ValidationError("--poll-interval '\(pollInterval)' must be between 0.001 and 86400 seconds")
        }
        if (acceptOlder || maxAge != nil), trust.trustedKey.isEmpty {
            throw ValidationError("--accept-older and --max-age apply to signed snapshots: add --trusted-key FILE")
        }
        if let maxAge, maxAge < 0 { throw ValidationError("--max-age '\(maxAge)' must be a number of seconds, 0 or more") }
    }

    /// Loads the snapshot, prints the start line, then one line per reload outcome until interrupted.
    func run() async throws {
        let context = try contextOptions.evaluationContext()
        let verifier = try trust.verifier()
        let options = SnapshotFileWatcher.Options(
            pollInterval: .nanoseconds(Int64((pollInterval * 1e9).rounded())),
            usesFileEvents: !pollingOnly
        )
        let watcher: SnapshotFileWatcher
        do {
            watcher = try SnapshotFileWatcher(path: snapshot, environment: env, signatureVerifier: verifier,
                                              freshnessPolicy: SnapshotFreshnessPolicy(acceptsOlderSnapshots: acceptOlder, maximumAge: maxAge),
                                              options: options)
        } catch {
            Output.standardError("error: \(error)\n")
            throw ExitCode.failure
        }
        let outcomes = watcher.outcomes()  // subscribed before the watch starts: no reload goes unprinted
        let initial = watcher.store.snapshot
        Output.standardOutput("serving \(initial.id): \(initial.flags.count) flags\(evaluation(of: watcher.store, context: context))\n")
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await watcher.run() }
            for await outcome in outcomes {
                switch outcome {
                case .reloaded(let change):
                    let changed = change.changedKeys.isEmpty ? "no flags" : change.changedKeys.joined(separator: ", ")
                    // The watcher admitted this snapshot for its environment, so a store for it cannot be refused.
                    let store = try? FlagStore(snapshot: change.snapshot, environment: watcher.store.environment)
                    Output.standardOutput("reloaded \(change.newID) (was \(change.oldID)): changed \(changed)\(store.map { evaluation(of: $0, context: context) } ?? "")\n")
                case .rejected(let failure):
                    Output.standardOutput("rejected \(failure.path): \(failure.reason); still serving \(failure.servingID)\n")
                case .unchanged:
                    break
                }
            }
            group.cancelAll()
        }
    }

    /// `; FLAG = VALUE (…)` for `store`, or nothing without FLAG.
    func evaluation(of store: FlagStore, context: EvaluationContext) -> String {
        guard let flag else { return "" }
        return "; " + EvalOutput.text(store.details(flag, context: context))
    }
}
