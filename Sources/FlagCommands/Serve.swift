import ArgumentParser
import FlagReload
import FlagRuntime
import FlagServer
import Logging
import Prometheus

/// `flagc serve`: OpenFeature Remote Evaluation Protocol (OFREP 0.3.0) over HTTP for a snapshot file.
struct Serve: AsyncParsableCommand {
    /// The command's name, abstract and help text.
    static let configuration = CommandConfiguration(
        abstract: "Serve a snapshot over OpenFeature's Remote Evaluation Protocol (OFREP) over HTTP.",
        discussion: """
            Routes: POST /ofrep/v1/evaluate/flags/{key}, POST /ofrep/v1/evaluate/flags (bulk, with an ETag), \
            GET /ofrep/v1/events (server-sent events after each reload), GET /healthz, GET /readyz, GET /metrics. \
            The snapshot is watched and each good new file is served; a bad one keeps the last good snapshot. \
            Prints "listening on HOST:PORT" on standard output once the port is bound (with --port 0, the port \
            the system picked); logs, including one access line per request, go to standard error. SIGTERM and \
            SIGINT shut down gracefully: /readyz answers 503, event streams close, requests in flight finish.

            API key file (--api-key-file): one key a line, optionally followed by the flag key prefixes it may \
            read ("KEY billing. checkout."); # starts a comment. It is re-read when it changes. See docs/serve.md.

            Exit status: 1 when the snapshot, a key file or the address cannot be used, 2 for usage errors.
            """
    )

    /// The snapshot file.
    @Argument(help: ArgumentHelp("The snapshot file to serve (snapshot.json or snapshot.bin).", valueName: "snapshot"))
    var snapshot: String

    /// `--host`.
    @Option(help: ArgumentHelp("The address to listen on.", valueName: "host"))
    var host = "127.0.0.1"

    /// `--port`.
    @Option(help: ArgumentHelp("The port to listen on; 0 picks a free one (printed on standard output).", valueName: "port"))
    var port = 8016

    /// `--env`.
    @Option(help: ArgumentHelp("The evaluation environment (default: the snapshot's).", valueName: "name"))
    var env: String?

    /// `--api-key-file`.
    @Option(help: ArgumentHelp("Require API keys (X-API-Key or Authorization: Bearer) from this file.", valueName: "file"))
    var apiKeyFile: String?

    /// `--trusted-key`: serve only snapshots signed by one of these keys.
    @OptionGroup var trust: TrustOptions

    /// `--max-body`.
    @Option(help: ArgumentHelp("The largest request body accepted, in bytes (larger ones get 413).", valueName: "bytes"))
    var maxBody = 64 * 1024

    /// `--cors-origin`.
    @Option(help: ArgumentHelp("A browser origin allowed by CORS (https://app.example.com, or * for any); repeatable.", valueName: "origin"))
    var corsOrigin: [String] = []

    /// `--tls-cert`.
    @Option(help: ArgumentHelp("Serve HTTPS with this PEM certificate chain (with --tls-key).", valueName: "file"))
    var tlsCert: String?

    /// `--tls-key`.
    @Option(help: ArgumentHelp("The PEM private key of --tls-cert.", valueName: "file"))
    var tlsKey: String?

    /// `--log-level`.
    @Option(help: ArgumentHelp("trace, debug, info (one access line per request), notice, warning, error or critical.", valueName: "level"))
    var logLevel = "info"

    /// `--fixed-route`: the benchmark floor.
    @ArgumentParser.Flag(help: .hidden)
    var fixedRoute = false

    /// Checks the numbers and the TLS pair, so that usage errors show this command's usage.
    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port '\(port)' must be between 0 and 65535") }
        guard maxBody >= 64, maxBody <= 64 << 20 else { throw ValidationError("--max-body '\(maxBody)' must be between 64 and 67108864 bytes") }
        guard (tlsCert == nil) == (tlsKey == nil) else { throw ValidationError("--tls-cert and --tls-key go together: pass both, or neither") }
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level '\(logLevel)' must be one of trace, debug, info, notice, warning, error, critical")
        }
    }

    /// Loads the snapshot and serves it until SIGTERM or SIGINT.
    func run() async throws {
        var logger = Logger(label: "flagc.serve")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        let registry = PrometheusCollectorRegistry()
        let watcher: SnapshotFileWatcher
        do {
            watcher = try SnapshotFileWatcher(path: snapshot, environment: env, signatureVerifier: try trust.verifier(),
                                              options: SnapshotFileWatcher.Options(logger: logger, metricsFactory: PrometheusMetricsFactory(registry: registry)))
        } catch let error as SnapshotLoadError {
            Output.standardError("error: \(error)\n")
            throw ExitCode.failure
        }
        let configuration = FlagServerConfiguration(
            host: host, port: port, maximumBodySize: maxBody, corsOrigins: corsOrigin, apiKeyFile: apiKeyFile,
            tls: tlsCert.flatMap { cert in tlsKey.map { (certificateChain: cert, privateKey: $0) } }, fixedRoute: fixedRoute)
        let server: FlagServer
        do {
            server = try FlagServer(watcher: watcher, configuration: configuration, registry: registry, logger: logger)
        } catch {
            Output.standardError("error: \(error)\n")
            throw ExitCode.failure
        }
        let snapshotID = watcher.store.snapshot.id
        let scheme = tlsCert == nil ? "http" : "https"
        do {
            try await server.run { host, port in
                Output.standardOutput("listening on \(host):\(port) (\(scheme), snapshot \(snapshotID))\n")
            }
        } catch let error as FlagServerError {
            Output.standardError("error: \(error)\n")
            throw ExitCode.failure
        } catch {
            Output.standardError("error: cannot serve on \(host):\(port): \(error); pick another --port, or stop what uses it\n")
            throw ExitCode.failure
        }
    }
}
