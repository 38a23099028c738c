import FlagReload
import FlagRuntime
import FlagServiceLifecycle
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import Metrics
import NIOCore
import Prometheus
import ServiceLifecycle
import Synchronization

/// `flagc serve`: OpenFeature's Remote Evaluation Protocol (OFREP 0.3.0) over HTTP on a snapshot file that a
/// `SnapshotFileWatcher` keeps current, with health, readiness and Prometheus metrics.
///
/// ```swift
/// let watcher = try SnapshotFileWatcher(path: "build/snapshot.json", environment: "production")
/// let server = try FlagServer(watcher: watcher, configuration: FlagServerConfiguration(port: 8016))
/// try await server.run()   // until SIGTERM or SIGINT; in-flight requests finish
/// ```
///
/// Routes: `POST /ofrep/v1/evaluate/flags/{key}`, `POST /ofrep/v1/evaluate/flags`, `GET /ofrep/v1/events`
/// (server-sent events), `GET /healthz`, `GET /readyz`, `GET /metrics`. See docs/serve.md.
public struct FlagServer: Sendable {
    /// The watcher whose store is served.
    public let watcher: SnapshotFileWatcher
    /// How the server listens and what it allows.
    public let configuration: FlagServerConfiguration
    /// Where access logs and server events go.
    public let logger: Logger
    /// The Prometheus registry `/metrics` renders.
    let registry: PrometheusCollectorRegistry
    let metrics: ServerMetrics
    let streams: EventStreams
    let apiKeys: APIKeyFile?
    /// Set once graceful shutdown begins: `/readyz` then answers 503 so load balancers stop sending requests.
    let draining: ShutdownState
    /// Subscribed at creation, so that no reload after it goes unannounced.
    let changes: AsyncStream<SnapshotChange>

    /// Creates a server for `watcher`'s store. `registry` receives the server's metrics; create the watcher with
    /// `metricsFactory: PrometheusMetricsFactory(registry: registry)` to count its reloads there too.
    ///
    /// - Throws: `FlagServerError` when the API key file cannot be read or parsed.
    public init(watcher: SnapshotFileWatcher, configuration: FlagServerConfiguration, registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(),
                logger: Logger = Logger(label: "flagc.serve")) throws(FlagServerError) {
        self.watcher = watcher
        self.configuration = configuration
        self.logger = logger
        self.registry = registry
        metrics = ServerMetrics(factory: PrometheusMetricsFactory(registry: registry), snapshotID: watcher.store.snapshot.id)
        streams = EventStreams(maximumStreams: configuration.maximumEventStreams)
        draining = ShutdownState()
        changes = watcher.changes()
        if let path = configuration.apiKeyFile {
            do {
                apiKeys = try APIKeyFile(path: path)
            } catch {
                throw FlagServerError(description: error.description)
            }
        } else {
            apiKeys = nil
        }
    }

