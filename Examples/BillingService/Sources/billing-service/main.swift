import BillingService
import Foundation
import FlagReload
import FlagServiceLifecycle
import Hummingbird

// billing-service SNAPSHOT [PORT]: serves the billing routes on 127.0.0.1:PORT (default 8080) with the flags of
// SNAPSHOT (a `flagc compile` output), reloaded whenever the file changes.
let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
    print("usage: billing-service SNAPSHOT [PORT]")
    exit(2)
}
let watcher = try SnapshotFileWatcher(path: arguments[1])
let port = arguments.count > 2 ? Int(arguments[2]) ?? 8080 : 8080
let app = Application(
    router: buildRouter(store: watcher.store),
    configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: "billing-service"),
    services: [SnapshotWatcherService(watcher)]
)
try await app.runService()
