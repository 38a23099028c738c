/// How `flagc serve` listens and what it allows.
public struct FlagServerConfiguration: Sendable {
    /// The address to bind (default `127.0.0.1`).
    public var host: String
    /// The port to bind; 0 picks a free one (the server reports the one it got through `onListening`).
    public var port: Int
    /// The largest request body accepted, in bytes; larger ones get 413.
    public var maximumBodySize: Int
    /// The browser origins allowed by CORS; empty disables CORS, `["*"]` allows any origin.
    public var corsOrigins: [String]
    /// The API key file; nil serves every caller without a key.
    public var apiKeyFile: String?
    /// PEM files of the TLS certificate chain and private key; nil serves plain HTTP.
    public var tls: (certificateChain: String, privateKey: String)?
    /// The most OFREP event streams open at once.
    public var maximumEventStreams: Int
    /// Adds `POST /_fixed` answering a constant JSON body with no middleware: the framework's floor, for
    /// `Benchmarks/scripts/measure-serve.sh`. Off in normal use.
    public var fixedRoute: Bool

    /// Creates a configuration; every parameter has the default `flagc serve` uses.
    public init(host: String = "127.0.0.1", port: Int = 8016, maximumBodySize: Int = 64 * 1024, corsOrigins: [String] = [],
                apiKeyFile: String? = nil, tls: (certificateChain: String, privateKey: String)? = nil,
                maximumEventStreams: Int = 1024, fixedRoute: Bool = false) {
        self.host = host
        self.port = port
        self.maximumBodySize = maximumBodySize
        self.corsOrigins = corsOrigins
        self.apiKeyFile = apiKeyFile
        self.tls = tls
        self.maximumEventStreams = maximumEventStreams
        self.fixedRoute = fixedRoute
    }
}