    /// What answers requests: the router, with the two evaluation routes answered in front of it.
    ///
    /// The router (OFREP under `/ofrep/v1` behind the API key check when keys are configured, the operational
    /// routes, request metrics and access logs on all of them, CORS in front when origins are configured) serves
    /// every request. Only `POST` to exactly `/ofrep/v1/evaluate/flags/{key}` or `/ofrep/v1/evaluate/flags`
    /// takes a shortcut: `EvaluationShortcut` matches those paths on their bytes and calls the same handlers
    /// through the same middleware values, in the router's order. Hummingbird's trie splits a path one `Character`
    /// at a time, which cost single evaluations about 23,000 instructions of their 235,000; its middleware chain
    /// runs unspecialized, which `MiddlewareLayer` avoids.
    func responder() -> EvaluationShortcut {
        let cors = OptionalMiddleware(configuration.corsOrigins.isEmpty ? nil : AllowedOriginsMiddleware<FlagRequestContext>(
            origins: configuration.corsOrigins,
            cors: CORSMiddleware(allowOrigin: .originBased,
                                 allowHeaders: [.accept, .authorization, .contentType, .origin, .ifNoneMatch, HTTPField.Name("X-API-Key")!],
                                 allowMethods: [.get, .post, .options], exposedHeaders: ["ETag"], maxAge: .seconds(600))))
        let requestMetrics = RequestMetricsMiddleware<FlagRequestContext>(metrics: metrics)
        let accessLog = AccessLogMiddleware<FlagRequestContext>(logger: logger)
        let keys = OptionalMiddleware(apiKeys.map { APIKeyMiddleware(keys: $0) })

        let router = Router(context: FlagRequestContext.self)
        if cors.wrapped != nil { router.add(middleware: cors) }
        if configuration.fixedRoute {
            let fixed = ByteBuffer(string: #"{"key":"fixed","reason":"STATIC","value":true,"variant":"on"}"#)
            router.post("_fixed") { _, _ in
                Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: fixed))
            }
        }
        let routes = router.group()
            .add(middleware: requestMetrics)
            .add(middleware: accessLog)
        let store = watcher.store
        routes.get("healthz") { _, _ in jsonResponse(.ok, Array(#"{"status":"ok"}"#.utf8)) }
        routes.get("readyz") { [draining] _, _ in
            let snapshot = store.snapshot
            var json = JSONEmitter(style: .compact, capacity: 128)
            json.beginObject()
            if let environment = store.environment { json.member("environment", environment) }
            json.member("flags", Int64(snapshot.flags.count))
            json.member("snapshot", snapshot.id)
            json.member("status", draining.isDraining ? "draining" : "ready")
            json.endObject()
            return jsonResponse(draining.isDraining ? .serviceUnavailable : .ok, json.finish())
        }
        routes.get("metrics") { [metrics, registry] _, _ in
            metrics.updateAge()
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                            body: ResponseBody(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
        }
        let ofrep = routes.group("ofrep/v1")
        if keys.wrapped != nil { ofrep.add(middleware: keys) }
        let handlers = OFREPRoutes(store: store, metrics: metrics, streams: streams, maximumBodySize: configuration.maximumBodySize)
        handlers.add(to: ofrep)

        // The router's order: its own middleware outermost, then each group's, the innermost group's last.
        func chain<Final>(_ final: Final) -> EvaluationShortcut.Chain<Final> {
            MiddlewareLayer(cors, MiddlewareLayer(requestMetrics, MiddlewareLayer(accessLog, MiddlewareLayer(keys, final))))
        }
        return EvaluationShortcut(router: router.buildResponder(),
                                  single: chain(OFREPRoutes.Single(routes: handlers)),
                                  bulk: chain(OFREPRoutes.Bulk(routes: handlers)))
    }

    /// The Hummingbird application (no services of its own; `run` adds them around it).
    package func application(onListening: @escaping @Sendable (String, Int) async -> Void = { _, _ in }) throws(FlagServerError) -> some ApplicationProtocol {
        let server: HTTPServerBuilder
        if let tls = configuration.tls {
            do {
                let chain = try NIOSSLCertificate.fromPEMFile(tls.certificateChain)
                let key = try NIOSSLPrivateKey(file: tls.privateKey, format: .pem)
                server = try .tls(.http1(), tlsConfiguration: TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key)))
            } catch {
                throw FlagServerError(description: "cannot use the TLS certificate \(tls.certificateChain) and key \(tls.privateKey): \(error); pass PEM files (--tls-cert, --tls-key)")
            }
        } else {
            server = .http1()
        }
        let host = configuration.host
        return Application(
            responder: responder(),
            server: server,
            configuration: ApplicationConfiguration(address: .hostname(host, port: configuration.port), serverName: "flagc"),
            onServerRunning: { channel in await onListening(host, channel.localAddress?.port ?? 0) },
            logger: logger
        )
    }

    /// The services `run` starts, in order: the watcher, the API key file's watcher, the HTTP server and the
    /// event streams. swift-service-lifecycle shuts them down in reverse: the event streams close first, so
    /// the server's graceful shutdown (which waits for in-flight requests) is not held up by them.
    package func services(onListening: @escaping @Sendable (String, Int) async -> Void = { _, _ in }) throws(FlagServerError) -> [any Service] {
        var services: [any Service] = [SnapshotWatcherService(watcher)]
        if let apiKeys { services.append(APIKeyFileService(keys: apiKeys, logger: logger)) }
        services.append(try application(onListening: onListening))
        services.append(EventStreamService(watcher: watcher, streams: streams, metrics: metrics, changes: changes, draining: draining))
        return services
    }

    /// Runs until SIGTERM or SIGINT, then shuts down gracefully: `/readyz` turns 503, event streams close,
    /// requests in flight finish. `onListening` is called with the bound host and port (useful with port 0).
    public func run(onListening: @escaping @Sendable (String, Int) async -> Void = { _, _ in }) async throws {
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: try services(onListening: onListening).map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) },
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        ))
        try await group.run()
    }
}

/// A server that cannot start: what is wrong and what to do.
public struct FlagServerError: Error, CustomStringConvertible, Sendable {
    /// The message.
    public var description: String
}

/// Whether graceful shutdown has begun.
final class ShutdownState: Sendable {
    private let flag = Atomic<Bool>(false)
    /// True once graceful shutdown has begun.
    var isDraining: Bool { flag.load(ordering: .relaxed) }
    /// Marks the start of graceful shutdown.
    func drain() { flag.store(true, ordering: .relaxed) }
}

/// Re-reads the API key file every second while the server runs (a bad new file keeps the old keys, logged once).
struct APIKeyFileService: Service {
    /// The key file.
    let keys: APIKeyFile
    /// Where reloads and failures are logged.
    let logger: Logger

    /// Checks the file every second until graceful shutdown.
    func run() async throws {
        var lastFailure: String?
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            do {
                if let count = try keys.refreshIfChanged() {
                    logger.notice("API keys reloaded", metadata: ["file": "\(keys.path)", "keys": "\(count)"])
                }
                lastFailure = nil
            } catch {
                if lastFailure != error.description { logger.error("\(error.description)") }
                lastFailure = error.description
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(1)) }
        }
    }
}
