// `flagc serve`'s server behind a synchronous main, for callgrind: valgrind 3.19 crashes in Swift's async main,
// which parks the main thread in `dispatch_main`. Built by Benchmarks/scripts/profile-serve.sh from the release
// objects of `flagc` (its own main left out), so what is measured is the server `flagc serve` runs.
//
// Usage: serve-profile SNAPSHOT   (prints `listening on 127.0.0.1:PORT`; serves /_fixed too; logs at warning)
import FlagReload
import FlagServer
import Foundation
import Logging
import Prometheus

guard CommandLine.arguments.count == 2 else {
    FileHandle.standardError.write(Data("usage: serve-profile SNAPSHOT\n".utf8))
    exit(2)
}
var logger = Logger(label: "flagc.serve")
logger.logLevel = .warning
let registry = PrometheusCollectorRegistry()
let watcher = try SnapshotFileWatcher(path: CommandLine.arguments[1], environment: nil,
                                      options: SnapshotFileWatcher.Options(logger: logger, metricsFactory: PrometheusMetricsFactory(registry: registry)))
let server = try FlagServer(watcher: watcher, configuration: FlagServerConfiguration(host: "127.0.0.1", port: 0, fixedRoute: true),
                            registry: registry, logger: logger)
// Detached: top-level code is on the main actor, whose executor would need the main thread's run loop.
Task.detached {
    do {
        try await server.run { host, port in
            FileHandle.standardOutput.write(Data("listening on \(host):\(port)\n".utf8))
        }
        exit(0)
    } catch {
        FileHandle.standardError.write(Data("error: \(error)\n".utf8))
        exit(1)
    }
}
while true { sleep(3600) }
